package browsertest

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/kit/devidp"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/pupil/pupiltest"
	"github.com/nextstep-uk/nextstep/services/tracking/trackingbench"
)

// BenchmarkQueuePage is the queue page's server time at a million tasks:
// a caseworker of one local authority (about 100,000 of the tasks, 30,000
// active) asks for the console's queue, which calls the real tracking
// service (ListTasks, CountTasks, each authorised and audited) and the
// pupil service (school names) and renders the page. It reports the 50th
// and 95th percentiles (the target is a p95 under 100 ms) for the first
// page, a filtered page and a page 20 pages deep.
func BenchmarkQueuePage(b *testing.B) {
	ctx := context.Background()
	pool := cloneBenchDatabase(b, ctx)
	pupils := pupiltest.Start(b)
	base := startConsole(b, services{pupils.URL, startPlacement(b, pupils), startTracking(b, pool, pupils)})
	client := signInHTTP(b, base, caseworker)

	deep := "/queue?la=336"
	for range 20 {
		deep = nextPage(b, client, base+deep)
	}
	for name, path := range map[string]string{
		"first_page":      "/queue",
		"reason_priority": "/queue?la=336&reason=AT_RISK_OF_NEET&priority=high",
		"overdue":         "/queue?la=336&overdue=yes",
		"page_20":         deep,
	} {
		b.Run(name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				page := get(b, client, base+path)
				took = append(took, time.Since(start))
				if !strings.Contains(page, `id="tasks"`) {
					b.Fatalf("%s: no tasks on the page", path)
				}
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}

// cloneBenchDatabase is a copy of trackingbench's million-task database,
// dropped when the benchmark ends: the service writes an audit row for
// every read, which must not land in the template.
func cloneBenchDatabase(b *testing.B, ctx context.Context) *pgxpool.Pool {
	b.Helper()
	if _, err := trackingbench.Database(ctx); err != nil {
		b.Fatalf("build the million-task database: %v", err)
	}
	tmpl, err := trackingbench.Name()
	if err != nil {
		b.Fatal(err)
	}
	admin, err := pgx.Connect(ctx, dbtest.AdminURL())
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close(ctx)
	name := pgx.Identifier{"nextstep_bench_console_queue"}.Sanitize()
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		b.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+pgx.Identifier{tmpl}.Sanitize()); err != nil {
		b.Fatalf("clone the million-task database: %v", err)
	}
	b.Cleanup(func() {
		admin, err := pgx.Connect(context.Background(), dbtest.AdminURL())
		if err != nil {
			b.Logf("drop %s: %v", name, err)
			return
		}
		defer admin.Close(context.Background())
		if _, err := admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			b.Logf("drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(dbtest.AdminURL())
	if err != nil {
		b.Fatal(err)
	}
	u.Path = "/nextstep_bench_console_queue"
	pool, err := pgxpool.New(ctx, u.String())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	return pool
}

var authRequestID = regexp.MustCompile(`name="authRequestID" value="([^"]+)"`)

// signInHTTP signs the person in as a browser without JavaScript would:
// the console sends it to the provider's login page, whose form it posts,
// and it comes back signed in. The client keeps the session cookie.
func signInHTTP(b *testing.B, base, subject string) *http.Client {
	b.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	res, err := client.Get(base + "/sign-in")
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	m := authRequestID.FindSubmatch(body)
	if m == nil {
		b.Fatalf("no login form at %s", res.Request.URL)
	}
	login := *res.Request.URL
	login.Path, login.RawQuery = devidp.LoginPath, ""
	res, err = client.PostForm(login.String(), url.Values{
		"authRequestID": {html.UnescapeString(string(m[1]))}, "username": {subject}, "password": {servicetest.Password},
	})
	if err != nil {
		b.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/queue" {
		b.Fatalf("sign-in ended at %s: %s", res.Request.URL, res.Status)
	}
	return client
}

func get(b *testing.B, client *http.Client, u string) string {
	b.Helper()
	res, err := client.Get(u)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %s %v", u, res.Status, err)
	}
	return string(body)
}

var nextLink = regexp.MustCompile(`href="(/queue\?[^"]+)" rel="next"`)

// nextPage is the path of the page after u's.
func nextPage(b *testing.B, client *http.Client, u string) string {
	b.Helper()
	m := nextLink.FindStringSubmatch(get(b, client, u))
	if m == nil {
		b.Fatalf("no next page after %s", u)
	}
	return html.UnescapeString(m[1])
}
