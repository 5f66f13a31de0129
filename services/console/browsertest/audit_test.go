package browsertest

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

// TestAuditLog: a hub admin reads the audit log, filtered to a person and
// a record, page by page; a date that is not one is an error on the form;
// a caseworker gets the not-found page.
func TestAuditLog(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	task := s.seedTask(t, schoolA, "BEHIND_TRAJECTORY", trackingv1.Priority_PRIORITY_HIGH, "1 of 4 expected days", nil)
	// More reads of the task than a page holds.
	for range 55 {
		if _, err := s.tracking(servicetest.HubAdmin).GetTask(context.Background(), &trackingv1.GetTaskRequest{TaskId: task.GetId()}); err != nil {
			t.Fatal(err)
		}
	}
	b := newBrowser(t, s)
	b.signIn(hubAdmin)
	b.open("/audit")
	if n := b.count("#audit tbody tr"); n != 50 {
		t.Errorf("the first page has %d entries, want 50", n)
	}
	b.checkAccessible("audit log")

	b.run(
		chromedp.SendKeys("#subject", hubAdmin, chromedp.ByID),
		chromedp.SendKeys("#target", "task:"+task.GetId(), chromedp.ByID),
	)
	b.submit("#apply-filters")
	if got := b.text("#audit tbody tr:first-child"); !strings.Contains(got, hubAdmin) || !strings.Contains(got, "GetTask") {
		t.Errorf("first entry: %q", got)
	}
	if n := b.count("#audit tbody a[href='/tasks/" + task.GetId() + "']"); n != 50 {
		t.Errorf("%d entries link to the task, want 50", n)
	}
	b.submit("a[rel=next]")
	if n := b.count("#audit tbody tr"); n != 5 {
		t.Errorf("the second page has %d entries, want 5", n)
	}
	if n := b.count("a[rel=prev]"); n != 1 {
		t.Error("no link back to the first page")
	}
	b.checkAccessible("audit log, second page")

	if status := b.open("/audit?since-day=31&since-month=2&since-year=2026"); status != http.StatusBadRequest {
		t.Errorf("a date that is not one: %d", status)
	}
	if got := b.text(".govuk-error-summary a[href='#since-day']"); !strings.Contains(got, "real date") {
		t.Errorf("error summary: %q", got)
	}
	b.checkAccessible("audit log with errors")

	cw := newBrowser(t, s)
	cw.signIn(caseworker)
	if n := cw.count("a[href='/audit']"); n != 0 {
		t.Error("the caseworker's navigation links to the audit log")
	}
	if status := cw.open("/audit"); status != http.StatusNotFound {
		t.Errorf("the audit log for a caseworker: %d", status)
	}
}
