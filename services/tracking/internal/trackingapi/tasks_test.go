package trackingapi_test

import (
	"context"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"

	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

func assign(who string) *trackingv1.UpdateTaskRequest {
	return &trackingv1.UpdateTaskRequest{Change: &trackingv1.UpdateTaskRequest_Assign_{Assign: &trackingv1.UpdateTaskRequest_Assign{Assignee: who}}}
}

func startWork() *trackingv1.UpdateTaskRequest {
	return &trackingv1.UpdateTaskRequest{Change: &trackingv1.UpdateTaskRequest_Start_{Start: &trackingv1.UpdateTaskRequest_Start{}}}
}

func resolve(outcome string) *trackingv1.UpdateTaskRequest {
	return &trackingv1.UpdateTaskRequest{Change: &trackingv1.UpdateTaskRequest_Resolve_{Resolve: &trackingv1.UpdateTaskRequest_Resolve{Outcome: outcome}}}
}

func dismiss(until string) *trackingv1.UpdateTaskRequest {
	return &trackingv1.UpdateTaskRequest{Change: &trackingv1.UpdateTaskRequest_Dismiss_{Dismiss: &trackingv1.UpdateTaskRequest_Dismiss{Reason: "moved out of the area", SnoozeUntil: until}}}
}

// TestTaskLifecycle walks a task through every legal step and tries an
// illegal one at each.
func TestTaskLifecycle(t *testing.T) {
	t.Parallel()
	for name, grpc := range map[string]bool{"connect": false, "grpc": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := start(t)
			c := heathPark()
			pupil := newID(t)
			c.sync(t, e, desired(pupil, "BEHIND_TRAJECTORY", "2026-12-01"))
			task := onlyTask(t, e, c, pupil)
			cw := e.clientOver(servicetest.Caseworker, grpc)
			ctx := context.Background()

			step := func(req *trackingv1.UpdateTaskRequest, wantCode connect.Code, wantReason refusalv1.Reason, wantStatus trackingv1.TaskStatus) {
				t.Helper()
				req.TaskId, req.Version = task.GetId(), task.GetVersion()
				res, err := cw.UpdateTask(ctx, req)
				checkCode(t, err, wantCode, wantReason)
				if err != nil {
					return
				}
				if res.GetTask().GetStatus() != wantStatus || res.GetTask().GetVersion() != task.GetVersion()+1 {
					t.Fatalf("status %v version %d, want %v version %d", res.GetTask().GetStatus(), res.GetTask().GetVersion(), wantStatus, task.GetVersion()+1)
				}
				task = res.GetTask()
			}
			step(startWork(), connect.CodeFailedPrecondition, refusalv1.Reason_REASON_ILLEGAL_TRANSITION, 0)
			step(assign("caseworker"), ok, 0, trackingv1.TaskStatus_TASK_STATUS_ASSIGNED)
			step(startWork(), ok, 0, trackingv1.TaskStatus_TASK_STATUS_IN_PROGRESS)
			step(startWork(), connect.CodeFailedPrecondition, refusalv1.Reason_REASON_ILLEGAL_TRANSITION, 0)
			step(assign(""), connect.CodeFailedPrecondition, refusalv1.Reason_REASON_ILLEGAL_TRANSITION, 0)
			step(dismiss("2000-01-01"), connect.CodeInvalidArgument, 0, 0)
			step(resolve("college place secured"), ok, 0, trackingv1.TaskStatus_TASK_STATUS_RESOLVED)
			step(resolve("again"), connect.CodeFailedPrecondition, refusalv1.Reason_REASON_ILLEGAL_TRANSITION, 0)
			step(assign("someone"), connect.CodeFailedPrecondition, refusalv1.Reason_REASON_ILLEGAL_TRANSITION, 0)
			if task.GetOutcome() != "college place secured" || task.GetAssignee() != "caseworker" {
				t.Errorf("resolved task = %v", task)
			}

			// The history holds every change, oldest first.
			got, err := cw.GetTask(ctx, &trackingv1.GetTaskRequest{TaskId: task.GetId()})
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, ev := range got.GetHistory() {
				kinds = append(kinds, ev.GetKind())
			}
			if diff := cmp.Diff([]string{"created", "assigned", "started", "resolved"}, kinds); diff != "" {
				t.Errorf("history (-want +got):\n%s", diff)
			}
		})
	}
}

// TestConcurrentUpdates has two caseworkers update the same task from the
// same read: one wins, the other is told the task has changed.
func TestConcurrentUpdates(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := heathPark()
	pupil := newID(t)
	c.sync(t, e, desired(pupil, "BEHIND_TRAJECTORY", "2026-12-01"))
	read := onlyTask(t, e, c, pupil)
	ctx := context.Background()

	first := assign("caseworker")
	first.TaskId, first.Version = read.GetId(), read.GetVersion()
	if _, err := e.client(servicetest.Caseworker).UpdateTask(ctx, first); err != nil {
		t.Fatalf("first update: %v", err)
	}
	second := dismiss("2028-01-01")
	second.TaskId, second.Version = read.GetId(), read.GetVersion()
	_, err := e.client(servicetest.HubAdmin).UpdateTask(ctx, second)
	checkCode(t, err, connect.CodeAborted, refusalv1.Reason_REASON_STALE_VERSION)

	now := onlyTask(t, e, c, pupil)
	if now.GetStatus() != trackingv1.TaskStatus_TASK_STATUS_ASSIGNED || now.GetAssignee() != "caseworker" {
		t.Errorf("task is %v assigned to %q: the losing update overwrote the winner", now.GetStatus(), now.GetAssignee())
	}
}

func TestNotesAndActions(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := heathPark()
	pupil := newID(t)
	c.sync(t, e, desired(pupil, "DESTINATION_UNKNOWN", "2026-12-01"))
	task := onlyTask(t, e, c, pupil)
	ctx := context.Background()
	cw := e.client(servicetest.Caseworker)
	if _, err := cw.AddTaskNote(ctx, &trackingv1.AddTaskNoteRequest{TaskId: task.GetId(), Text: "left a voicemail"}); err != nil {
		t.Fatal(err)
	}
	if _, err := cw.AddTaskNote(ctx, &trackingv1.AddTaskNoteRequest{TaskId: task.GetId(), Action: trackingv1.ActionKind_ACTION_KIND_GUIDANCE_INTERVIEW_HELD, Text: "discussed college options"}); err != nil {
		t.Fatal(err)
	}
	// Notes do not move the version, so an update from the earlier read
	// still applies.
	req := assign("caseworker")
	req.TaskId, req.Version = task.GetId(), task.GetVersion()
	if _, err := cw.UpdateTask(ctx, req); err != nil {
		t.Fatalf("update after notes: %v", err)
	}
	got, err := cw.GetTask(ctx, &trackingv1.GetTaskRequest{TaskId: task.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	type entry struct{ Kind, Action, Text, Actor string }
	var history []entry
	for _, ev := range got.GetHistory() {
		history = append(history, entry{ev.GetKind(), ev.GetAction(), ev.GetText(), ev.GetActor()})
	}
	want := []entry{
		{"created", "", "", "operator"},
		{"note", "", "left a voicemail", "caseworker"},
		{"action", "guidance_interview_held", "discussed college options", "caseworker"},
		{"assigned", "", "caseworker", "caseworker"},
	}
	if diff := cmp.Diff(want, history); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	// Someone outside the school cannot write to it.
	_, err = e.client(servicetest.HubAdmin).AddTaskNote(ctx, &trackingv1.AddTaskNoteRequest{TaskId: newID(t), Text: "x"})
	checkCode(t, err, connect.CodeNotFound, refusalv1.Reason_REASON_NOT_FOUND)
}

func TestTaskScope(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := heathPark()
	pupil := newID(t)
	c.sync(t, e, desired(pupil, "BEHIND_TRAJECTORY", "2026-12-01"))
	far := elsewhere()
	farPupil := newID(t)
	far.sync(t, e, desired(farPupil, "BEHIND_TRAJECTORY", "2026-12-01"))
	task := onlyTask(t, e, c, pupil)
	farTask := onlyTask(t, e, far, farPupil)
	cases := map[string]struct {
		token    string
		id       string
		wantCode connect.Code
	}{
		"the school's careers leader": {token: servicetest.CareersLeader, id: task.GetId(), wantCode: ok},
		"another school's leader":     {token: servicetest.OtherLeader, id: task.GetId(), wantCode: connect.CodeNotFound},
		"the LA's caseworker":         {token: servicetest.Caseworker, id: task.GetId(), wantCode: ok},
		"caseworker, other LA":        {token: servicetest.Caseworker, id: farTask.GetId(), wantCode: connect.CodeNotFound},
		"hub admin outside the hub":   {token: servicetest.HubAdmin, id: farTask.GetId(), wantCode: connect.CodeNotFound},
		"analyst sees no task":        {token: servicetest.Analyst, id: task.GetId(), wantCode: connect.CodePermissionDenied},
		"no such task":                {token: servicetest.Service, id: newID(t), wantCode: connect.CodeNotFound},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := e.client(tc.token).GetTask(context.Background(), &trackingv1.GetTaskRequest{TaskId: tc.id})
			checkCode(t, err, tc.wantCode, 0)
		})
	}
	// An update outside scope is NotFound, as a read is.
	req := assign("x")
	req.TaskId, req.Version = farTask.GetId(), farTask.GetVersion()
	_, err := e.client(servicetest.Caseworker).UpdateTask(context.Background(), req)
	checkCode(t, err, connect.CodeNotFound, refusalv1.Reason_REASON_NOT_FOUND)
}

// TestBulkUpdateTasks: a caseworker assigns a lead worker to, and logs a
// contact on, tasks picked from a list; each task gets its outcome, tasks
// out of scope are skipped and reported not found, a closed one refused,
// and every change is in the task's history.
func TestBulkUpdateTasks(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	ours, theirs := heathPark(), sandwell()
	p1, p2, p3, p4 := newID(t), newID(t), newID(t), newID(t)
	ours.sync(t, e, desired(p1, "BEHIND_TRAJECTORY", "2026-12-01"), desired(p2, "BEHIND_TRAJECTORY", "2026-12-01"), desired(p3, "BEHIND_TRAJECTORY", "2026-12-01"))
	theirs.sync(t, e, desired(p4, "BEHIND_TRAJECTORY", "2026-12-01"))
	t1, t2, t3, t4 := onlyTask(t, e, ours, p1), onlyTask(t, e, ours, p2), onlyTask(t, e, ours, p3), onlyTask(t, e, theirs, p4)
	cw := e.client(servicetest.Caseworker) // LA 336: not Sandwell's 330
	// t3 is resolved already.
	for _, req := range []*trackingv1.UpdateTaskRequest{assign("caseworker"), resolve("college place")} {
		req.TaskId, req.Version = t3.GetId(), t3.GetVersion()
		res, err := cw.UpdateTask(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		t3 = res.GetTask()
	}

	ids := []string{t1.GetId(), t2.GetId(), t3.GetId(), t4.GetId(), "0f0f0f0f-0000-4000-8000-000000000099"}
	res, err := cw.BulkUpdateTasks(ctx, &trackingv1.BulkUpdateTasksRequest{TaskIds: ids,
		Change: &trackingv1.BulkUpdateTasksRequest_Assign{Assign: &trackingv1.UpdateTaskRequest_Assign{Assignee: "lead-worker"}}})
	if err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		Result  trackingv1.BulkTaskResult
		Version int64
		Refused bool
	}
	var got []outcome
	for _, o := range res.GetOutcomes() {
		got = append(got, outcome{o.GetResult(), o.GetVersion(), o.GetReason() != ""})
	}
	want := []outcome{
		{trackingv1.BulkTaskResult_BULK_TASK_RESULT_UPDATED, t1.GetVersion() + 1, false},
		{trackingv1.BulkTaskResult_BULK_TASK_RESULT_UPDATED, t2.GetVersion() + 1, false},
		{trackingv1.BulkTaskResult_BULK_TASK_RESULT_REFUSED, 0, true},
		{trackingv1.BulkTaskResult_BULK_TASK_RESULT_NOT_FOUND, 0, false},
		{trackingv1.BulkTaskResult_BULK_TASK_RESULT_NOT_FOUND, 0, false},
	}
	if diff := cmp.Diff(want, got); diff != "" || res.GetUpdated() != 2 {
		t.Errorf("bulk assign (-want +got), %d updated:\n%s", res.GetUpdated(), diff)
	}

	// The same contact logged on the first two.
	res, err = cw.BulkUpdateTasks(ctx, &trackingv1.BulkUpdateTasksRequest{TaskIds: ids[:2],
		Change: &trackingv1.BulkUpdateTasksRequest_Log{Log: &trackingv1.BulkLogAction{Action: trackingv1.ActionKind_ACTION_KIND_CONTACT_ATTEMPTED, Text: "letter sent"}}})
	if err != nil || res.GetUpdated() != 2 {
		t.Fatalf("bulk log: %v (err %v)", res, err)
	}
	task, err := cw.GetTask(ctx, &trackingv1.GetTaskRequest{TaskId: t1.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	var history []string
	for _, ev := range task.GetHistory() {
		history = append(history, ev.GetKind()+" by "+ev.GetActor())
	}
	if diff := cmp.Diff([]string{"created by operator", "assigned by caseworker", "action by caseworker"}, history); diff != "" || task.GetTask().GetAssignee() != "lead-worker" {
		t.Errorf("history (-want +got), assignee %q:\n%s", task.GetTask().GetAssignee(), diff)
	}
	// Sandwell's task is untouched.
	other, err := e.client(servicetest.HubAdmin).GetTask(ctx, &trackingv1.GetTaskRequest{TaskId: t4.GetId()})
	if err != nil || other.GetTask().GetVersion() != t4.GetVersion() || len(other.GetHistory()) != 1 {
		t.Errorf("the out-of-scope task changed: %v (err %v)", other, err)
	}
	// A careers leader may not.
	_, err = e.client(servicetest.CareersLeader).BulkUpdateTasks(ctx, &trackingv1.BulkUpdateTasksRequest{TaskIds: ids[:1],
		Change: &trackingv1.BulkUpdateTasksRequest_Log{Log: &trackingv1.BulkLogAction{Action: trackingv1.ActionKind_ACTION_KIND_OTHER, Text: "x"}}})
	checkCode(t, err, connect.CodePermissionDenied, 0)
}
