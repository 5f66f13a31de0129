package browsertest

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/console/internal/web"
)

// TestHeadersAndCookie: every answer carries the security headers, pages
// are never stored, and the session cookie is HttpOnly and SameSite=Lax
// and holds only a token.
func TestHeadersAndCookie(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	// The console's own answers, not the provider's page a redirect leads to.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, path := range []string{"/", "/queue", "/sign-in", "/no-such-page", "/assets/govuk/govuk-frontend.min.css"} {
		res, err := client.Get(s.ConsoleURL + path)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "default-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %s", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows inline or eval: %q", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers %v", path, h)
		}
		wantCache := "no-store"
		if strings.HasPrefix(path, web.AssetsPath) {
			wantCache = "public, max-age=3600"
		}
		if got := h.Get("Cache-Control"); got != wantCache {
			t.Errorf("%s: Cache-Control %q, want %q", path, got, wantCache)
		}
	}

	b := newBrowser(t, s)
	b.signIn(caseworker)
	cookies := b.cookies()
	if len(cookies) != 1 {
		t.Fatalf("cookies %v, want the one session cookie", cookies)
	}
	c := cookies[0]
	if !c.HTTPOnly || c.SameSite != network.CookieSameSiteLax || c.Expires > 0 {
		t.Errorf("session cookie %s: HttpOnly %v, SameSite %v, expires %v", c.Name, c.HTTPOnly, c.SameSite, c.Expires)
	}
	if strings.Contains(c.Value, caseworker) || len(c.Value) > 64 {
		t.Errorf("the cookie holds more than a token: %q", c.Value)
	}
}

// TestIdleSessionEnds: a session nobody uses for the idle timeout ends;
// the next page asks the person to sign in again.
func TestIdleSessionEnds(t *testing.T) {
	t.Parallel()
	// Long enough that signing in, with the other browser tests running
	// beside it on a loaded machine, never takes it (2 s once did).
	const idle = 10 * time.Second
	s := newStack(t, func(c *web.Config) { c.IdleTimeout = idle })
	b := newBrowser(t, s)
	b.signIn(caseworker)
	b.open("/queue")
	if b.path() != "/queue" {
		t.Fatalf("signed in at %s", b.path())
	}
	time.Sleep(idle + time.Second)
	b.open("/queue")
	if strings.HasPrefix(b.location(), s.ConsoleURL) {
		t.Errorf("after the idle timeout the queue is at %s, not the sign-in page", b.location())
	}
}

// TestQueuePages: the queue pages with the service's cursor, keeping the
// filters, and comes back to the first page.
func TestQueuePages(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	var seeds []seed
	for range 30 {
		seeds = append(seeds, seed{"BEHIND_TRAJECTORY", trackingv1.Priority_PRIORITY_NORMAL, "1 of 4 expected days", nil})
	}
	s.seedTasks(t, schoolA, seeds)
	b := newBrowser(t, s)
	b.signIn(caseworker)
	b.open("/queue?school=" + schoolA)
	if n := b.count("#tasks tbody tr"); n != 25 {
		t.Fatalf("first page rows = %d, want 25", n)
	}
	b.submit("a[rel=next]")
	if n := b.count("#tasks tbody tr"); n != 5 {
		t.Errorf("second page rows = %d, want 5", n)
	}
	if p := b.path(); !strings.Contains(p, "school="+schoolA) || !strings.Contains(p, "page=") {
		t.Errorf("second page at %s", p)
	}
	b.checkAccessible("queue, second page")
	b.submit("a[rel=prev]")
	if p := b.path(); p != fmt.Sprintf("/queue?school=%s", schoolA) {
		t.Errorf("first page again at %s", p)
	}
}

// TestSessionEndsAfterItsMaxAge: however busy, a session ends its
// absolute timeout after sign-in.
func TestSessionEndsAfterItsMaxAge(t *testing.T) {
	t.Parallel()
	s := newStack(t, func(c *web.Config) { c.IdleTimeout, c.AbsoluteTimeout = 2*time.Second, 4*time.Second })
	b := newBrowser(t, s)
	b.signIn(caseworker)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		b.open("/overview")
		time.Sleep(time.Second)
	}
	b.open("/queue")
	if strings.HasPrefix(b.location(), s.ConsoleURL) {
		t.Errorf("a session busy past its max age still shows %s", b.location())
	}
}

// TestResolveWithoutJavaScript: every page works with JavaScript off; the
// whole resolve flow, through check your answers.
func TestResolveWithoutJavaScript(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	task := s.seedTask(t, schoolA, "BEHIND_TRAJECTORY", trackingv1.Priority_PRIORITY_HIGH, "1 of 4 expected days", nil)
	b := newBrowser(t, s)
	b.run(emulation.SetScriptExecutionDisabled(true))
	b.signIn(caseworker)
	b.open("/queue")
	var enhanced bool
	b.run(chromedp.Evaluate(`document.body.classList.contains('govuk-frontend-supported')`, &enhanced))
	if enhanced {
		t.Fatal("GOV.UK Frontend's JavaScript ran: the page was not tested without it")
	}
	b.submit("#tasks tbody tr:first-child td:nth-child(2) a")
	b.submit("#resolve")
	b.run(chromedp.SendKeys("#text", "Referred to the youth service", chromedp.ByID))
	b.submit("#continue")
	b.submit("#confirm")
	if got := s.task(t, task.GetId()); got.GetStatus() != trackingv1.TaskStatus_TASK_STATUS_RESOLVED {
		t.Errorf("task after resolving without JavaScript: %v", got.GetStatus())
	}
	if got := b.text(".govuk-notification-banner--success"); !strings.Contains(got, "Task resolved") {
		t.Errorf("after resolving: %q", got)
	}
}

// TestYoungPersonAndImportWithoutJavaScript: with JavaScript off, a
// caseworker adds a young person to the at-risk list, records a
// destination with the activity picker, and imports a file.
func TestYoungPersonAndImportWithoutJavaScript(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	task := s.seedTask(t, schoolA, "AT_RISK_OF_NEET", trackingv1.Priority_PRIORITY_HIGH, "risk score 3", nil)
	file := filepath.Join(t.TempDir(), "pupils.csv")
	if err := os.WriteFile(file, []byte(importCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, s)
	b.run(emulation.SetScriptExecutionDisabled(true))
	b.signIn(caseworker)
	b.open("/pupils/" + task.GetPupilId())
	b.run(
		chromedp.Click("#decision", chromedp.ByID),
		chromedp.SendKeys("#reason", "Known to the youth service", chromedp.ByID),
	)
	b.submit("#save-review")
	if got := s.pupil(t, task.GetPupilId()).GetRiskReview().GetDecision(); got != pupilv1.RiskDecision_RISK_DECISION_ADDED {
		t.Errorf("review without JavaScript: %v", got)
	}
	b.run(
		chromedp.Click("#kind-3", chromedp.ByID),
		chromedp.SetValue("#activity", "230", chromedp.ByID),
		chromedp.SendKeys("#effective-day", "1", chromedp.ByID),
		chromedp.SendKeys("#effective-month", "9", chromedp.ByID),
		chromedp.SendKeys("#effective-year", fmt.Sprint(time.Now().Year()+1), chromedp.ByID),
		chromedp.SendKeys("#source", "Careers interview", chromedp.ByID),
	)
	b.submit("#record-destination")
	if n := len(s.destinations(t, task.GetPupilId())); n != 1 {
		t.Errorf("%d destinations recorded without JavaScript, want 1", n)
	}
	b.open("/imports")
	b.run(chromedp.SetUploadFiles("#file", []string{file}, chromedp.ByID))
	b.submit("#upload")
	if got := b.text("#import-inserted"); got != "2" {
		t.Errorf("imported without JavaScript: %q", got)
	}
}
