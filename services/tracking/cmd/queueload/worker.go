package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"

	"connectrpc.com/connect"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1/trackingv1connect"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/loadgen"
)

// worker makes the mix's calls as one caseworker of a local authority,
// keeping what it last read of the tasks it works (their version and
// status), as the console would between reading a task and changing it.
type worker struct {
	client trackingv1connect.TrackingServiceClient
	la     string
	// replicas are how many answer at the address, each warmed first.
	replicas int
	rnd      *rand.Rand // used by the scheduler's goroutine only

	mu    sync.Mutex
	tasks []*taskState
	// stale are tasks an update found changed since read: the next GetTask
	// reads them first, as a caseworker told "read it again" would.
	stale []int
}

type taskState struct {
	id       string
	version  int64
	assigned bool
}

// workPages is how many 500-task pages of the authority's open and
// assigned tasks the worker reads before the load, to draw tasks from.
const workPages = 2

// loadTasks reads the tasks to work, before the clock starts.
func (w *worker) loadTasks(ctx context.Context) error {
	token := ""
	for range workPages {
		res, err := w.client.ListTasks(ctx, &trackingv1.ListTasksRequest{
			LaCode:    w.la,
			Statuses:  []trackingv1.TaskStatus{trackingv1.TaskStatus_TASK_STATUS_OPEN, trackingv1.TaskStatus_TASK_STATUS_ASSIGNED},
			PageSize:  500,
			PageToken: token,
		})
		if err != nil {
			return err
		}
		for _, t := range res.GetTasks() {
			w.tasks = append(w.tasks, &taskState{id: t.GetId(), version: t.GetVersion(), assigned: t.GetStatus() == trackingv1.TaskStatus_TASK_STATUS_ASSIGNED})
		}
		if token = res.GetNextPageToken(); token == "" {
			break
		}
	}
	if len(w.tasks) < 10 {
		return fmt.Errorf("local authority %s has %d open or assigned tasks in scope, too few to work (is the token a caseworker of it?)", w.la, len(w.tasks))
	}
	// A service's first count reads every cohort's counts (store.Counter:
	// under a second at a million tasks, once a day on each replica);
	// the load measures replicas that have each answered one. A
	// round-robin proxy sends consecutive calls to each in turn.
	for range w.replicas {
		if _, err := w.client.CountTasks(ctx, &trackingv1.CountTasksRequest{LaCode: w.la}); err != nil {
			return fmt.Errorf("the first count: %w", err)
		}
	}
	return nil
}

// call is one planned call: its RPC and what it is drawn to ask.
type call struct {
	kind    string
	task    int // index into tasks, for GetTask, UpdateTask, AddTaskNote
	variant int // which filter, for ListTasks
}

// listFilters is the queue as a caseworker filters it: the authority's
// whole active queue, by reason, overdue only, by priority, and their own.
// The seed gives assignee caseworker-N the tasks of LA 330 + N mod 10.
func (w *worker) listFilters() []*trackingv1.ListTasksRequest {
	la, _ := strconv.Atoi(w.la)
	return []*trackingv1.ListTasksRequest{
		{LaCode: w.la},
		{LaCode: w.la, ReasonCode: "AT_RISK_OF_NEET"},
		{LaCode: w.la, OverdueOnly: true},
		{LaCode: w.la, Priority: trackingv1.Priority_PRIORITY_HIGH},
		{LaCode: w.la, Assignee: fmt.Sprintf("caseworker-%d", la%10+10)},
	}
}

// plan draws what the call asks. Called by the scheduler only, in order.
func (w *worker) plan(kind string) call {
	c := call{kind: kind}
	switch kind {
	case listTasks:
		c.variant = w.rnd.IntN(len(w.listFilters()))
	case getTask, updateTask, addTaskNote:
		c.task = w.rnd.IntN(len(w.tasks))
		if kind == getTask {
			w.mu.Lock()
			if n := len(w.stale); n > 0 {
				c.task, w.stale = w.stale[n-1], w.stale[:n-1]
			}
			w.mu.Unlock()
		}
	}
	return c
}

// do makes the call and says how it ended.
func (w *worker) do(ctx context.Context, c call) loadgen.Outcome {
	var err error
	switch c.kind {
	case listTasks:
		_, err = w.client.ListTasks(ctx, w.listFilters()[c.variant])
	case countTasks:
		_, err = w.client.CountTasks(ctx, &trackingv1.CountTasksRequest{LaCode: w.la})
	case getTask:
		var res *trackingv1.GetTaskResponse
		if res, err = w.client.GetTask(ctx, &trackingv1.GetTaskRequest{TaskId: w.tasks[c.task].id}); err == nil {
			w.saw(c.task, res.GetTask())
		}
	case addTaskNote:
		_, err = w.client.AddTaskNote(ctx, &trackingv1.AddTaskNoteRequest{
			TaskId: w.tasks[c.task].id,
			Action: trackingv1.ActionKind_ACTION_KIND_GUIDANCE_INTERVIEW_HELD,
			Text:   "Guidance interview held (load test).",
		})
	case updateTask:
		return w.update(ctx, c.task)
	}
	return outcome(err)
}

// update takes an open task or hands an assigned one back, with the
// version last read. Losing a race with another update of the same task
// is Aborted / STALE_VERSION: expected, counted apart from errors.
func (w *worker) update(ctx context.Context, i int) loadgen.Outcome {
	w.mu.Lock()
	t := *w.tasks[i]
	w.mu.Unlock()
	assignee := ""
	if !t.assigned {
		assignee = "load-caseworker"
	}
	res, err := w.client.UpdateTask(ctx, &trackingv1.UpdateTaskRequest{
		TaskId:  t.id,
		Version: t.version,
		Change:  &trackingv1.UpdateTaskRequest_Assign_{Assign: &trackingv1.UpdateTaskRequest_Assign{Assignee: assignee}},
	})
	if connect.CodeOf(err) == connect.CodeAborted {
		w.mu.Lock()
		w.stale = append(w.stale, i)
		w.mu.Unlock()
		return loadgen.Outcome{Expected: true}
	}
	if err == nil {
		w.saw(i, res.GetTask())
	}
	return outcome(err)
}

// saw keeps a task's version and status as a call returned them, unless a
// newer version was already seen.
func (w *worker) saw(i int, t *trackingv1.Task) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if s := w.tasks[i]; t.GetVersion() >= s.version {
		s.version, s.assigned = t.GetVersion(), t.GetStatus() == trackingv1.TaskStatus_TASK_STATUS_ASSIGNED
	}
}

func outcome(err error) loadgen.Outcome {
	if err == nil {
		return loadgen.Outcome{}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return loadgen.Outcome{Code: connect.CodeDeadlineExceeded.String()}
	}
	return loadgen.Outcome{Code: connect.CodeOf(err).String()}
}
