package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/lifecycle"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/syncplan"
	"github.com/nextstep-uk/nextstep/services/tracking/migrations"
)

// The triggers of migrations/00007 bump a key once per statement that
// inserts, updates or deletes its rows, old key and new, and nothing for a
// statement that touches no row. The API tests cover the writes the
// service makes; these cover every kind of statement, as a repair by hand
// would make them.
func TestRevisionTriggers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewPool(t, "tracking", migrations.FS)
	const a, b, c = "00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b", "00000000-0000-4000-8000-00000000000c"
	pupils := func() map[string]int64 {
		t.Helper()
		out := map[string]int64{}
		for _, id := range []string{a, b, c} {
			r, err := store.CohortRevision(ctx, pool, "ns/none", []string{id})
			if err != nil {
				t.Fatal(err)
			}
			out[id] = r.Pupils
		}
		return out
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	const insert = `INSERT INTO tracking.destinations (idempotency_key, pupil_id, school_urn, la_code, kind, activity_code,
	                                                  effective_date, source, recorded_by)
	                SELECT gen_random_uuid(), p, '100001', '336', 'intended', '540', DATE '2026-09-01', 'test', 'tester'
	                FROM unnest($1::uuid[]) AS p`
	steps := []struct {
		name string
		sql  string
		args []any
		want map[string]int64
	}{
		{"three rows of a and one of b, one statement", insert, []any{[]string{a, a, a, b}}, map[string]int64{a: 1, b: 1}},
		{"a's rows updated", `UPDATE tracking.destinations SET source = 'fixed' WHERE pupil_id = $1`, []any{a}, map[string]int64{a: 2, b: 1}},
		{"an update of no row", `UPDATE tracking.destinations SET source = 'x' WHERE pupil_id = $1`, []any{c}, map[string]int64{a: 2, b: 1}},
		{"b's row moved to c", `UPDATE tracking.destinations SET pupil_id = $2 WHERE pupil_id = $1`, []any{b, c}, map[string]int64{a: 2, b: 2, c: 1}},
		{"a's rows deleted", `DELETE FROM tracking.destinations WHERE pupil_id = $1`, []any{a}, map[string]int64{a: 3, b: 2, c: 1}},
	}
	for _, s := range steps {
		exec(s.sql, s.args...)
		want := map[string]int64{a: 0, b: 0, c: 0}
		for k, v := range s.want {
			want[k] = v
		}
		if diff := cmp.Diff(want, pupils()); diff != "" {
			t.Errorf("after %s, pupils' revisions (-want +got):\n%s", s.name, diff)
		}
	}
	if r, err := store.CohortRevision(ctx, pool, "ns/none", []string{a, b, c, a}); err != nil || r != (store.Revision{Pupils: 6}) {
		t.Errorf("revision of a, b, c and a again, a cohort never synced = %+v (err %v), want pupils 6: each pupil once", r, err)
	}
	if r, err := store.CohortRevision(ctx, pool, "ns/none", nil); err != nil || r != (store.Revision{}) {
		t.Errorf("revision of no pupils = %+v (err %v), want 0", r, err)
	}

	// Tasks, by cohort.
	exec(`INSERT INTO tracking.cohorts (cohort_key, school_urn, la_code) VALUES ('ns/x', '100001', '336'), ('ns/y', '100001', '336')`)
	cohorts := func() map[string]int64 {
		t.Helper()
		out := map[string]int64{}
		for _, key := range []string{"ns/x", "ns/y", "ns/never"} {
			r, err := store.CohortTasksRevision(ctx, pool, key)
			if err != nil {
				t.Fatal(err)
			}
			out[key] = r
		}
		return out
	}
	taskSteps := []struct {
		name string
		sql  string
		want map[string]int64
	}{
		{"two tasks of x", `INSERT INTO tracking.tasks (cohort_key, school_urn, la_code, pupil_id, reason_code, priority, due_date, summary)
		                    SELECT 'ns/x', '100001', '336', p, 'BEHIND_TRAJECTORY', 2, DATE '2026-12-01', 's'
		                    FROM unnest(ARRAY['` + a + `', '` + b + `']::uuid[]) AS p`, map[string]int64{"ns/x": 1}},
		{"one moved to y", `UPDATE tracking.tasks SET cohort_key = 'ns/y' WHERE pupil_id = '` + a + `'`, map[string]int64{"ns/x": 2, "ns/y": 1}},
		{"a closing of none", `UPDATE tracking.tasks SET status = 'closed' WHERE false`, map[string]int64{"ns/x": 2, "ns/y": 1}},
		{"history only", `INSERT INTO tracking.task_events (task_id, actor, kind, status) SELECT id, 'tester', 'note', status FROM tracking.tasks`,
			map[string]int64{"ns/x": 2, "ns/y": 1}},
		{"history deleted", `DELETE FROM tracking.task_events`, map[string]int64{"ns/x": 2, "ns/y": 1}},
		{"both deleted, one statement", `DELETE FROM tracking.tasks`, map[string]int64{"ns/x": 3, "ns/y": 2}},
	}
	for _, s := range taskSteps {
		exec(s.sql)
		want := map[string]int64{"ns/x": 0, "ns/y": 0, "ns/never": 0}
		for k, v := range s.want {
			want[k] = v
		}
		if diff := cmp.Diff(want, cohorts()); diff != "" {
			t.Errorf("after %s, cohorts' tasks revisions (-want +got):\n%s", s.name, diff)
		}
	}
}

// A sync answers the cohort's tasks revision with its own writes; one that
// writes nothing answers the same as before; a caseworker's move bumps it.
func TestSyncTasksRevision(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewPool(t, "tracking", migrations.FS)
	pass := int64(0)
	sync := func(pupils ...string) store.SyncResult {
		t.Helper()
		pass++
		in := store.SyncInput{CohortKey: "ns/cohort", SchoolURN: "100001", LACode: "336", PassToken: pass, Actor: "operator", Today: benchToday}
		for _, p := range pupils {
			in.Desired = append(in.Desired, syncplan.Intervention{
				Key: syncplan.Key{PupilID: p, Reason: "BEHIND_TRAJECTORY"}, Priority: 2, DueDate: "2026-12-01", Summary: "s",
			})
		}
		res, err := store.Sync(ctx, pool, in)
		if err != nil {
			t.Fatal(err)
		}
		if stored, err := store.CohortTasksRevision(ctx, pool, "ns/cohort"); err != nil || stored != res.TasksRevision {
			t.Fatalf("the sync answered revision %d, the store says %d (err %v)", res.TasksRevision, stored, err)
		}
		return res
	}
	const a, b = "00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b"
	if r := sync().TasksRevision; r != 0 {
		t.Errorf("a first sync with nothing to do answered %d, want 0", r)
	}
	created := sync(a, b).TasksRevision
	if created != 1 {
		t.Errorf("creating two tasks (one statement) answered %d, want 1", created)
	}
	if r := sync(a, b).TasksRevision; r != created {
		t.Errorf("a sync that changed nothing answered %d, want %d", r, created)
	}
	closed := sync(a).TasksRevision
	if closed != created+1 {
		t.Errorf("closing b's task answered %d, want %d", closed, created+1)
	}
	tasks, err := store.ListTasks(ctx, pool, auth.Everything(), store.QueueFilter{CohortKey: "ns/cohort"}, nil, 10)
	if err != nil || len(tasks) != 1 {
		t.Fatalf("active tasks: %v (err %v)", tasks, err)
	}
	if _, err := store.UpdateTask(ctx, pool, tasks[0].ID, tasks[0].Version, auth.Everything(), "caseworker", lifecycle.Assign{Assignee: "caseworker"}, benchToday); err != nil {
		t.Fatal(err)
	}
	if r, err := store.CohortTasksRevision(ctx, pool, "ns/cohort"); err != nil || r != closed+1 {
		t.Errorf("after a caseworker's move the revision is %d (err %v), want %d", r, err, closed+1)
	}
	if r := sync(a).TasksRevision; r != closed+1 {
		t.Errorf("a sync after the move that changed nothing answered %d, want %d", r, closed+1)
	}
	if _, _, err := store.AddNote(ctx, pool, tasks[0].ID, auth.Everything(), "caseworker", "", "rang home"); err != nil {
		t.Fatal(err)
	}
	if r, err := store.CohortTasksRevision(ctx, pool, "ns/cohort"); err != nil || r != closed+1 {
		t.Errorf("after a note the revision is %d (err %v), want %d: history is no change to the task", r, err, closed+1)
	}
}

// Each write to a task takes its cohort's revision row until the commit, so
// a bulk update that wrote its tasks in id order could deadlock with another
// over two cohorts: one holding x's row and waiting for y's, the other
// holding y's and waiting for x's. BulkUpdate writes cohort by cohort.
func TestBulkUpdatesAcrossCohortsDoNotDeadlock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewPool(t, "tracking", migrations.FS)
	// Ids ordered so that one update's tasks are x's then y's, and the
	// other's y's then x's.
	const t1, t2, t3, t4 = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002",
		"00000000-0000-4000-8000-000000000003", "00000000-0000-4000-8000-000000000004"
	if _, err := pool.Exec(ctx, `
		INSERT INTO tracking.cohorts (cohort_key, school_urn, la_code) VALUES ('ns/x', '100001', '336'), ('ns/y', '100001', '336');
		INSERT INTO tracking.tasks (id, cohort_key, school_urn, la_code, pupil_id, reason_code, priority, due_date, summary)
		SELECT id::uuid, cohort, '100001', '336', id::uuid, 'BEHIND_TRAJECTORY', 2, DATE '2026-12-01', 's'
		FROM (VALUES ('`+t1+`', 'ns/x'), ('`+t2+`', 'ns/y'), ('`+t3+`', 'ns/y'), ('`+t4+`', 'ns/x')) AS v (id, cohort)`); err != nil {
		t.Fatal(err)
	}
	for round := range 40 {
		errs := make(chan error, 2)
		for _, ids := range [][]string{{t1, t2}, {t3, t4}} {
			go func() {
				out, err := store.BulkUpdate(ctx, pool, ids, auth.Everything(), "caseworker",
					store.BulkChange{Move: lifecycle.Assign{Assignee: fmt.Sprintf("caseworker-%d", round)}}, benchToday)
				for _, o := range out {
					if err == nil && o.Err != nil {
						err = o.Err
					}
				}
				errs <- err
			}()
		}
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
	for _, key := range []string{"ns/x", "ns/y"} {
		// Two moves of each cohort's tasks a round.
		if r, err := store.CohortTasksRevision(ctx, pool, key); err != nil || r != 1+2*40 {
			t.Errorf("%s's revision is %d (err %v), want %d", key, r, err, 1+2*40)
		}
	}
}
