package browsertest

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
)

// TestExports: a caseworker downloads the NCCIS destinations CSV and a
// school's at-risk list, each streamed through with its file name and
// no-store; a URN that is not one is an error on the form; a careers
// leader may download their own school's list, not another's, and is not
// offered the destinations.
func TestExports(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	task := s.seedTask(t, schoolA, "AT_RISK_OF_NEET", trackingv1.Priority_PRIORITY_HIGH, "risk score 3", nil)
	s.recordDestination(t, task.GetPupilId(), "230", time.Now().Format(time.DateOnly), "")
	b := newBrowser(t, s)
	b.signIn(caseworker)

	b.open("/exports")
	b.checkAccessible("exports")
	if n := b.count("#download-destinations, #download-measures, #download-risk-list"); n != 3 {
		t.Errorf("the caseworker is offered %d downloads, want 3", n)
	}
	res, body := b.fetch(http.MethodGet, "/exports/destinations.csv?la=336", nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), `attachment; filename="nccis-destinations-`) || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("destinations CSV: %d %v", res.StatusCode, res.Header)
	}
	if lines := strings.Split(strings.TrimSpace(body), "\n"); len(lines) != 2 || !strings.Contains(lines[1], task.GetPupilId()) {
		t.Errorf("destinations CSV: %q", body)
	}
	res, body = b.fetch(http.MethodGet, "/exports/measures.csv?measures-la=336", nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Disposition"), `attachment; filename="dfe-measures-`) ||
		!strings.HasPrefix(body, "la_code,academic_year,as_at,cohort,") {
		t.Errorf("measures CSV: %d %v %q", res.StatusCode, res.Header, body)
	}
	if res, _ := b.fetch(http.MethodGet, "/exports/measures.csv?year=2025", nil); res.StatusCode != http.StatusBadRequest {
		t.Errorf("measures for a year written wrongly: %d", res.StatusCode)
	}
	res, body = b.fetch(http.MethodGet, "/exports/risk-list.csv?risk-school="+schoolA, nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), "at-risk-list-"+schoolA) || body == "" {
		t.Errorf("risk list: %d %v %q", res.StatusCode, res.Header, body)
	}

	// A URN that is not one: the form again, with the error summary.
	b.run(chromedp.SendKeys("#risk-school", "12345", chromedp.ByID))
	if status := b.submit("#download-risk-list"); status != http.StatusBadRequest {
		t.Errorf("a bad URN: %d", status)
	}
	if got := b.text(".govuk-error-summary a[href='#risk-school']"); !strings.Contains(got, "6 digits") {
		t.Errorf("error summary: %q", got)
	}
	b.checkAccessible("exports with errors")

	// A careers leader: their own school's list, not another's, and no
	// destinations export.
	cl := newBrowser(t, s)
	cl.signIn(careersLeader)
	cl.open("/exports")
	if n := cl.count("#download-destinations"); n != 0 {
		t.Error("the careers leader is offered the destinations export")
	}
	if got := cl.value("#risk-school"); got != schoolA {
		t.Errorf("the careers leader's school is %q in the form", got)
	}
	if res, _ := cl.fetch(http.MethodGet, "/exports/risk-list.csv?risk-school="+schoolA, nil); res.StatusCode != http.StatusOK {
		t.Errorf("own school's risk list: %d", res.StatusCode)
	}
	if res, body := cl.fetch(http.MethodGet, "/exports/risk-list.csv?risk-school="+schoolB, nil); res.StatusCode != http.StatusBadRequest || strings.Contains(body, "Testpupil") {
		t.Errorf("another school's risk list: %d", res.StatusCode)
	}
	if res, _ := cl.fetch(http.MethodGet, "/exports/destinations.csv", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("destinations export for a careers leader: %d", res.StatusCode)
	}
	if res, _ := cl.fetch(http.MethodGet, "/exports/measures.csv", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("measures export for a careers leader: %d", res.StatusCode)
	}
}
