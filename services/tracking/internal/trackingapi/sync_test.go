package trackingapi_test

import (
	"context"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1/trackingv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

// counts is the part of a sync's response that says what it did.
type counts struct{ Created, Updated, Closed, Unchanged, Suppressed int32 }

func countsOf(r *trackingv1.SyncInterventionsResponse) counts {
	return counts{r.GetCreated(), r.GetUpdated(), r.GetClosed(), r.GetUnchanged(), r.GetSuppressed()}
}

func TestSyncIsIdempotent(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := heathPark()
	a, b := newID(t), newID(t)
	set := func() []*trackingv1.DesiredIntervention {
		return []*trackingv1.DesiredIntervention{
			desired(a, "BEHIND_TRAJECTORY", "2026-12-01"),
			withPriority(desired(b, "DESTINATION_UNKNOWN", "2020-01-01"), trackingv1.Priority_PRIORITY_URGENT),
		}
	}
	first := c.sync(t, e, set()...)
	if diff := cmp.Diff(counts{Created: 2}, countsOf(first)); diff != "" {
		t.Errorf("first sync (-want +got):\n%s", diff)
	}
	wantOpen := []*trackingv1.OpenCount{
		{ReasonCode: "BEHIND_TRAJECTORY", Priority: trackingv1.Priority_PRIORITY_NORMAL, Open: 1},
		{ReasonCode: "DESTINATION_UNKNOWN", Priority: trackingv1.Priority_PRIORITY_URGENT, Open: 1, Overdue: 1},
	}
	if diff := cmp.Diff(wantOpen, first.GetOpen(), protocmp.Transform()); diff != "" {
		t.Errorf("open after the first sync (-want +got):\n%s", diff)
	}
	before := onlyTask(t, e, c, a)

	// The same desired set again, as a new pass and as a retry of the same
	// pass: nothing changes.
	second := c.sync(t, e, set()...)
	retry, err := e.client(servicetest.Service).SyncInterventions(context.Background(),
		&trackingv1.SyncInterventionsRequest{CohortKey: c.key, SchoolUrn: c.urn, LaCode: c.la, PassToken: c.pass, Desired: set()})
	if err != nil {
		t.Fatalf("retry of the same pass: %v", err)
	}
	for name, r := range map[string]*trackingv1.SyncInterventionsResponse{"second": second, "retry": retry} {
		if diff := cmp.Diff(counts{Unchanged: 2}, countsOf(r)); diff != "" {
			t.Errorf("%s sync (-want +got):\n%s", name, diff)
		}
		if diff := cmp.Diff(wantOpen, r.GetOpen(), protocmp.Transform()); diff != "" {
			t.Errorf("open after the %s sync (-want +got):\n%s", name, diff)
		}
	}
	if diff := cmp.Diff(before, onlyTask(t, e, c, a), protocmp.Transform()); diff != "" {
		t.Errorf("task changed by a sync that changed nothing (-before +after):\n%s", diff)
	}
}

func TestSyncPartialOverlap(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := heathPark()
	a, b, d := newID(t), newID(t), newID(t)
	c.sync(t, e, desired(a, "BEHIND_TRAJECTORY", "2026-12-01"), desired(b, "BEHIND_TRAJECTORY", "2026-12-01"), desired(d, "BEHIND_TRAJECTORY", "2026-12-01"))
	aTask := onlyTask(t, e, c, a)

	// a is gone (caught up), b is unchanged, d's due date moved nearer (a
	// later one would be ignored), and a new reason appears for a.
	res := c.sync(t, e,
		desired(b, "BEHIND_TRAJECTORY", "2026-12-01"),
		desired(d, "BEHIND_TRAJECTORY", "2026-11-15"),
		desired(a, "DESTINATION_UNKNOWN", "2026-12-01"))
	if diff := cmp.Diff(counts{Created: 1, Updated: 1, Closed: 1, Unchanged: 1}, countsOf(res)); diff != "" {
		t.Errorf("sync (-want +got):\n%s", diff)
	}
	got, err := e.client(servicetest.HubAdmin).GetTask(context.Background(), &trackingv1.GetTaskRequest{TaskId: aTask.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetTask().GetStatus() != trackingv1.TaskStatus_TASK_STATUS_CLOSED {
		t.Errorf("a's old task is %v, want closed", got.GetTask().GetStatus())
	}
	last := got.GetHistory()[len(got.GetHistory())-1]
	if last.GetKind() != "closed" || last.GetText() != "condition cleared" || last.GetActor() != "operator" {
		t.Errorf("last history entry = %v, want closed: condition cleared by the operator", last)
	}
	if dTask := onlyTask(t, e, c, d); dTask.GetDueDate() != "2026-11-15" || dTask.GetVersion() != 2 {
		t.Errorf("d's task due %s version %d, want 2026-11-15 version 2", dTask.GetDueDate(), dTask.GetVersion())
	}
	// Both syncs changed a's tasks, so both are in the audit log of a; none
	// changed b's after the first.
	for pupil, want := range map[string]int{a: 2, b: 1} {
		events, err := e.client(servicetest.HubAdmin).ListAuditEvents(context.Background(), &trackingv1.ListAuditEventsRequest{Target: "pupil:" + pupil})
		if err != nil {
			t.Fatal(err)
		}
		syncs := 0
		for _, ev := range events.GetEvents() {
			if ev.GetProcedure() == trackingv1connect.TrackingServiceSyncInterventionsProcedure && ev.GetSubject() == "operator" {
				syncs++
			}
		}
		if syncs != want {
			t.Errorf("%d audited syncs touch the pupil, want %d", syncs, want)
		}
	}
}

func TestSyncRespectsSnooze(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := heathPark()
	a := newID(t)
	c.sync(t, e, desired(a, "BEHIND_TRAJECTORY", "2026-12-01"))
	task := onlyTask(t, e, c, a)
	if _, err := e.client(servicetest.Caseworker).UpdateTask(context.Background(), &trackingv1.UpdateTaskRequest{
		TaskId: task.GetId(), Version: task.GetVersion(),
		Change: &trackingv1.UpdateTaskRequest_Dismiss_{Dismiss: &trackingv1.UpdateTaskRequest_Dismiss{Reason: "on a family holiday abroad", SnoozeUntil: "2028-01-01"}},
	}); err != nil {
		t.Fatalf("dismiss: %v", err)
	}
	// The condition persists: the reconciler keeps asking, but the task is
	// not raised again while the snooze runs.
	res := c.sync(t, e, desired(a, "BEHIND_TRAJECTORY", "2026-12-01"))
	if diff := cmp.Diff(counts{Suppressed: 1}, countsOf(res)); diff != "" {
		t.Errorf("sync (-want +got):\n%s", diff)
	}
	if len(res.GetOpen()) != 0 {
		t.Errorf("open = %v, want none", res.GetOpen())
	}
	// Another reason for the same pupil is not snoozed.
	res = c.sync(t, e, desired(a, "BEHIND_TRAJECTORY", "2026-12-01"), desired(a, "DESTINATION_UNKNOWN", "2026-12-01"))
	if diff := cmp.Diff(counts{Created: 1, Suppressed: 1}, countsOf(res)); diff != "" {
		t.Errorf("sync with another reason (-want +got):\n%s", diff)
	}
}

func TestSyncSnoozeEnds(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := heathPark()
	a := newID(t)
	c.sync(t, e, desired(a, "BEHIND_TRAJECTORY", "2026-12-01"))
	task := onlyTask(t, e, c, a)
	// A snooze that has ended, written directly: the service refuses to set
	// one in the past.
	if _, err := e.pool.Exec(context.Background(),
		`UPDATE tracking.tasks SET status = 'dismissed', snooze_until = $2::date - 1 WHERE id = $1`, task.GetId(), today); err != nil {
		t.Fatal(err)
	}
	res := c.sync(t, e, desired(a, "BEHIND_TRAJECTORY", "2026-12-01"))
	if diff := cmp.Diff(counts{Created: 1}, countsOf(res)); diff != "" {
		t.Errorf("sync after the snooze (-want +got):\n%s", diff)
	}
}

func TestSyncMassClosure(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := heathPark()
	pupils := []string{newID(t), newID(t), newID(t), newID(t)}
	all := func() []*trackingv1.DesiredIntervention {
		var ds []*trackingv1.DesiredIntervention
		for _, p := range pupils {
			ds = append(ds, desired(p, "BEHIND_TRAJECTORY", "2026-12-01"))
		}
		return ds
	}
	c.sync(t, e, all()...)
	ctx := context.Background()

	// A bad import: nobody is behind any more. Three of four would close.
	bad := c.request(all()[:1]...)
	_, err := e.client(servicetest.Service).SyncInterventions(ctx, bad)
	checkCode(t, err, connect.CodeFailedPrecondition, refusalv1.Reason_REASON_MASS_CLOSURE_HELD)
	if n := len(activeTasks(t, e, c)); n != 4 {
		t.Fatalf("%d active tasks after a held sync, want 4 (nothing changed)", n)
	}

	// The operator may allow a larger share.
	bad.MaxCloseFraction = 0.75
	bad.PassToken = c.nextPass()
	res, err := e.client(servicetest.Service).SyncInterventions(ctx, bad)
	checkCode(t, err, ok, 0)
	if res.GetClosed() != 3 {
		t.Errorf("closed %d, want 3", res.GetClosed())
	}

	// Closing the last one is 100%: held, unless the floor lets it through
	// or an admin forces it.
	last := c.request()
	_, err = e.client(servicetest.Service).SyncInterventions(ctx, last)
	checkCode(t, err, connect.CodeFailedPrecondition, refusalv1.Reason_REASON_MASS_CLOSURE_HELD)
	_, err = e.client(servicetest.HubAdmin).SyncInterventions(ctx, last)
	checkCode(t, err, connect.CodePermissionDenied, refusalv1.Reason_REASON_FORCE_ONLY)
	last.Force = true
	res, err = e.client(servicetest.HubAdmin).SyncInterventions(ctx, last)
	checkCode(t, err, ok, 0)
	if res.GetClosed() != 1 || len(res.GetOpen()) != 0 {
		t.Errorf("forced sync closed %d leaving %v, want 1 and none", res.GetClosed(), res.GetOpen())
	}
}

func TestSyncHoldFloor(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := heathPark()
	c.sync(t, e, desired(newID(t), "BEHIND_TRAJECTORY", "2026-12-01"))
	req := c.request()
	req.HoldMinCloses = 5
	res, err := e.client(servicetest.Service).SyncInterventions(context.Background(), req)
	checkCode(t, err, ok, 0)
	if res.GetClosed() != 1 {
		t.Errorf("closed %d, want 1", res.GetClosed())
	}
}

func TestSyncStalePass(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := heathPark()
	a := newID(t)
	c.pass = 41
	c.sync(t, e, desired(a, "BEHIND_TRAJECTORY", "2026-12-01")) // pass 42
	ctx := context.Background()

	// An old leader wakes up with pass 41 and an empty set.
	stale := &trackingv1.SyncInterventionsRequest{CohortKey: c.key, SchoolUrn: c.urn, LaCode: c.la, PassToken: 41, Force: true}
	_, err := e.client(servicetest.Service).SyncInterventions(ctx, stale)
	checkCode(t, err, connect.CodeFailedPrecondition, refusalv1.Reason_REASON_STALE_PASS)
	if n := len(activeTasks(t, e, c)); n != 1 {
		t.Fatalf("%d active tasks after a stale pass, want 1", n)
	}
	// Another cohort's passes are its own.
	other := sandwell()
	other.sync(t, e, desired(a, "BEHIND_TRAJECTORY", "2026-12-01"))
}

// TestSyncConcurrentPasses runs two reconcilers' passes at once: the
// cohort's lock serialises them, so no task is raised twice and the older
// pass either applies first or is refused.
func TestSyncConcurrentPasses(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := heathPark()
	a := newID(t)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() {
			_, errs[i] = e.client(servicetest.Service).SyncInterventions(context.Background(), &trackingv1.SyncInterventionsRequest{
				CohortKey: c.key, SchoolUrn: c.urn, LaCode: c.la, PassToken: int64(i + 1),
				Desired: []*trackingv1.DesiredIntervention{desired(a, "BEHIND_TRAJECTORY", "2026-12-01")},
			})
		})
	}
	wg.Wait()
	if errs[1] != nil {
		t.Errorf("the newer pass failed: %v", errs[1])
	}
	if errs[0] != nil {
		checkCode(t, errs[0], connect.CodeFailedPrecondition, refusalv1.Reason_REASON_STALE_PASS)
	}
	if n := len(activeTasks(t, e, c)); n != 1 {
		t.Errorf("%d active tasks, want 1", n)
	}
}

func TestSyncRefusals(t *testing.T) {
	t.Parallel()
	e := start(t)
	a := newID(t)
	// Cohorts the reconciler has synced, one in the hub admin's scope and
	// one outside it.
	heath, far := heathPark(), elsewhere()
	heath.sync(t, e)
	far.sync(t, e)
	forced := func(c cohort, pass int64, desired ...*trackingv1.DesiredIntervention) *trackingv1.SyncInterventionsRequest {
		return &trackingv1.SyncInterventionsRequest{CohortKey: c.key, SchoolUrn: c.urn, LaCode: c.la, PassToken: pass, Force: true, Desired: desired}
	}
	relabelled := *heath
	relabelled.urn = "100002"
	wrongLA := cohort{key: "wolverhampton/new-y10", urn: "100001", la: "330"}
	unknownSchool := cohort{key: "wolverhampton/nowhere-y10", urn: "999999", la: "336"}
	cases := map[string]struct {
		token      string
		req        *trackingv1.SyncInterventionsRequest
		wantCode   connect.Code
		wantReason refusalv1.Reason
	}{
		"caseworker may not": {token: servicetest.Caseworker, req: heathPark().request(), wantCode: connect.CodePermissionDenied},
		"analyst may not":    {token: servicetest.Analyst, req: heathPark().request(), wantCode: connect.CodePermissionDenied},
		"admin only forces":  {token: servicetest.HubAdmin, req: heathPark().request(), wantCode: connect.CodePermissionDenied, wantReason: refusalv1.Reason_REASON_FORCE_ONLY},
		// Whose cohort it is comes from tracking's record of it, not the
		// request's labels; one outside the admin's scope is not found.
		"admin outside scope": {token: servicetest.HubAdmin, req: forced(*far, 2), wantCode: connect.CodeNotFound},
		"admin relabels a cohort outside scope": {token: servicetest.HubAdmin,
			req: &trackingv1.SyncInterventionsRequest{CohortKey: far.key, SchoolUrn: "100001", LaCode: "336", PassToken: 2, Force: true}, wantCode: connect.CodeNotFound},
		"admin, a cohort never synced":  {token: servicetest.HubAdmin, req: forced(cohort{key: "wolverhampton/unsynced-y9", urn: "100001", la: "336"}, 1), wantCode: connect.CodeNotFound},
		"admin, a pass token far ahead": {token: servicetest.HubAdmin, req: forced(*heath, 1<<62), wantCode: connect.CodeFailedPrecondition, wantReason: refusalv1.Reason_REASON_PASS_TOKEN_AHEAD},
		"admin, a pupil outside scope": {token: servicetest.HubAdmin, req: forced(*heath, 2, desired(e.pupilAt(t, "100009"), "BEHIND_TRAJECTORY", "2026-12-01")),
			wantCode: connect.CodeNotFound},
		"admin, a pupil nobody registered": {token: servicetest.HubAdmin, req: forced(*heath, 2, desired(a, "BEHIND_TRAJECTORY", "2026-12-01")),
			wantCode: connect.CodeNotFound},
		"a synced cohort relabelled":   {token: servicetest.Service, req: relabelled.request(), wantCode: connect.CodeFailedPrecondition, wantReason: refusalv1.Reason_REASON_COHORT_MISMATCH},
		"a new cohort in the wrong LA": {token: servicetest.Service, req: wrongLA.request(), wantCode: connect.CodeInvalidArgument},
		"a new cohort at no school":    {token: servicetest.Service, req: unknownSchool.request(), wantCode: connect.CodeInvalidArgument},
		"a due date in 9999":           {token: servicetest.Service, req: heathPark().request(desired(a, "BEHIND_TRAJECTORY", "9999-12-01")), wantCode: connect.CodeInvalidArgument},
		"duplicate keys": {token: servicetest.Service, req: heathPark().request(desired(a, "BEHIND_TRAJECTORY", "2026-12-01"), desired(a, "BEHIND_TRAJECTORY", "2027-01-01")),
			wantCode: connect.CodeInvalidArgument},
		"not a calendar date": {token: servicetest.Service, req: heathPark().request(desired(a, "BEHIND_TRAJECTORY", "2026-02-30")), wantCode: connect.CodeInvalidArgument},
		"bad cohort key":      {token: servicetest.Service, req: &trackingv1.SyncInterventionsRequest{CohortKey: "No Slash", SchoolUrn: "100001", LaCode: "336", PassToken: 1}, wantCode: connect.CodeInvalidArgument},
		"zero pass":           {token: servicetest.Service, req: &trackingv1.SyncInterventionsRequest{CohortKey: "a/b", SchoolUrn: "100001", LaCode: "336"}, wantCode: connect.CodeInvalidArgument},
		"fraction above one":  {token: servicetest.Service, req: &trackingv1.SyncInterventionsRequest{CohortKey: "a/b", SchoolUrn: "100001", LaCode: "336", PassToken: 1, MaxCloseFraction: 1.5}, wantCode: connect.CodeInvalidArgument},
		"bad reason code":     {token: servicetest.Service, req: heathPark().request(desired(a, "behind", "2026-12-01")), wantCode: connect.CodeInvalidArgument},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := e.client(tc.token).SyncInterventions(context.Background(), tc.req)
			checkCode(t, err, tc.wantCode, tc.wantReason)
		})
	}
}

func activeTasks(t *testing.T, e env, c *cohort) []*trackingv1.Task {
	t.Helper()
	res, err := e.client(servicetest.Service).ListTasks(context.Background(), &trackingv1.ListTasksRequest{CohortKey: c.key, PageSize: 500})
	if err != nil {
		t.Fatalf("ListTasks: %v", err)
	}
	return res.GetTasks()
}

// nextPass takes the next pass token without building a request.
func (c *cohort) nextPass() int64 {
	c.pass++
	return c.pass
}
