package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/lifecycle"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store/dbsqlc"
)

// Task is a row of tracking.tasks.
type Task struct {
	ID            string
	CohortKey     string
	SchoolURN     string
	LACode        string
	PupilID       string
	Reason        string
	Priority      int
	DueDate       time.Time
	Summary       string
	Evidence      map[string]string
	Status        lifecycle.Status
	Assignee      string
	Outcome       string
	DismissReason string
	SnoozeUntil   *time.Time
	Version       int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func taskOf(r dbsqlc.TrackingTask) Task {
	return Task{
		ID: r.ID, CohortKey: r.CohortKey, SchoolURN: r.SchoolURN, LACode: r.LACode, PupilID: deref(r.PupilID),
		Reason: r.ReasonCode, Priority: int(r.Priority), DueDate: r.DueDate, Summary: r.Summary, Evidence: r.Evidence,
		Status: lifecycle.Status(r.Status), Assignee: r.Assignee, Outcome: r.Outcome, DismissReason: r.DismissReason,
		SnoozeUntil: r.SnoozeUntil, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

// GetTask returns the task with id if it is in scope.
func GetTask(ctx context.Context, db DB, id string, s auth.Scope) (Task, error) {
	r, err := queries.GetTask(ctx, db, id)
	return inScope(r, err, s)
}

// inScope is the task read as r, or ErrNotFound when there is none or the
// scope does not cover it.
func inScope(r dbsqlc.TrackingTask, err error, s auth.Scope) (Task, error) {
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !s.Covers(r.SchoolURN, r.LACode)) {
		return Task{}, ErrNotFound
	}
	if err != nil {
		return Task{}, err
	}
	return taskOf(r), nil
}

// Event is a row of tracking.task_events.
type Event struct {
	Kind   string
	At     time.Time
	Actor  string
	Status lifecycle.Status
	Action string
	Text   string
}

// TaskEvents returns a task's history, oldest first.
func TaskEvents(ctx context.Context, db DB, taskID string) ([]Event, error) {
	rows, err := queries.TaskEvents(ctx, db, taskID)
	if err != nil {
		return nil, err
	}
	out := make([]Event, len(rows))
	for i, r := range rows {
		out[i] = Event{Kind: r.Kind, At: r.At, Actor: r.Actor, Status: lifecycle.Status(r.Status), Action: r.Action, Text: r.Text}
	}
	return out, nil
}

// ErrStaleVersion refuses an update made against an older version of the
// task than the stored one.
var ErrStaleVersion = errors.New("the task has changed since it was read")

// UpdateTask applies a lifecycle move to the task with id, if it is in
// scope and still at version, and records it in the task's history with
// the move's event kind. It returns the updated task. Lifecycle refusals are
// returned as lifecycle's errors.
func UpdateTask(ctx context.Context, pool TxDB, id string, version int64, s auth.Scope, actor string, move lifecycle.Move, today time.Time) (Task, error) {
	var out Task
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		r, err := queries.LockTask(ctx, tx, id)
		t, err := inScope(r, err, s)
		if err != nil {
			return err
		}
		if t.Version != version {
			return ErrStaleVersion
		}
		out, err = applyMove(ctx, tx, t, actor, move, today)
		return err
	})
	return out, err
}

// applyMove moves the locked task t by move, records the event, and
// returns the task as it now is.
func applyMove(ctx context.Context, tx DB, t Task, actor string, move lifecycle.Move, today time.Time) (Task, error) {
	state := lifecycle.State{Status: t.Status, Assignee: t.Assignee, Outcome: t.Outcome, DismissReason: t.DismissReason}
	if t.SnoozeUntil != nil {
		state.SnoozeUntil = *t.SnoozeUntil
	}
	next, err := lifecycle.Apply(state, move, today)
	if err != nil {
		return Task{}, err
	}
	var snooze *time.Time
	if !next.SnoozeUntil.IsZero() {
		snooze = &next.SnoozeUntil
	}
	updated, err := queries.SetTaskState(ctx, tx, dbsqlc.SetTaskStateParams{
		ID: t.ID, Status: string(next.Status), Assignee: next.Assignee, Outcome: next.Outcome,
		DismissReason: next.DismissReason, SnoozeUntil: snooze,
	})
	if err != nil {
		return Task{}, err
	}
	return taskOf(updated), queries.InsertTaskEvent(ctx, tx, dbsqlc.InsertTaskEventParams{
		TaskID: t.ID, Actor: actor, Kind: eventKind(move), Status: string(next.Status), Text: eventText(move),
	})
}

// BulkChange is what BulkUpdate does to each task: Move it, or log Action
// with Text.
type BulkChange struct {
	Move         lifecycle.Move
	Action, Text string
}

// BulkOutcome is what became of one task of a bulk update: Task is set
// when it was updated, Err when it was not (ErrNotFound, or a
// lifecycle.ErrIllegal refusal).
type BulkOutcome struct {
	Task Task
	Err  error
}

// BulkUpdate applies change to each task of ids that scope covers, as it is
// now, in one transaction, and returns each task's outcome in ids' order.
// Every task is locked first, in id order, so two bulk updates cannot
// deadlock over tasks; then the changes are applied cohort by cohort, as
// each write to a task takes its cohort's revision row (the trigger of
// migrations/00007) until the commit: two bulk updates over tasks of the
// same cohorts take those rows in the same order, and after every task
// lock, as a sync does.
func BulkUpdate(ctx context.Context, pool TxDB, ids []string, s auth.Scope, actor string, change BulkChange, today time.Time) ([]BulkOutcome, error) {
	order := slices.Clone(ids)
	slices.Sort(order)
	outcomes := map[string]BulkOutcome{}
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		type lockedTask struct {
			id   string // as asked for
			task Task
		}
		var locked []lockedTask
		for _, id := range order {
			r, err := queries.LockTask(ctx, tx, id)
			t, err := inScope(r, err, s)
			switch {
			case errors.Is(err, ErrNotFound):
				outcomes[id] = BulkOutcome{Err: err}
				continue
			case err != nil:
				return err
			}
			locked = append(locked, lockedTask{id: id, task: t})
		}
		slices.SortStableFunc(locked, func(a, b lockedTask) int { return strings.Compare(a.task.CohortKey, b.task.CohortKey) })
		// A task asked for twice (its id in two spellings) is changed
		// twice, the second time as the first left it.
		moved := map[string]Task{}
		for _, l := range locked {
			t, ok := moved[l.task.ID]
			if !ok {
				t = l.task
			}
			if change.Move != nil {
				updated, err := applyMove(ctx, tx, t, actor, change.Move, today)
				switch {
				case errors.Is(err, lifecycle.ErrIllegal):
					outcomes[l.id] = BulkOutcome{Err: err}
				case err != nil:
					return err
				default:
					outcomes[l.id] = BulkOutcome{Task: updated}
					moved[t.ID] = updated
				}
				continue
			}
			if _, err := queries.AddTaskNote(ctx, tx, dbsqlc.AddTaskNoteParams{TaskID: t.ID, Actor: actor, Kind: "action", Action: change.Action, Text: change.Text}); err != nil {
				return err
			}
			outcomes[l.id] = BulkOutcome{Task: t}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]BulkOutcome, len(ids))
	for i, id := range ids {
		out[i] = outcomes[id]
	}
	return out, nil
}

func eventKind(m lifecycle.Move) string {
	switch m.(type) {
	case lifecycle.Assign:
		return "assigned"
	case lifecycle.Start:
		return "started"
	case lifecycle.Resolve:
		return "resolved"
	case lifecycle.Dismiss:
		return "dismissed"
	default:
		return "closed"
	}
}

func eventText(m lifecycle.Move) string {
	switch m := m.(type) {
	case lifecycle.Assign:
		return m.Assignee
	case lifecycle.Resolve:
		return m.Outcome
	case lifecycle.Dismiss:
		return fmt.Sprintf("%s (snoozed until %s)", m.Reason, m.SnoozeUntil.Format(time.DateOnly))
	default:
		return ""
	}
}

// AddNote appends a note, or a logged action when action is not empty, to
// the task with id if it is in scope, and returns the task (as read) and the
// event. A task's school and local authority never change, so checking
// scope first is safe.
func AddNote(ctx context.Context, db DB, id string, s auth.Scope, actor, action, text string) (Task, Event, error) {
	t, err := GetTask(ctx, db, id, s)
	if err != nil {
		return Task{}, Event{}, err
	}
	kind := "note"
	if action != "" {
		kind = "action"
	}
	r, err := queries.AddTaskNote(ctx, db, dbsqlc.AddTaskNoteParams{TaskID: id, Actor: actor, Kind: kind, Action: action, Text: text})
	return t, Event{Kind: kind, At: r.At, Actor: actor, Status: lifecycle.Status(r.Status), Action: action, Text: text}, err
}

// deref is a nullable column's value, "" for NULL (a cohort-level task's
// pupil).
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
