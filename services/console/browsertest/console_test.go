package browsertest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

// The subjects people sign in as (servicetest's principals).
var (
	caseworker    = servicetest.Principals[servicetest.Caseworker].Subject
	careersLeader = servicetest.Principals[servicetest.CareersLeader].Subject
	analyst       = servicetest.Principals[servicetest.Analyst].Subject
	hubAdmin      = servicetest.Principals[servicetest.HubAdmin].Subject
)

func behind(credited, expected string) seed {
	return seed{"BEHIND_TRAJECTORY", trackingv1.Priority_PRIORITY_HIGH, "1.5 of 4 expected days",
		map[string]string{"credited_half_days": credited, "expected_half_days": expected, "experiences": "1"}}
}

// TestCaseworkerWorksATask is the caseworker's day: sign in, filter the
// queue, open a task, log an action, resolve it through check your
// answers, and see it leave the queue. Every page and state is checked
// with axe-core.
func TestCaseworkerWorksATask(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	tasks := s.seedTasks(t, schoolA, []seed{
		behind("3", "8"),
		{"DESTINATION_UNKNOWN", trackingv1.Priority_PRIORITY_URGENT, "destination not known; due by 2026-09-30", map[string]string{"deadline": "2026-09-30"}},
		{"AT_RISK_OF_NEET", trackingv1.Priority_PRIORITY_NORMAL, "risk score 40 (threshold 30): attendance", map[string]string{
			"score": "40", "threshold": "30", "factor_attendance": "20: attendance 82% on 2026-01-10",
		}},
	})
	s.seedTask(t, schoolB, "BEHIND_TRAJECTORY", trackingv1.Priority_PRIORITY_LOW, "2 of 4 expected days", nil)
	b := newBrowser(t, s)

	b.open("/")
	b.checkAccessible("start page")
	if status := b.signIn(caseworker); status != http.StatusOK || b.path() != "/queue" {
		t.Fatalf("after sign-in: %d at %s", status, b.path())
	}
	if n := b.count("#tasks tbody tr"); n != 4 {
		t.Fatalf("queue rows = %d, want the 4 tasks of LA 336", n)
	}
	// Most urgent first.
	if first := b.text("#tasks tbody tr:first-child td:nth-child(2) a"); !strings.Contains(first, "destination not known") {
		t.Errorf("first task = %q, want the urgent one", first)
	}
	if got := b.text("#count-open"); got != "4" {
		t.Errorf("active count = %q", got)
	}
	b.checkAccessible("queue")

	// My tasks: none yet, the empty state.
	b.open("/queue?view=mine")
	if got := b.text("#no-tasks"); !strings.Contains(got, "no tasks") {
		t.Errorf("my empty queue says %q", got)
	}
	b.checkAccessible("queue, empty")

	// A filter the form cannot hold: the error summary names the field.
	if status := b.open("/queue?la=33"); status != http.StatusBadRequest {
		t.Errorf("bad filter: status %d", status)
	}
	if got := b.text(".govuk-error-summary a[href='#la']"); !strings.Contains(got, "local authority") {
		t.Errorf("error summary says %q", got)
	}
	if !strings.HasPrefix(b.title(), "Error: ") {
		t.Errorf("title %q does not start with Error:", b.title())
	}
	b.checkAccessible("queue with errors")

	// Filter by reason and school.
	b.open("/queue")
	b.run(
		chromedp.SetValue("#reason", "BEHIND_TRAJECTORY", chromedp.ByID),
		chromedp.SendKeys("#school", schoolA, chromedp.ByID),
	)
	b.submit("#apply-filters")
	if n := b.count("#tasks tbody tr"); n != 1 {
		t.Fatalf("filtered rows = %d, want 1", n)
	}
	if p := b.path(); !strings.Contains(p, "reason=BEHIND_TRAJECTORY") || !strings.Contains(p, "school="+schoolA) {
		t.Errorf("filtered at %s", p)
	}
	b.checkAccessible("queue, filtered")

	// Open the task: who, why, in plain words; the name is on the page but
	// not in its title or address.
	task := tasks[0]
	b.submit("#tasks tbody tr:first-child td:nth-child(2) a")
	if b.path() != "/tasks/"+task.GetId() {
		t.Fatalf("task page at %s", b.path())
	}
	young := b.text("#young-person")
	if !strings.Contains(young, "Testpupil") || !strings.Contains(young, "Year 1") && !strings.Contains(young, "Year 9") || !strings.Contains(young, "School "+schoolA) {
		t.Errorf("young person: %q", young)
	}
	if why := b.text("#why"); !strings.Contains(why, "1.5 days of work experience credited, against 4 expected by now.") {
		t.Errorf("why: %q", why)
	}
	if strings.Contains(b.title(), "Testpupil") {
		t.Errorf("the title names the young person: %q", b.title())
	}
	b.checkAccessible("task")

	// A note without text: the error summary, nothing saved.
	if status := b.submit("#add-note"); status != http.StatusBadRequest {
		t.Errorf("empty note: status %d", status)
	}
	b.checkAccessible("task with errors")

	// Log an action.
	b.run(
		chromedp.SetValue("#action", "guidance_interview_held", chromedp.ByID),
		chromedp.SendKeys("#action-text", "Met with the careers adviser; two employers suggested", chromedp.ByID),
	)
	b.submit("#log-action")
	if got := b.text(".govuk-notification-banner--success"); !strings.Contains(got, "Action logged: Guidance interview held") {
		t.Errorf("after logging: %q", got)
	}
	if got := b.text("#history"); !strings.Contains(got, "Guidance interview held") || !strings.Contains(got, "two employers suggested") {
		t.Errorf("history: %q", got)
	}

	// Resolve, through check your answers.
	b.submit("#resolve")
	b.checkAccessible("resolve form")
	if status := b.submit("#continue"); status != http.StatusBadRequest {
		t.Errorf("empty outcome: status %d", status)
	}
	if got := b.text(".govuk-error-summary"); !strings.Contains(got, "Enter what came of it") {
		t.Errorf("error summary: %q", got)
	}
	b.checkAccessible("resolve form with errors")
	b.run(chromedp.SendKeys("#text", "Placement arranged at a local garage for two days", chromedp.ByID))
	b.submit("#continue")
	if got := b.text("#check-text"); got != "Placement arranged at a local garage for two days" {
		t.Errorf("check your answers shows %q", got)
	}
	b.checkAccessible("check your answers, resolve")
	b.submit("#confirm")
	if b.path() != "/queue" {
		t.Fatalf("after resolving at %s", b.path())
	}
	if got := b.text(".govuk-notification-banner--success"); !strings.Contains(got, "Task resolved") {
		t.Errorf("after resolving: %q", got)
	}
	if n := b.count(fmt.Sprintf("a[href='/tasks/%s']", task.GetId())); n != 0 {
		t.Errorf("the resolved task is still in the queue")
	}
	if n := b.count("#tasks tbody tr"); n != 3 {
		t.Errorf("queue rows after resolving = %d, want 3", n)
	}
	got := s.task(t, task.GetId())
	if got.GetStatus() != trackingv1.TaskStatus_TASK_STATUS_RESOLVED || got.GetOutcome() != "Placement arranged at a local garage for two days" {
		t.Errorf("task after resolving: %v %q", got.GetStatus(), got.GetOutcome())
	}

	// Bulk: assign the rest to me.
	b.run(chromedp.Evaluate(`document.querySelectorAll("input[name=task]").forEach(c => c.checked = true)`, nil))
	b.submit("#assign-to-me")
	if got := b.text(".govuk-notification-banner--success"); !strings.Contains(got, "3 tasks assigned to you") {
		t.Errorf("bulk assign: %q", got)
	}
	b.open("/queue?view=mine")
	if n := b.count("#tasks tbody tr"); n != 3 {
		t.Errorf("my tasks = %d, want 3", n)
	}

	// Dismiss one, with a snooze date.
	b.submit("#tasks tbody tr:first-child td:nth-child(2) a")
	b.submit("#dismiss")
	b.run(chromedp.SendKeys("#text", "Moved abroad with family", chromedp.ByID))
	if status := b.submit("#continue"); status != http.StatusBadRequest {
		t.Errorf("dismiss without a date: %d", status)
	}
	b.checkAccessible("dismiss form with errors")
	b.run(
		chromedp.SendKeys("#snooze-day", "1", chromedp.ByID),
		chromedp.SendKeys("#snooze-month", "1", chromedp.ByID),
		chromedp.SendKeys("#snooze-year", fmt.Sprint(time.Now().Year()+1), chromedp.ByID),
	)
	b.submit("#continue")
	b.checkAccessible("check your answers, dismiss")
	b.submit("#confirm")
	if got := b.text(".govuk-notification-banner--success"); !strings.Contains(got, "Task dismissed until 1 January") {
		t.Errorf("after dismissing: %q", got)
	}

	// Sign out: the session ends, and the queue asks to sign in again.
	b.submit("form[action='/sign-out'] button")
	if b.path() != "/signed-out" {
		t.Errorf("after sign-out at %s", b.path())
	}
	b.checkAccessible("signed out")
	b.open("/queue")
	if strings.HasPrefix(b.location(), s.ConsoleURL) {
		t.Errorf("after sign-out the queue is at %s, not the sign-in page", b.location())
	}
}

// TestStaleVersionShowsTheTaskAsItIs: a change made against a version
// someone else has since changed is not saved; the page says so and shows
// the task as it is now.
func TestStaleVersionShowsTheTaskAsItIs(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	task := s.seedTask(t, schoolA, "BEHIND_TRAJECTORY", trackingv1.Priority_PRIORITY_HIGH, "1 of 4 expected days", nil)
	b := newBrowser(t, s)
	b.signIn(caseworker)
	b.open("/tasks/" + task.GetId())
	// Meanwhile the hub admin takes it.
	if _, err := s.tracking(servicetest.HubAdmin).UpdateTask(context.Background(), &trackingv1.UpdateTaskRequest{
		TaskId: task.GetId(), Version: task.GetVersion(),
		Change: &trackingv1.UpdateTaskRequest_Assign_{Assign: &trackingv1.UpdateTaskRequest_Assign{Assignee: hubAdmin}},
	}); err != nil {
		t.Fatal(err)
	}
	if status := b.submit("#assign-me"); status != http.StatusConflict {
		t.Errorf("stale assign: status %d", status)
	}
	if got := b.text("#stale"); !strings.Contains(got, "Someone else changed this task") {
		t.Errorf("stale message: %q", got)
	}
	if got := b.text("#task-assignee"); got != hubAdmin {
		t.Errorf("the page shows assignee %q, want the current %q", got, hubAdmin)
	}
	b.checkAccessible("task after someone else changed it")
	if got := s.task(t, task.GetId()).GetAssignee(); got != hubAdmin {
		t.Errorf("assignee = %q: the stale change was saved", got)
	}

	// Now current, the caseworker gives it to a colleague; a name that
	// cannot be one is refused on the form.
	b.run(chromedp.SendKeys("#colleague", "not a name", chromedp.ByID))
	if status := b.submit("#assign-colleague"); status != http.StatusBadRequest {
		t.Errorf("a bad colleague name: status %d", status)
	}
	b.checkAccessible("task, colleague with errors")
	// The refused name comes back in the field, to be corrected.
	if got := b.value("#colleague"); got != "not a name" {
		t.Errorf("the colleague field holds %q after the error", got)
	}
	b.run(chromedp.Evaluate(`document.getElementById('colleague').value = ''`, nil), chromedp.SendKeys("#colleague", "other-caseworker", chromedp.ByID))
	b.submit("#assign-colleague")
	if got := b.text("#task-assignee"); got != "other-caseworker" {
		t.Errorf("assigned to %q after assigning to a colleague", got)
	}
}

// TestCareersLeaderCannotReachAnotherSchool: a task of another school is
// the same not-found page as a task that does not exist, and a careers
// leader (who may read but not change tasks) gets no actions.
func TestCareersLeaderCannotReachAnotherSchool(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	own := s.seedTask(t, schoolA, "BEHIND_TRAJECTORY", trackingv1.Priority_PRIORITY_HIGH, "1 of 4 expected days", nil)
	other := s.seedTask(t, schoolB, "BEHIND_TRAJECTORY", trackingv1.Priority_PRIORITY_HIGH, "1 of 4 expected days", nil)
	b := newBrowser(t, s)
	b.signIn(careersLeader)
	if n := b.count("#tasks tbody tr"); n != 1 {
		t.Errorf("the careers leader's queue has %d rows, want their school's 1", n)
	}
	if n := b.count("input[name=task]"); n != 0 {
		t.Errorf("the careers leader may select %d tasks to assign", n)
	}
	if status := b.open("/tasks/" + own.GetId()); status != http.StatusOK {
		t.Errorf("own school's task: %d", status)
	}
	if n := b.count("#resolve, #assign-me, #log-action"); n != 0 {
		t.Errorf("the careers leader is offered %d actions", n)
	}
	var pages []string
	for _, id := range []string{other.GetId(), "00000000-0000-4000-8000-000000000000", "not-an-id"} {
		if status := b.open("/tasks/" + id); status != http.StatusNotFound {
			t.Errorf("task %s: status %d, want 404", id, status)
		}
		pages = append(pages, b.text("main"))
	}
	// The young people: their own school's, and another school's, which is
	// the same not-found page as one that does not exist.
	if status := b.open("/pupils/" + own.GetPupilId()); status != http.StatusOK {
		t.Errorf("own school's young person: %d", status)
	}
	for _, id := range []string{other.GetPupilId(), "00000000-0000-4000-8000-000000000000", "not-an-id"} {
		if status := b.open("/pupils/" + id); status != http.StatusNotFound {
			t.Errorf("young person %s: status %d, want 404", id, status)
		}
		pages = append(pages, b.text("main"))
	}
	for i := 1; i < len(pages); i++ {
		if pages[i] != pages[0] {
			t.Errorf("the not-found pages differ:\n%q\n%q", pages[0], pages[i])
		}
	}
	b.checkAccessible("not found")
	// The overview of another school is refused on the form, not shown as
	// zeros.
	if status := b.open("/overview?school=" + schoolB); status != http.StatusBadRequest {
		t.Errorf("another school's overview: %d", status)
	}
	if got := b.text(".govuk-error-summary a[href='#school']"); !strings.Contains(got, schoolA) {
		t.Errorf("error summary: %q", got)
	}
	// A careers leader may not change a task even by posting the form.
	if status := b.open("/tasks/" + own.GetId() + "/resolve"); status != http.StatusNotFound {
		t.Errorf("resolve form for a careers leader: %d", status)
	}
}

// TestAnalystSeesAggregatesOnly: the analyst starts at the overview, has
// no queue in the navigation, and cannot open the queue or a task.
func TestAnalystSeesAggregatesOnly(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	task := s.seedTask(t, schoolA, "BEHIND_TRAJECTORY", trackingv1.Priority_PRIORITY_HIGH, "1 of 4 expected days", nil)
	b := newBrowser(t, s)
	b.signIn(analyst)
	if b.path() != "/overview" {
		t.Fatalf("the analyst starts at %s", b.path())
	}
	if got := b.text("#overview-open"); got != "1" {
		t.Errorf("overview open = %q", got)
	}
	if n := b.count("a[href='/queue']"); n != 0 {
		t.Errorf("the analyst's navigation links to the queue")
	}
	b.checkAccessible("overview")
	// Counts only: no school's cohort, which is read from the young
	// people's records.
	b.open("/overview?school=" + schoolA)
	if n := b.count("#cohort, #year"); n != 0 {
		t.Errorf("the analyst is offered a school's cohort")
	}
	// Nor in the figures' CSV, which the analyst may download.
	if res, body := b.fetch(http.MethodGet, "/overview.csv?school="+schoolA, nil); res.StatusCode != http.StatusOK ||
		!strings.HasPrefix(body, "measure,value,numerator,denominator") || strings.Contains(body, "on_roll") {
		t.Errorf("the analyst's CSV: %d %q", res.StatusCode, body)
	}
	for _, p := range []string{"/queue", "/tasks/" + task.GetId(), "/pupils/" + task.GetPupilId()} {
		if status := b.open(p); status != http.StatusNotFound {
			t.Errorf("analyst at %s: %d", p, status)
		}
	}
}

// TestForgedCrossSitePostIsRefused: a page on another origin posting the
// console's form, with the person's session cookie, is refused and
// changes nothing; so is a post without the session's form token.
func TestForgedCrossSitePostIsRefused(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	task := s.seedTask(t, schoolA, "BEHIND_TRAJECTORY", trackingv1.Priority_PRIORITY_HIGH, "1 of 4 expected days", nil)
	b := newBrowser(t, s)
	b.signIn(caseworker)

	// The attacker's page: a form that assigns the task, posted to the
	// console from another origin (another port of the same host, so the
	// session cookie, SameSite=Lax, is sent with it).
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><title>Win a prize</title><form method="post" action="%s/tasks/%s/assign">
<input type="hidden" name="version" value="%d"><input type="hidden" name="csrf_token" value="guess">
<button id="go" type="submit">Claim</button></form>`, s.ConsoleURL, task.GetId(), task.GetVersion())
	}))
	t.Cleanup(evil.Close)
	b.run(chromedp.Navigate(evil.URL))
	if status := b.submit("#go"); status != http.StatusForbidden {
		t.Errorf("cross-site post: status %d, want 403", status)
	}
	if got := b.text("h1"); got != "This request was refused" {
		t.Errorf("cross-site post answered %q", got)
	}
	if got := s.task(t, task.GetId()); got.GetAssignee() != "" || got.GetVersion() != task.GetVersion() {
		t.Errorf("the forged post changed the task: assignee %q", got.GetAssignee())
	}

	// The same post from a client that sends no Sec-Fetch-Site or Origin
	// (which CrossOriginProtection lets through), with the session cookie
	// but without the form token.
	cookies := b.cookies()
	form := url.Values{"version": {fmt.Sprint(task.GetVersion())}, "csrf_token": {"guess"}}
	req, err := http.NewRequest(http.MethodPost, s.ConsoleURL+"/tasks/"+task.GetId()+"/assign", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("post without the form token: %d, want 403", res.StatusCode)
	}
	if got := s.task(t, task.GetId()); got.GetAssignee() != "" {
		t.Errorf("the post without a form token changed the task: assignee %q", got.GetAssignee())
	}
}

// TestResolveWithTheKeyboardOnly: from the task page to the resolved task
// with Tab, typing and Enter only, starting at the skip link.
func TestResolveWithTheKeyboardOnly(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	task := s.seedTask(t, schoolA, "BEHIND_TRAJECTORY", trackingv1.Priority_PRIORITY_HIGH, "1 of 4 expected days", nil)
	b := newBrowser(t, s)
	b.signIn(caseworker)
	b.open("/tasks/" + task.GetId())

	// The first Tab reaches the skip link.
	b.run(chromedp.KeyEvent(kb.Tab))
	var focused string
	b.run(chromedp.Evaluate(`document.activeElement.textContent.trim()`, &focused))
	if focused != "Skip to main content" {
		t.Errorf("the first Tab focuses %q, not the skip link", focused)
	}
	b.tabTo("resolve", 40)
	b.press(kb.Enter)
	b.tabTo("text", 20)
	b.run(chromedp.KeyEvent("Contact made; offer of a college place secured"))
	b.tabTo("continue", 5)
	b.press(kb.Enter)
	b.tabTo("confirm", 30)
	b.press(kb.Enter)
	if b.path() != "/queue" {
		t.Fatalf("after the keyboard resolve at %s", b.path())
	}
	if got := s.task(t, task.GetId()); got.GetStatus() != trackingv1.TaskStatus_TASK_STATUS_RESOLVED || got.GetOutcome() != "Contact made; offer of a college place secured" {
		t.Errorf("task after the keyboard resolve: %v %q", got.GetStatus(), got.GetOutcome())
	}
}
