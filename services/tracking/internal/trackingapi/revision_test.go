package trackingapi_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1/trackingv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

// revision is GetCohortRevision's answer, as the operator calls it.
type revision struct{ Pupils, Tasks, LastPassToken int64 }

func cohortRevision(t *testing.T, e env, cohortKey string, pupils ...string) revision {
	t.Helper()
	res, err := e.client(servicetest.Service).GetCohortRevision(context.Background(),
		&trackingv1.GetCohortRevisionRequest{CohortKey: cohortKey, PupilIds: pupils})
	if err != nil {
		t.Fatalf("GetCohortRevision: %v", err)
	}
	return revision{res.GetPupilsRevision(), res.GetTasksRevision(), res.GetLastPassToken()}
}

// Recording a destination moves that pupil's revision and no other's, and
// the RPC sums the pupils it is given.
func TestCohortRevisionFollowsDestinations(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := heathPark()
	a, b, never := e.pupilAt(t, c.urn), e.pupilAt(t, c.urn), e.pupilAt(t, c.urn)
	pupils := func() map[string]int64 {
		t.Helper()
		out := map[string]int64{}
		for name, id := range map[string]string{"a": a, "b": b, "never": never} {
			out[name] = cohortRevision(t, e, c.key, id).Pupils
		}
		return out
	}
	if diff := cmp.Diff(map[string]int64{"a": 0, "b": 0, "never": 0}, pupils()); diff != "" {
		t.Errorf("before any record (-want +got):\n%s", diff)
	}
	record(t, e, servicetest.Caseworker, destination(a, intended, "230", "2026-09-01"))
	if diff := cmp.Diff(map[string]int64{"a": 1, "b": 0, "never": 0}, pupils()); diff != "" {
		t.Errorf("after a's record (-want +got):\n%s", diff)
	}
	record(t, e, servicetest.Caseworker, destination(a, confirmed, "230", "2026-09-01"))
	record(t, e, servicetest.Caseworker, destination(b, confirmed, "540", "2026-09-01"))
	// One statement confirms both: one bump each.
	if _, err := e.client(servicetest.Caseworker).ConfirmCurrency(context.Background(),
		&trackingv1.ConfirmCurrencyRequest{PupilIds: []string{a, b}, Source: "phone call"}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int64{"a": 3, "b": 2, "never": 0}, pupils()); diff != "" {
		t.Errorf("after two more of a, one of b and a confirmation of both (-want +got):\n%s", diff)
	}
	// The sum; an id in capitals is the same pupil, counted once, and an
	// unknown one counts 0.
	got := cohortRevision(t, e, c.key, a, b, never, strings.ToUpper(a), newID(t))
	if got != (revision{Pupils: 5}) {
		t.Errorf("GetCohortRevision of the cohort = %+v, want pupils 5 and tasks 0 (never synced)", got)
	}
	if got := cohortRevision(t, e, c.key); got != (revision{}) {
		t.Errorf("GetCohortRevision of no pupils = %+v, want zero", got)
	}
}

// A sync answers the cohort's tasks revision with its own writes, the same
// as GetCohortRevision then says; a sync that changes nothing answers the
// same as the last; a caseworker's update moves it; another cohort's and
// an unknown one's stay as they were.
func TestSyncAnswersTasksRevision(t *testing.T) {
	t.Parallel()
	e := start(t)
	c, other := heathPark(), sandwell()
	a, b := newID(t), newID(t)
	if got := cohortRevision(t, e, c.key); got.Tasks != 0 {
		t.Fatalf("a cohort never synced has tasks revision %d, want 0", got.Tasks)
	}
	check := func(name string, res *trackingv1.SyncInterventionsResponse, want int64) {
		t.Helper()
		if res.GetTasksRevision() != want {
			t.Errorf("%s: the sync answered tasks revision %d, want %d", name, res.GetTasksRevision(), want)
		}
		got := cohortRevision(t, e, c.key)
		if got.Tasks != want {
			t.Errorf("%s: GetCohortRevision says %d, want %d", name, got.Tasks, want)
		}
		// The last applied sync's pass token: this sync's.
		if got.LastPassToken != c.pass {
			t.Errorf("%s: GetCohortRevision says last pass token %d, want %d", name, got.LastPassToken, c.pass)
		}
	}

	created := c.sync(t, e, desired(a, "BEHIND_TRAJECTORY", "2026-12-01"), desired(b, "BEHIND_TRAJECTORY", "2026-12-01"))
	if created.GetCreated() != 2 || created.GetTasksRevision() < 1 {
		t.Fatalf("first sync created %d, tasks revision %d: want 2 created and a revision", created.GetCreated(), created.GetTasksRevision())
	}
	check("the first sync", created, created.GetTasksRevision())
	check("a sync that changed nothing", c.sync(t, e, desired(a, "BEHIND_TRAJECTORY", "2026-12-01"), desired(b, "BEHIND_TRAJECTORY", "2026-12-01")),
		created.GetTasksRevision())

	closed := c.sync(t, e, desired(a, "BEHIND_TRAJECTORY", "2026-12-01"))
	if closed.GetClosed() != 1 || closed.GetTasksRevision() <= created.GetTasksRevision() {
		t.Fatalf("closing b's task: closed %d, revision %d after %d: want 1 closed and a later revision",
			closed.GetClosed(), closed.GetTasksRevision(), created.GetTasksRevision())
	}
	check("a sync that closed a task", closed, closed.GetTasksRevision())

	// A caseworker takes a's task: the sync's answer is out of date.
	task := onlyTask(t, e, c, a)
	req := assign("caseworker")
	req.TaskId, req.Version = task.GetId(), task.GetVersion()
	if _, err := e.client(servicetest.Caseworker).UpdateTask(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	moved := cohortRevision(t, e, c.key).Tasks
	if moved <= closed.GetTasksRevision() {
		t.Errorf("after a caseworker's update the tasks revision is %d, want more than %d", moved, closed.GetTasksRevision())
	}
	check("a sync after the update that changed nothing", c.sync(t, e, desired(a, "BEHIND_TRAJECTORY", "2026-12-01")), moved)
	// A note is history, no change to the task or to what a sync answers.
	if _, err := e.client(servicetest.Caseworker).AddTaskNote(context.Background(),
		&trackingv1.AddTaskNoteRequest{TaskId: task.GetId(), Text: "rang home"}); err != nil {
		t.Fatal(err)
	}
	if got := cohortRevision(t, e, c.key).Tasks; got != moved {
		t.Errorf("after a note the tasks revision is %d, want %d", got, moved)
	}

	for key, want := range map[string]int64{other.key: 0, "nowhere/never-synced": 0} {
		if got := cohortRevision(t, e, key); got.Tasks != want || got.LastPassToken != want {
			t.Errorf("%s: tasks revision %d, last pass token %d, want %d", key, got.Tasks, got.LastPassToken, want)
		}
	}
	other.sync(t, e, desired(newID(t), "BEHIND_TRAJECTORY", "2026-12-01"))
	if got := cohortRevision(t, e, c.key).Tasks; got != moved {
		t.Errorf("another cohort's sync moved this one's tasks revision to %d, from %d", got, moved)
	}
}

// Only the service role may ask; the answer holds no personal data, so
// it is not audited; and the reconciler, seeing everyone, is answered
// without asking the pupil service.
func TestCohortRevisionAccess(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := heathPark()
	pupil := e.pupilAt(t, c.urn)
	record(t, e, servicetest.Caseworker, destination(pupil, intended, "230", "2026-09-01"))
	req := &trackingv1.GetCohortRevisionRequest{CohortKey: c.key, PupilIds: []string{pupil}}
	for token := range servicetest.Principals {
		if token == servicetest.Service {
			continue
		}
		_, err := e.client(token).GetCohortRevision(context.Background(), req)
		checkCode(t, err, connect.CodePermissionDenied, 0)
	}

	e.pupils.Close()
	for name, grpc := range map[string]bool{"connect": false, "grpc": true} {
		res, err := e.clientOver(servicetest.Service, grpc).GetCohortRevision(context.Background(), req)
		if err != nil || res.GetPupilsRevision() != 1 {
			t.Errorf("%s, the pupil service down: %v (err %v), want pupils revision 1", name, res, err)
		}
	}

	// The destination recorded above is the control: its call is audited.
	var audited, recorded int
	if err := e.pool.QueryRow(context.Background(), `
		SELECT count(*) FILTER (WHERE procedure = $1), count(*) FILTER (WHERE procedure = $2)
		FROM tracking.audit_events WHERE outcome = 'ok'`,
		trackingv1connect.TrackingServiceGetCohortRevisionProcedure, trackingv1connect.TrackingServiceRecordDestinationProcedure,
	).Scan(&audited, &recorded); err != nil {
		t.Fatal(err)
	}
	if audited != 0 || recorded != 1 {
		t.Errorf("%d calls of GetCohortRevision audited, want none (and %d of RecordDestination, want 1)", audited, recorded)
	}
}

// The change feed names a pupil whose destination was recorded, from the
// position it gave before; only the service may follow it.
func TestListCohortChanges(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	c := heathPark()
	a := e.pupilAt(t, c.urn)
	service := e.client(servicetest.Service)
	from, err := service.ListCohortChanges(ctx, &trackingv1.ListCohortChangesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	record(t, e, servicetest.Caseworker, destination(a, intended, "230", "2026-09-01"))
	res, err := service.ListCohortChanges(ctx, &trackingv1.ListCohortChangesRequest{After: from.GetPosition()})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(res.GetPupilIds(), a) || res.GetTruncated() {
		t.Errorf("after a destination recorded: %v, want its pupil listed", res)
	}
	for _, token := range []string{servicetest.HubAdmin, servicetest.Caseworker, servicetest.CareersLeader, servicetest.Analyst} {
		if _, err := e.client(token).ListCohortChanges(ctx, &trackingv1.ListCohortChangesRequest{}); connect.CodeOf(err) != connect.CodePermissionDenied {
			t.Errorf("%s: %v, want PermissionDenied", token, err)
		}
	}
}
