package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/tracking/internal/lifecycle"
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

// activeSQL is the predicate of the partial indexes on tracking.tasks,
// written out so the planner can use them.
const activeSQL = `status IN ('open', 'assigned', 'in_progress')`

const taskColumns = `id, cohort_key, school_urn, la_code, pupil_id, reason_code, priority, due_date, summary, evidence,
	status, assignee, outcome, dismiss_reason, snooze_until, version, created_at, updated_at`

func scanTask(row pgx.Row) (Task, error) {
	var t Task
	err := row.Scan(&t.ID, &t.CohortKey, &t.SchoolURN, &t.LACode, &t.PupilID, &t.Reason, &t.Priority, &t.DueDate, &t.Summary, &t.Evidence,
		&t.Status, &t.Assignee, &t.Outcome, &t.DismissReason, &t.SnoozeUntil, &t.Version, &t.CreatedAt, &t.UpdatedAt)
	return t, err
}

func collectTasks(rows pgx.Rows) ([]Task, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Task, error) { return scanTask(r) })
}

// GetTask returns the task with id if it is in scope.
func GetTask(ctx context.Context, db DB, id string, s Scope) (Task, error) {
	t, err := scanTask(db.QueryRow(ctx, `SELECT `+taskColumns+` FROM tracking.tasks WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !s.Covers(t.SchoolURN, t.LACode)) {
		return Task{}, ErrNotFound
	}
	return t, err
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
	rows, err := db.Query(ctx, `SELECT kind, at, actor, status, action, text FROM tracking.task_events WHERE task_id = $1 ORDER BY id`, taskID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Event, error) {
		var e Event
		err := r.Scan(&e.Kind, &e.At, &e.Actor, &e.Status, &e.Action, &e.Text)
		return e, err
	})
}

// ErrStaleVersion refuses an update made against an older version of the
// task than the stored one.
var ErrStaleVersion = errors.New("the task has changed since it was read")

// UpdateTask applies a lifecycle move to the task with id, if it is in
// scope and still at version, and records it in the task's history with
// the move's event kind. It returns the updated task. Lifecycle refusals are
// returned as lifecycle's errors.
func UpdateTask(ctx context.Context, pool TxDB, id string, version int64, s Scope, actor string, move lifecycle.Move, today time.Time) (Task, error) {
	var out Task
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		t, err := scanTask(tx.QueryRow(ctx, `SELECT `+taskColumns+` FROM tracking.tasks WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !s.Covers(t.SchoolURN, t.LACode)) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if t.Version != version {
			return ErrStaleVersion
		}
		state := lifecycle.State{Status: t.Status, Assignee: t.Assignee, Outcome: t.Outcome, DismissReason: t.DismissReason}
		if t.SnoozeUntil != nil {
			state.SnoozeUntil = *t.SnoozeUntil
		}
		next, err := lifecycle.Apply(state, move, today)
		if err != nil {
			return err
		}
		var snooze *time.Time
		if !next.SnoozeUntil.IsZero() {
			snooze = &next.SnoozeUntil
		}
		out, err = scanTask(tx.QueryRow(ctx, `
			UPDATE tracking.tasks
			SET status = $2, assignee = $3, outcome = $4, dismiss_reason = $5, snooze_until = $6,
			    version = version + 1, updated_at = now()
			WHERE id = $1
			RETURNING `+taskColumns,
			id, next.Status, next.Assignee, next.Outcome, next.DismissReason, snooze))
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO tracking.task_events (task_id, actor, kind, status, text) VALUES ($1, $2, $3, $4, $5)`,
			id, actor, eventKind(move), next.Status, eventText(move))
		return err
	})
	return out, err
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
// the task with id if it is in scope, and returns the event. A task's school
// and local authority never change, so checking scope first is safe.
func AddNote(ctx context.Context, db DB, id string, s Scope, actor, action, text string) (Event, error) {
	if _, err := GetTask(ctx, db, id, s); err != nil {
		return Event{}, err
	}
	kind := "note"
	if action != "" {
		kind = "action"
	}
	e := Event{Kind: kind, Actor: actor, Action: action, Text: text}
	err := db.QueryRow(ctx, `
		INSERT INTO tracking.task_events (task_id, actor, kind, status, action, text)
		SELECT id, $2, $3, status, $4, $5 FROM tracking.tasks WHERE id = $1
		RETURNING at, status`,
		id, actor, kind, action, text).Scan(&e.At, &e.Status)
	return e, err
}
