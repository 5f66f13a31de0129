package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/tracking/internal/syncplan"
)

// SyncInput is one reconciler pass over a cohort.
type SyncInput struct {
	CohortKey        string
	SchoolURN        string
	LACode           string
	PassToken        int64
	Desired          []syncplan.Intervention
	MaxCloseFraction float64
	HoldMinCloses    int
	Force            bool
	// MaxAhead, when not 0, bounds how far the pass token may be ahead of
	// the last applied: a hub admin's forced sync may move the fence one
	// step, never so far that the reconciler's own passes go stale.
	MaxAhead int64
	Actor    string
	Today    time.Time
}

// SyncResult is what a sync did, and the cohort's active tasks after it.
type SyncResult struct {
	Created, Updated, Closed, Unchanged, Suppressed int
	Open                                            []Count
	// Pupils are the pupils whose tasks the sync created, updated or
	// closed, for the audit log.
	Pupils []string
}

// StalePassError refuses a pass older than the last one applied to the
// cohort: another reconciler has moved on.
type StalePassError struct{ Last int64 }

func (e *StalePassError) Error() string {
	return fmt.Sprintf("the pass token is older than pass %d, the last applied to this cohort", e.Last)
}

// ErrPassAhead refuses a fenced sync whose token is too far ahead.
var ErrPassAhead = errors.New("the pass token is too far ahead of the last one applied to this cohort")

// ErrCohortMismatch refuses a sync naming another school or local
// authority than the cohort's first sync did.
var ErrCohortMismatch = errors.New("the cohort was first synced for another school or local authority")

// Cohort is a row of tracking.cohorts.
type Cohort struct {
	Key, SchoolURN, LACode string
	LastPassToken          int64
}

// GetCohort returns the cohort with key.
func GetCohort(ctx context.Context, db DB, key string) (Cohort, error) {
	c := Cohort{Key: key}
	err := db.QueryRow(ctx, `SELECT school_urn, la_code, last_pass_token FROM tracking.cohorts WHERE cohort_key = $1`, key).
		Scan(&c.SchoolURN, &c.LACode, &c.LastPassToken)
	if errors.Is(err, pgx.ErrNoRows) {
		return Cohort{}, ErrNotFound
	}
	return c, err
}

// HeldError refuses a sync that would close too many of the cohort's active
// tasks at once.
type HeldError struct{ Closing, Active int }

func (e *HeldError) Error() string {
	return fmt.Sprintf("the sync would close %d of the cohort's %d open tasks", e.Closing, e.Active)
}

// Sync applies a pass in one transaction. The cohort's row is locked first,
// so syncs of one cohort run one after another and a stale pass is seen;
// the active tasks are locked too, so a caseworker's update made meanwhile
// waits rather than being closed under them.
func Sync(ctx context.Context, pool TxDB, in SyncInput) (SyncResult, error) {
	var res SyncResult
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		res = SyncResult{}
		if err := lockCohort(ctx, tx, in); err != nil {
			return err
		}
		active, err := activeTasks(ctx, tx, in.CohortKey)
		if err != nil {
			return err
		}
		snoozed, err := snoozedKeys(ctx, tx, in.CohortKey, in.Today)
		if err != nil {
			return err
		}
		plan := syncplan.Make(active, snoozed, in.Desired)
		if !in.Force && plan.Held(len(active), in.MaxCloseFraction, in.HoldMinCloses) {
			return &HeldError{Closing: len(plan.Close), Active: len(active)}
		}
		if res.Pupils, err = applyPlan(ctx, tx, in, plan); err != nil {
			return err
		}
		res.Created, res.Updated, res.Closed = len(plan.Create), len(plan.Update), len(plan.Close)
		res.Unchanged, res.Suppressed = plan.Unchanged, plan.Suppressed
		if _, err := tx.Exec(ctx, `UPDATE tracking.cohorts SET last_pass_token = $2, last_synced_at = now() WHERE cohort_key = $1`,
			in.CohortKey, in.PassToken); err != nil {
			return err
		}
		res.Open, err = openCounts(ctx, tx, in.CohortKey, in.Today)
		return err
	})
	return res, err
}

func lockCohort(ctx context.Context, tx pgx.Tx, in SyncInput) error {
	// The first sync fixes the cohort's school and local authority, which
	// its tasks are raised with and scoped by; a later sync must name the
	// same. The no-op update makes the statement lock and return an
	// existing row.
	var c Cohort
	err := tx.QueryRow(ctx, `
		INSERT INTO tracking.cohorts (cohort_key, school_urn, la_code) VALUES ($1, $2, $3)
		ON CONFLICT (cohort_key) DO UPDATE SET cohort_key = excluded.cohort_key
		RETURNING school_urn, la_code, last_pass_token`, in.CohortKey, in.SchoolURN, in.LACode).Scan(&c.SchoolURN, &c.LACode, &c.LastPassToken)
	if err != nil {
		return err
	}
	// INSERT ... ON CONFLICT DO UPDATE has locked the row until commit.
	switch {
	case c.SchoolURN != in.SchoolURN || c.LACode != in.LACode:
		return ErrCohortMismatch
	case in.PassToken < c.LastPassToken:
		return &StalePassError{Last: c.LastPassToken}
	case in.MaxAhead > 0 && in.PassToken > c.LastPassToken+in.MaxAhead:
		return ErrPassAhead
	}
	return nil
}

func activeTasks(ctx context.Context, tx pgx.Tx, cohortKey string) ([]syncplan.Task, error) {
	rows, err := tx.Query(ctx, `
		SELECT id, pupil_id, reason_code, priority, due_date, summary, evidence
		FROM tracking.tasks WHERE cohort_key = $1 AND `+activeSQL+`
		FOR UPDATE`, cohortKey)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (syncplan.Task, error) {
		var (
			t   syncplan.Task
			due time.Time
		)
		err := r.Scan(&t.ID, &t.PupilID, &t.Reason, &t.Priority, &due, &t.Summary, &t.Evidence)
		t.DueDate = due.Format(time.DateOnly)
		return t, err
	})
}

func snoozedKeys(ctx context.Context, tx pgx.Tx, cohortKey string, today time.Time) ([]syncplan.Key, error) {
	rows, err := tx.Query(ctx, `
		SELECT DISTINCT pupil_id, reason_code FROM tracking.tasks
		WHERE cohort_key = $1 AND status = 'dismissed' AND snooze_until > $2`, cohortKey, today)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (syncplan.Key, error) {
		var k syncplan.Key
		err := r.Scan(&k.PupilID, &k.Reason)
		return k, err
	})
}

// applyPlan writes the plan: creates and in-place updates go through one
// COPY into a staging table and one statement each; closes are one UPDATE
// over the ids. Every change is recorded in the tasks' histories. It returns
// the pupils touched.
func applyPlan(ctx context.Context, tx pgx.Tx, in SyncInput, plan syncplan.Plan) ([]string, error) {
	var pupils []string
	if len(plan.Create)+len(plan.Update) > 0 {
		if _, err := tx.Exec(ctx, `
			CREATE TEMPORARY TABLE sync_staging (
				task_id uuid, pupil_id uuid, reason_code text, priority smallint,
				due_date date, summary text, evidence jsonb
			) ON COMMIT DROP`); err != nil {
			return nil, err
		}
		rows := make([][]any, 0, len(plan.Create)+len(plan.Update))
		for _, c := range plan.Create {
			row, err := stagingRow(nil, c)
			if err != nil {
				return nil, err
			}
			rows = append(rows, row)
			pupils = append(pupils, c.PupilID)
		}
		for _, u := range plan.Update {
			id := u.TaskID
			row, err := stagingRow(&id, u.To)
			if err != nil {
				return nil, err
			}
			rows = append(rows, row)
			pupils = append(pupils, u.To.PupilID)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"pg_temp", "sync_staging"},
			[]string{"task_id", "pupil_id", "reason_code", "priority", "due_date", "summary", "evidence"},
			pgx.CopyFromRows(rows)); err != nil {
			return nil, fmt.Errorf("stage desired interventions: %w", err)
		}
		// ON CONFLICT DO NOTHING is a backstop: the plan was made under the
		// cohort's lock, so no active task can have appeared since.
		if _, err := tx.Exec(ctx, `
			WITH created AS (
				INSERT INTO tracking.tasks (cohort_key, school_urn, la_code, pupil_id, reason_code, priority, due_date, summary, evidence)
				SELECT $1, $2, $3, pupil_id, reason_code, priority, due_date, summary, evidence
				FROM pg_temp.sync_staging WHERE task_id IS NULL
				ON CONFLICT (cohort_key, pupil_id, reason_code) WHERE `+activeSQL+` DO NOTHING
				RETURNING id
			)
			INSERT INTO tracking.task_events (task_id, actor, kind, status, text)
			SELECT id, $4, 'created', 'open', '' FROM created`,
			in.CohortKey, in.SchoolURN, in.LACode, in.Actor); err != nil {
			return nil, fmt.Errorf("create tasks: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			WITH updated AS (
				UPDATE tracking.tasks t
				SET priority = s.priority, due_date = s.due_date, summary = s.summary, evidence = s.evidence,
				    version = t.version + 1, updated_at = now()
				FROM pg_temp.sync_staging s
				WHERE s.task_id IS NOT NULL AND t.id = s.task_id
				RETURNING t.id, t.status
			)
			INSERT INTO tracking.task_events (task_id, actor, kind, status, text)
			SELECT id, $1, 'updated_by_sync', status, 'priority, due date or evidence changed' FROM updated`,
			in.Actor); err != nil {
			return nil, fmt.Errorf("update tasks: %w", err)
		}
	}
	if len(plan.Close) > 0 {
		rows, err := tx.Query(ctx, `
			WITH closed AS (
				UPDATE tracking.tasks SET status = 'closed', version = version + 1, updated_at = now()
				WHERE id = ANY($1) AND `+activeSQL+`
				RETURNING id, pupil_id
			), logged AS (
				INSERT INTO tracking.task_events (task_id, actor, kind, status, text)
				SELECT id, $2, 'closed', 'closed', 'condition cleared' FROM closed
			)
			SELECT pupil_id FROM closed`, plan.Close, in.Actor)
		if err != nil {
			return nil, fmt.Errorf("close tasks: %w", err)
		}
		closed, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, fmt.Errorf("close tasks: %w", err)
		}
		pupils = append(pupils, closed...)
	}
	return pupils, nil
}

func stagingRow(taskID *string, i syncplan.Intervention) ([]any, error) {
	due, err := time.Parse(time.DateOnly, i.DueDate)
	if err != nil {
		return nil, fmt.Errorf("due date: %w", err)
	}
	evidence := i.Evidence
	if evidence == nil {
		evidence = map[string]string{}
	}
	return []any{taskID, i.PupilID, i.Reason, int16(i.Priority), due, i.Summary, evidence}, nil
}

func openCounts(ctx context.Context, db DB, cohortKey string, today time.Time) ([]Count, error) {
	rows, err := db.Query(ctx, `
		SELECT reason_code, priority, count(*), count(*) FILTER (WHERE due_date < $2)
		FROM tracking.tasks WHERE cohort_key = $1 AND `+activeSQL+`
		GROUP BY reason_code, priority
		ORDER BY reason_code, priority DESC`, cohortKey, today)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Count, error) {
		var c Count
		err := r.Scan(&c.Reason, &c.Priority, &c.Open, &c.Overdue)
		return c, err
	})
}
