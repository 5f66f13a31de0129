package trackingapi

import (
	"context"
	"errors"

	"connectrpc.com/connect"

	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/lifecycle"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store"
)

// ListTasks implements TrackingService.
func (s *Server) ListTasks(ctx context.Context, req *trackingv1.ListTasksRequest) (*trackingv1.ListTasksResponse, error) {
	after, err := decodeCursor[store.QueueCursor](req.GetPageToken())
	if err != nil {
		return nil, err
	}
	f := s.queueFilter(req.GetLaCode(), req.GetSchoolUrn(), req.GetCohortKey(), req.GetAssignee())
	f.PupilID, f.Reason, f.Priority, f.OverdueOnly = req.GetPupilId(), req.GetReasonCode(), int(req.GetPriority()), req.GetOverdueOnly()
	for _, st := range req.GetStatuses() {
		f.Statuses = append(f.Statuses, statusNames[st])
	}
	limit := pagetoken.Size(req.GetPageSize(), 50, maxPageSize)
	tasks, err := store.ListTasks(ctx, s.pool, auth.Caller(ctx).Scope, f, after, limit+1)
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "list tasks", err)
	}
	res := &trackingv1.ListTasksResponse{}
	if len(tasks) > limit {
		tasks = tasks[:limit]
		res.NextPageToken = pagetoken.Encode(store.CursorAfter(tasks[limit-1]))
	}
	for _, t := range tasks {
		touchPupil(ctx, t)
		res.Tasks = append(res.Tasks, taskToProto(t, f.Today))
	}
	return res, nil
}

// CountTasks implements TrackingService.
func (s *Server) CountTasks(ctx context.Context, req *trackingv1.CountTasksRequest) (*trackingv1.CountTasksResponse, error) {
	f := s.queueFilter(req.GetLaCode(), req.GetSchoolUrn(), req.GetCohortKey(), req.GetAssignee())
	c, err := s.counter.Count(ctx, auth.Caller(ctx).Scope, f)
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "count tasks", err)
	}
	return &trackingv1.CountTasksResponse{Counts: countsToProto(c.ByReason), Open: int32(c.Open), Overdue: int32(c.Overdue), Unassigned: int32(c.Unassigned), CohortLevel: int32(c.CohortLevel)}, nil
}

func (s *Server) queueFilter(laCode, schoolURN, cohortKey, assignee string) store.QueueFilter {
	return store.QueueFilter{LACode: laCode, SchoolURN: schoolURN, CohortKey: cohortKey, Assignee: assignee, Today: s.today()}
}

// GetTask implements TrackingService.
func (s *Server) GetTask(ctx context.Context, req *trackingv1.GetTaskRequest) (*trackingv1.GetTaskResponse, error) {
	t, err := store.GetTask(ctx, s.pool, req.GetTaskId(), auth.Caller(ctx).Scope)
	if errors.Is(err, store.ErrNotFound) {
		return nil, rpcerror.NotFound("task")
	}
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "get task", err)
	}
	events, err := store.TaskEvents(ctx, s.pool, t.ID)
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "get task history", err)
	}
	touchTask(ctx, t)
	res := &trackingv1.GetTaskResponse{Task: taskToProto(t, s.today())}
	for _, e := range events {
		res.History = append(res.History, eventToProto(e))
	}
	return res, nil
}

// UpdateTask implements TrackingService.
func (s *Server) UpdateTask(ctx context.Context, req *trackingv1.UpdateTaskRequest) (*trackingv1.UpdateTaskResponse, error) {
	var move lifecycle.Move
	switch c := req.GetChange().(type) {
	case *trackingv1.UpdateTaskRequest_Assign_:
		move = lifecycle.Assign{Assignee: c.Assign.GetAssignee()}
	case *trackingv1.UpdateTaskRequest_Start_:
		move = lifecycle.Start{}
	case *trackingv1.UpdateTaskRequest_Resolve_:
		move = lifecycle.Resolve{Outcome: c.Resolve.GetOutcome()}
	case *trackingv1.UpdateTaskRequest_Dismiss_:
		until, err := s.parseDate("dismiss.snooze_until", c.Dismiss.GetSnoozeUntil())
		if err != nil {
			return nil, err
		}
		move = lifecycle.Dismiss{Reason: c.Dismiss.GetReason(), SnoozeUntil: until}
	}
	p := auth.Caller(ctx)
	today := s.today()
	t, err := store.UpdateTask(ctx, s.pool, req.GetTaskId(), req.GetVersion(), p.Scope, p.Subject, move, today)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, rpcerror.NotFound("task")
	case errors.Is(err, store.ErrStaleVersion):
		return nil, rpcerror.New(connect.CodeAborted, refusalv1.Reason_REASON_STALE_VERSION, "the task has changed since version %d was read: read it again", req.GetVersion())
	case errors.Is(err, lifecycle.ErrSnoozeNotFuture):
		return nil, rpcerror.InvalidArgument(rpcerror.Violation{Field: "dismiss.snooze_until", RuleID: "snooze.future", Message: "must be after today"})
	case errors.Is(err, lifecycle.ErrIllegal):
		return nil, rpcerror.New(connect.CodeFailedPrecondition, refusalv1.Reason_REASON_ILLEGAL_TRANSITION, "%v", err)
	case err != nil:
		return nil, rpcerror.Internal(ctx, s.logger, "update task", err)
	}
	touchTask(ctx, t)
	return &trackingv1.UpdateTaskResponse{Task: taskToProto(t, today)}, nil
}

// AddTaskNote implements TrackingService.
func (s *Server) AddTaskNote(ctx context.Context, req *trackingv1.AddTaskNoteRequest) (*trackingv1.AddTaskNoteResponse, error) {
	p := auth.Caller(ctx)
	t, e, err := store.AddNote(ctx, s.pool, req.GetTaskId(), p.Scope, p.Subject, actionNames[req.GetAction()], req.GetText())
	if errors.Is(err, store.ErrNotFound) {
		return nil, rpcerror.NotFound("task")
	}
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "add task note", err)
	}
	touchTask(ctx, t)
	return &trackingv1.AddTaskNoteResponse{Event: eventToProto(e)}, nil
}

// touchTask records in the audit log that the call read or changed the
// task and so its pupil's record.
func touchTask(ctx context.Context, t store.Task) {
	touchPupil(ctx, t)
	audit.TouchAt(ctx, "task", t.ID, t.SchoolURN, t.LACode)
}

// touchPupil records that the call read the task's pupil: none for a
// cohort-level task, which names no one.
func touchPupil(ctx context.Context, t store.Task) {
	if t.PupilID != "" {
		audit.TouchAt(ctx, "pupil", t.PupilID, t.SchoolURN, t.LACode)
	}
}

// BulkUpdateTasks implements TrackingService.
func (s *Server) BulkUpdateTasks(ctx context.Context, req *trackingv1.BulkUpdateTasksRequest) (*trackingv1.BulkUpdateTasksResponse, error) {
	var change store.BulkChange
	switch c := req.GetChange().(type) {
	case *trackingv1.BulkUpdateTasksRequest_Assign:
		change.Move = lifecycle.Assign{Assignee: c.Assign.GetAssignee()}
	case *trackingv1.BulkUpdateTasksRequest_Log:
		change.Action, change.Text = actionNames[c.Log.GetAction()], c.Log.GetText()
	}
	p := auth.Caller(ctx)
	outcomes, err := store.BulkUpdate(ctx, s.pool, req.GetTaskIds(), p.Scope, p.Subject, change, s.today())
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "bulk update tasks", err)
	}
	res := &trackingv1.BulkUpdateTasksResponse{Outcomes: make([]*trackingv1.BulkTaskOutcome, len(outcomes))}
	for i, o := range outcomes {
		out := &trackingv1.BulkTaskOutcome{TaskId: req.GetTaskIds()[i]}
		switch {
		case errors.Is(o.Err, store.ErrNotFound):
			out.Result = trackingv1.BulkTaskResult_BULK_TASK_RESULT_NOT_FOUND
		case o.Err != nil:
			// A lifecycle refusal says which move from which state, nothing
			// of the pupil.
			out.Result, out.Reason = trackingv1.BulkTaskResult_BULK_TASK_RESULT_REFUSED, o.Err.Error()
		default:
			out.Result, out.Version = trackingv1.BulkTaskResult_BULK_TASK_RESULT_UPDATED, o.Task.Version
			res.Updated++
			touchTask(ctx, o.Task)
		}
		res.Outcomes[i] = out
	}
	return res, nil
}
