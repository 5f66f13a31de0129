package browsertest

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/nextstep-uk/nextstep/services/console/internal/web"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

// axeSource is axe-core, copied from the npm package the console's
// lockfile pins (hack/console-assets.sh).
//
//go:embed testdata/axe.min.js
var axeSource string

// wcag22AA are the rule tags of WCAG 2.2 at level AA, every level and
// version up to it: a page must have no violation of any.
const wcag22AA = `['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']`

// chromium is the browser: NEXTSTEP_CHROMIUM (make test sets it from
// hack/ensure-chromium.sh), else chromium on the PATH. A missing browser
// fails the test: these tests are never skipped.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("NEXTSTEP_CHROMIUM"); p != "" {
		return p
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("Chromium is not installed: run hack/ensure-chromium.sh (make test does) or set NEXTSTEP_CHROMIUM to its path")
	}
	return p
}

// browser is one person's browser on the console: its own profile, so
// its own cookies.
type browser struct {
	t   *testing.T
	ctx context.Context
	s   *stack
}

func newBrowser(t *testing.T, s *stack) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		// Tests run as root in CI containers, where Chromium's sandbox
		// cannot start.
		chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	b := &browser{t: t, ctx: ctx, s: s}
	// Every error the console's pages log in the browser fails the test: a
	// script the Content-Security-Policy blocked, an asset that did not
	// load, an exception in GOV.UK Frontend's JavaScript.
	chromedp.ListenTarget(ctx, func(ev any) {
		switch e := ev.(type) {
		case *cdplog.EventEntryAdded:
			// A page's own status (404, 409...) is the tests' to check;
			// an asset that fails to load is an error.
			page := e.Entry.Source == cdplog.SourceNetwork && !strings.Contains(e.Entry.URL, web.AssetsPath)
			if e.Entry.Level == cdplog.LevelError && strings.HasPrefix(e.Entry.URL, s.ConsoleURL) && !page {
				t.Errorf("browser: %s: %s", e.Entry.URL, e.Entry.Text)
			}
		case *runtime.EventExceptionThrown:
			t.Errorf("browser: exception: %s", e.ExceptionDetails.Error())
		}
	})
	// The first run starts the browser, on ctx itself: a run on a derived
	// context would close the browser when that context ends.
	if err := chromedp.Run(ctx, cdplog.Enable()); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return b
}

// run runs actions, failing the test on an error; each run has a minute.
func (b *browser) run(actions ...chromedp.Action) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v (at %s)", err, b.location())
	}
}

// open navigates to the console's path and returns the HTTP status.
func (b *browser) open(path string) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.Navigate(b.s.ConsoleURL+path))
	if err != nil {
		b.t.Fatalf("browser: open %s: %v", path, err)
	}
	return statusOf(res)
}

func statusOf(res *network.Response) int64 {
	if res == nil {
		return 0
	}
	return res.Status
}

// submit clicks sel (a submit button or a link) and waits for the page
// it leads to, returning its HTTP status.
func (b *browser) submit(sel string) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(sel, chromedp.ByQuery))
	if err != nil {
		b.t.Fatalf("browser: click %s: %v (at %s)", sel, err, b.location())
	}
	return statusOf(res)
}

// press presses key and waits for the page it leads to, as submit does.
func (b *browser) press(key string) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(key))
	if err != nil {
		b.t.Fatalf("browser: press key: %v (at %s)", err, b.location())
	}
	return statusOf(res)
}

func (b *browser) location() string {
	var loc string
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	_ = chromedp.Run(ctx, chromedp.Location(&loc))
	return loc
}

// path is the current page's path and query.
func (b *browser) path() string {
	return strings.TrimPrefix(b.location(), b.s.ConsoleURL)
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	var s string
	b.run(chromedp.Text(sel, &s, chromedp.ByQuery, chromedp.NodeVisible))
	return strings.TrimSpace(s)
}

func (b *browser) value(sel string) string {
	b.t.Helper()
	var s string
	b.run(chromedp.Value(sel, &s, chromedp.ByQuery))
	return s
}

func (b *browser) count(sel string) int {
	b.t.Helper()
	var n int
	b.run(chromedp.Evaluate(fmt.Sprintf(`document.querySelectorAll(%q).length`, sel), &n))
	return n
}

func (b *browser) title() string {
	b.t.Helper()
	var s string
	b.run(chromedp.Title(&s))
	return s
}

// signIn signs the person in at the development provider's login page,
// starting from the console, and returns the status of the page the
// console then shows.
func (b *browser) signIn(subject string) int64 {
	b.t.Helper()
	b.open("/sign-in")
	b.run(
		chromedp.WaitVisible("#username", chromedp.ByID),
		chromedp.SendKeys("#username", subject, chromedp.ByID),
		chromedp.SendKeys("#password", servicetest.Password, chromedp.ByID),
	)
	status := b.submit(`button[type="submit"]`)
	if !strings.HasPrefix(b.location(), b.s.ConsoleURL) {
		b.t.Fatalf("sign-in as %s ended at %s", subject, b.location())
	}
	return status
}

// axeViolation is one rule a page breaks, where.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// checkAccessible runs axe-core in the page as it is now and fails the
// test on any WCAG 2.2 AA violation. state names the page and its state
// for the message (and for the screenshot, when NEXTSTEP_SCREENSHOTS=1).
func (b *browser) checkAccessible(state string) {
	b.t.Helper()
	var result struct {
		Violations []axeViolation `json:"violations"`
		Passes     int            `json:"passes"`
	}
	b.run(
		chromedp.Evaluate(axeSource, nil),
		chromedp.Evaluate(`axe.run(document, {runOnly: {type: 'tag', values: `+wcag22AA+`}})
			.then(r => ({passes: r.passes.length, violations: r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))}))`,
			&result, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
	)
	var enhanced bool
	b.run(chromedp.Evaluate(`document.body.classList.contains('govuk-frontend-supported')`, &enhanced))
	if !enhanced {
		b.t.Errorf("%s: GOV.UK Frontend's JavaScript did not start", state)
	}
	// A run that checked nothing would pass anything.
	if result.Passes == 0 {
		b.t.Errorf("axe: %s: no rule passed: axe did not check the page", state)
	}
	for _, v := range result.Violations {
		b.t.Errorf("axe: %s: %s (%s): %s at %v", state, v.ID, v.Impact, v.Help, v.Nodes)
	}
	b.screenshot(state)
}

// screenshotDir is where NEXTSTEP_SCREENSHOTS=1 writes the main pages, for
// the README.
var screenshotDir = filepath.Join("..", "..", "..", "docs", "screenshots")

// screenshots are the states whose pictures the README shows.
var screenshots = map[string]string{
	"queue, filtered":                    "console-queue.png",
	"task":                               "console-task.png",
	"check your answers, resolve":        "console-check-answers.png",
	"resolve form with errors":           "console-error-summary.png",
	"task after someone else changed it": "console-stale-version.png",
	"young person":                       "console-young-person.png",
	"overview of a school":               "console-overview.png",
	"exports":                            "console-exports.png",
	"audit log, second page":             "console-audit.png",
	"import report":                      "console-import-report.png",
}

func (b *browser) screenshot(state string) {
	name, ok := screenshots[state]
	if !ok || os.Getenv("NEXTSTEP_SCREENSHOTS") != "1" {
		return
	}
	var png []byte
	b.run(chromedp.FullScreenshot(&png, 100))
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir, name), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// tabTo presses Tab until the element with id has the focus, as a
// keyboard user moves through the page, and fails after limit presses.
func (b *browser) tabTo(id string, limit int) {
	b.t.Helper()
	for range limit {
		var focused string
		b.run(chromedp.Evaluate(`document.activeElement ? document.activeElement.id : ''`, &focused))
		if focused == id {
			return
		}
		b.run(chromedp.KeyEvent(kb.Tab))
	}
	b.t.Fatalf("keyboard: #%s never took the focus after %d presses of Tab (at %s)", id, limit, b.location())
}

// cookies are the browser's cookies for the console.
func (b *browser) cookies() []*network.Cookie {
	b.t.Helper()
	var cookies []*network.Cookie
	b.run(chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		cookies, err = network.GetCookies().WithURLs([]string{b.s.ConsoleURL}).Do(ctx)
		return err
	}))
	return cookies
}

// post sends form to the console's path with the browser's cookies, as a
// client that sends no Origin or Sec-Fetch-Site would, and returns the
// status without following a redirect.
func (b *browser) post(path string, form url.Values) int {
	b.t.Helper()
	res, _ := b.fetch(http.MethodPost, path, form)
	return res.StatusCode
}

// fetch sends a request to the console's path with the browser's cookies
// (a form for a POST), without following a redirect, and returns the
// answer and its body.
func (b *browser) fetch(method, path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.s.ConsoleURL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, c := range b.cookies() {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return res, string(body)
}
