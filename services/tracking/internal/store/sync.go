package store

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/tracking/internal/store/dbsqlc"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/syncplan"
)

// SyncInput is one reconciler pass over a cohort.
type SyncInput struct {
	CohortKey string
	SchoolURN string
	LACode    string
	PassToken int64
	// Desired are the tasks the cohort should have, each in the queue of
	// its LACode: the young person's LA of residence; one left empty is
	// in the cohort's (LACode, the school's).
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
	// Grouped are pupils' tasks closed into their cohort's task.
	Grouped int
	Open    []Count
	// Pupils are the pupils whose tasks the sync created, updated or
	// closed, for the audit log ('' for the cohort's own task).
	Pupils []string
	// TasksRevision is the cohort's tasks revision with the sync's own
	// writes (CohortTasksRevision), read in its transaction: what the
	// reconciler has seen once the sync is applied.
	TasksRevision int64
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
	r, err := queries.GetCohort(ctx, db, key)
	if errors.Is(err, pgx.ErrNoRows) {
		return Cohort{}, ErrNotFound
	}
	return Cohort{Key: key, SchoolURN: r.SchoolURN, LACode: r.LACode, LastPassToken: r.LastPassToken}, err
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
	for i := range in.Desired {
		if in.Desired[i].LACode == "" {
			in.Desired[i].LACode = in.LACode
		}
	}
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
		res.Created, res.Updated, res.Closed, res.Grouped = len(plan.Create), len(plan.Update), len(plan.Close), len(plan.Grouped)
		res.Unchanged, res.Suppressed = plan.Unchanged, plan.Suppressed
		if err := queries.SetCohortPassToken(ctx, tx, dbsqlc.SetCohortPassTokenParams{CohortKey: in.CohortKey, PassToken: in.PassToken}); err != nil {
			return err
		}
		if res.Open, err = openCounts(ctx, tx, in.CohortKey, in.Today); err != nil {
			return err
		}
		// After the writes, whose triggers have bumped it. Nothing else
		// moves it before the commit: other syncs wait for the cohort's
		// lock, and caseworkers move only active tasks, which are locked.
		// So it stands for exactly what this sync planned from and wrote.
		res.TasksRevision, err = CohortTasksRevision(ctx, tx, in.CohortKey)
		return err
	})
	return res, err
}

func lockCohort(ctx context.Context, tx pgx.Tx, in SyncInput) error {
	// The first sync fixes the cohort's school and local authority, which
	// its tasks are raised with and scoped by; a later sync must name the
	// same. LockCohort has locked the row until commit.
	c, err := queries.LockCohort(ctx, tx, dbsqlc.LockCohortParams{CohortKey: in.CohortKey, SchoolURN: in.SchoolURN, LACode: in.LACode})
	if err != nil {
		return err
	}
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
	rows, err := queries.LockActiveTasks(ctx, tx, cohortKey)
	if err != nil {
		return nil, err
	}
	out := make([]syncplan.Task, len(rows))
	for i, r := range rows {
		out[i] = syncplan.Task{ID: r.ID, Intervention: syncplan.Intervention{
			Key:      syncplan.Key{PupilID: r.PupilID, Reason: r.ReasonCode},
			Priority: int(r.Priority), DueDate: r.DueDate.Format(time.DateOnly), Summary: r.Summary, Evidence: r.Evidence,
			LACode: r.LACode,
		}}
	}
	return out, nil
}

func snoozedKeys(ctx context.Context, tx pgx.Tx, cohortKey string, today time.Time) ([]syncplan.Key, error) {
	rows, err := queries.SnoozedKeys(ctx, tx, dbsqlc.SnoozedKeysParams{CohortKey: cohortKey, Today: today})
	if err != nil {
		return nil, err
	}
	out := make([]syncplan.Key, len(rows))
	for i, r := range rows {
		out[i] = syncplan.Key{PupilID: r.PupilID, Reason: r.ReasonCode}
	}
	return out, nil
}

// syncStagingDDL creates the staging table, pg_temp.sync_staging, for the
// rest of the transaction. sqlc reads the same file as part of the schema,
// so the table is declared once.
//
//go:embed schema/sync_staging.sql
var syncStagingDDL string

// applyPlan writes the plan: creates and in-place updates go through one
// COPY into a staging table and one statement each; closes are one UPDATE
// over the ids. Every change is recorded in the tasks' histories. It returns
// the pupils touched.
func applyPlan(ctx context.Context, tx pgx.Tx, in SyncInput, plan syncplan.Plan) ([]string, error) {
	var pupils []string
	if len(plan.Create)+len(plan.Update) > 0 {
		if _, err := tx.Exec(ctx, syncStagingDDL); err != nil {
			return nil, err
		}
		staged := make([]dbsqlc.StageInterventionsParams, 0, len(plan.Create)+len(plan.Update))
		for _, c := range plan.Create {
			row, err := stagingRow(nil, c)
			if err != nil {
				return nil, err
			}
			staged = append(staged, row)
			pupils = append(pupils, c.PupilID)
		}
		for _, u := range plan.Update {
			id := u.TaskID
			row, err := stagingRow(&id, u.To)
			if err != nil {
				return nil, err
			}
			staged = append(staged, row)
			pupils = append(pupils, u.To.PupilID)
		}
		if _, err := queries.StageInterventions(ctx, tx, staged); err != nil {
			return nil, fmt.Errorf("stage desired interventions: %w", err)
		}
		if err := queries.CreateStagedTasks(ctx, tx, dbsqlc.CreateStagedTasksParams{
			CohortKey: in.CohortKey, SchoolURN: in.SchoolURN, Actor: in.Actor,
		}); err != nil {
			return nil, fmt.Errorf("create tasks: %w", err)
		}
		if err := queries.UpdateStagedTasks(ctx, tx, in.Actor); err != nil {
			return nil, fmt.Errorf("update tasks: %w", err)
		}
	}
	for _, c := range []struct {
		ids []string
		why string
	}{{plan.Close, "condition cleared"}, {plan.Grouped, "grouped into the cohort's task"}} {
		if len(c.ids) == 0 {
			continue
		}
		closed, err := queries.CloseTasks(ctx, tx, dbsqlc.CloseTasksParams{TaskIDs: c.ids, Actor: in.Actor, Why: c.why})
		if err != nil {
			return nil, fmt.Errorf("close tasks: %w", err)
		}
		pupils = append(pupils, closed...)
	}
	return pupils, nil
}

func stagingRow(taskID *string, i syncplan.Intervention) (dbsqlc.StageInterventionsParams, error) {
	due, err := time.Parse(time.DateOnly, i.DueDate)
	if err != nil {
		return dbsqlc.StageInterventionsParams{}, fmt.Errorf("due date: %w", err)
	}
	evidence := i.Evidence
	if evidence == nil {
		evidence = map[string]string{}
	}
	return dbsqlc.StageInterventionsParams{
		TaskID: taskID, PupilID: i.PupilID, ReasonCode: i.Reason, Priority: int16(i.Priority),
		DueDate: due, Summary: i.Summary, Evidence: evidence, LACode: i.LACode,
	}, nil
}

func openCounts(ctx context.Context, db DB, cohortKey string, today time.Time) ([]Count, error) {
	rows, err := queries.CohortOpenCounts(ctx, db, dbsqlc.CohortOpenCountsParams{CohortKey: cohortKey, Today: today})
	if err != nil {
		return nil, err
	}
	out := make([]Count, len(rows))
	for i, r := range rows {
		out[i] = Count{Reason: r.ReasonCode, Priority: int(r.Priority), Open: int(r.Open), Overdue: int(r.Overdue)}
	}
	return out, nil
}
