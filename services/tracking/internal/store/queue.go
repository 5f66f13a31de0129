package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/lifecycle"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store/dbsqlc"
)

// activeSQL is the predicate of the partial indexes on tracking.tasks,
// written out so the planner can use them (the generated queries in
// queries/ write it out too).
const activeSQL = `status IN ('open', 'assigned', 'in_progress')`

// QueueFilter narrows a queue read within the caller's scope. Zero fields
// do not filter.
type QueueFilter struct {
	LACode    string
	SchoolURN string
	CohortKey string
	Assignee  string
	PupilID   string
	Reason    string
	Priority  int
	// OverdueOnly keeps tasks due before Today.
	OverdueOnly bool
	// Statuses are the statuses to read; the active ones when empty.
	Statuses []lifecycle.Status
	// Today is the date overdue is judged against.
	Today time.Time
}

// QueueCursor is the queue position after the last task of a page: the
// queue's sort key.
type QueueCursor struct {
	Rank    int       `json:"r"`
	DueDate time.Time `json:"d"`
	ID      string    `json:"i"`
}

// Valid implements pagetoken.Cursor: a rank a priority has (1 to 4), a due
// date PostgreSQL can hold, and an id.
func (c *QueueCursor) Valid() bool {
	return c.Rank >= 1 && c.Rank <= 4 && c.DueDate.Year() >= 1 && c.DueDate.Year() <= 9999 && pagetoken.UUID(c.ID)
}

func (f QueueFilter) where(s auth.Scope) *where {
	w := &where{}
	w.scope(s, "")
	if f.LACode != "" {
		w.add("la_code = ?", f.LACode)
	}
	if f.SchoolURN != "" {
		w.add("school_urn = ?", f.SchoolURN)
	}
	if f.CohortKey != "" {
		w.add("cohort_key = ?", f.CohortKey)
	}
	if f.Assignee != "" {
		w.add("assignee = ?", f.Assignee)
	}
	if f.PupilID != "" {
		w.add("pupil_id = ?", f.PupilID)
	}
	if f.Reason != "" {
		w.add("reason_code = ?", f.Reason)
	}
	if f.Priority != 0 {
		// By its rank, the queue indexes' second column, so the scan
		// starts and stops at the priority's tasks rather than reading
		// every more urgent one first and filtering (an LA's high-priority
		// page read 8,500 urgent rows to find its 50: 195 ms, now 0.4).
		w.add("queue_rank = ?", queueRank(f.Priority))
	}
	if onlyActive(f.Statuses) {
		w.add(activeSQL)
	} else {
		w.add("status = ANY(?)", f.Statuses)
	}
	if f.OverdueOnly {
		w.add(activeSQL)
		w.add("due_date < ?", f.Today)
	}
	return w
}

// onlyActive reports whether statuses are exactly the active ones (or none,
// meaning them), so the query can name the partial indexes' predicate.
func onlyActive(statuses []lifecycle.Status) bool {
	if len(statuses) == 0 {
		return true
	}
	s := slices.Clone(statuses)
	slices.Sort(s)
	s = slices.Compact(s)
	a := slices.Clone(lifecycle.Active)
	slices.Sort(a)
	return slices.Equal(s, a)
}

// ListTasks reads a page of the queue: tasks in scope matching f, most
// urgent first (priority, then due date, then id), after the cursor (nil for
// the first page). Keyset pagination keeps pages stable while tasks are
// added and closed.
//
// The queue's SQL is built here, not generated: its filters are optional and
// decide which partial index the planner can walk in queue order (where
// explains why that needs SQL built per combination). Its rows are the
// table's, read by name into the generated model.
func ListTasks(ctx context.Context, db DB, s auth.Scope, f QueueFilter, after *QueueCursor, limit int) ([]Task, error) {
	w := f.where(s)
	if after != nil {
		w.add("(queue_rank, due_date, id) > (?, ?, ?)", after.Rank, after.DueDate, after.ID)
	}
	rows, err := db.Query(ctx, fmt.Sprintf(`SELECT * FROM tracking.tasks WHERE %s ORDER BY queue_rank, due_date, id LIMIT %d`,
		w.sql(), limit), w.args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Task, error) {
		t, err := pgx.RowToStructByName[dbsqlc.TrackingTask](r)
		return taskOf(t), err
	})
}

// CursorAfter is the cursor that follows t.
func CursorAfter(t Task) QueueCursor {
	return QueueCursor{Rank: queueRank(t.Priority), DueDate: t.DueDate, ID: t.ID}
}

// queueRank is a priority's place in the queue, 1 (urgent) first: the
// table's generated queue_rank column, 5 - priority.
func queueRank(priority int) int { return 5 - priority }

// Count is the number of active tasks of one reason and priority.
type Count struct {
	Reason   string
	Priority int
	Open     int
	Overdue  int
	// CohortLevel are those of Open that are a cohort's own (CountTasks).
	CohortLevel int
}

// Counts are a dashboard's figures for the active tasks in scope.
type Counts struct {
	ByReason    []Count
	Open        int
	Overdue     int
	Unassigned  int
	CohortLevel int
}

// CountTasks counts the active tasks in scope matching f, by reason and
// priority. Like ListTasks, it is built from the queue's filters. The RPC
// answers from a Counter, which calls this for one assignee's counts.
func CountTasks(ctx context.Context, db DB, s auth.Scope, f QueueFilter) (Counts, error) {
	f.Statuses, f.OverdueOnly = nil, false
	w := f.where(s)
	args := append(slices.Clone(w.args), f.Today)
	rows, err := db.Query(ctx, fmt.Sprintf(`
		SELECT reason_code, priority, count(*) AS open, count(*) FILTER (WHERE due_date < $%d) AS overdue,
			count(*) FILTER (WHERE assignee = '') AS unassigned, count(*) FILTER (WHERE pupil_id IS NULL) AS cohort_level
		FROM tracking.tasks WHERE %s
		GROUP BY reason_code, priority
		ORDER BY reason_code, priority DESC`, len(args), w.sql()), args...)
	if err != nil {
		return Counts{}, err
	}
	// Read by the names the statement gives its columns.
	type countRow struct {
		ReasonCode  string `db:"reason_code"`
		Priority    int    `db:"priority"`
		Open        int    `db:"open"`
		Overdue     int    `db:"overdue"`
		Unassigned  int    `db:"unassigned"`
		CohortLevel int    `db:"cohort_level"`
	}
	counted, err := pgx.CollectRows(rows, pgx.RowToStructByName[countRow])
	if err != nil {
		return Counts{}, err
	}
	var c Counts
	for _, r := range counted {
		c.ByReason = append(c.ByReason, Count{Reason: r.ReasonCode, Priority: r.Priority, Open: r.Open, Overdue: r.Overdue, CohortLevel: r.CohortLevel})
		c.Open += r.Open
		c.Overdue += r.Overdue
		c.Unassigned += r.Unassigned
		c.CohortLevel += r.CohortLevel
	}
	return c, nil
}
