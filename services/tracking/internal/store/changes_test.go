package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/nextstep-uk/nextstep/services/kit/changefeed"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store"
	"github.com/nextstep-uk/nextstep/services/tracking/migrations"
)

// The change feed lists each key that moved since a position, with the
// cohorts' values as they are now, and nothing else; a transaction that
// was open when a position was given, and commits after that answer, is
// listed by the next answer from it, never skipped, and what an answer
// listed is not listed again while that transaction stays open; more than
// an answer lists makes it truncated. The database is the test's own, so
// the answers are exact, whatever parallel tests run on the server.
func TestCohortChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewPool(t, "tracking", migrations.FS)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	const a, b, c = "00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b", "00000000-0000-4000-8000-00000000000c"
	const destination = `INSERT INTO tracking.destinations (idempotency_key, pupil_id, school_urn, la_code, kind, activity_code,
	                                                       effective_date, source, recorded_by)
	                     SELECT gen_random_uuid(), p, '100001', '336', 'intended', '540', DATE '2026-09-01', 'test', 'tester'
	                     FROM unnest($1::uuid[]) AS p`
	changes := func(after string) (store.Changes, string) {
		t.Helper()
		c, position, truncated, err := store.CohortChanges(ctx, pool, after)
		if err != nil || truncated {
			t.Fatalf("CohortChanges(%q): truncated %v, %v", after, truncated, err)
		}
		slices.Sort(c.PupilIDs)
		slices.SortFunc(c.Cohorts, func(x, y store.CohortChange) int { return cmpString(x.CohortKey, y.CohortKey) })
		return c, position
	}

	exec(destination, []string{a})
	// No position lists nothing and says where to start.
	first, start := changes("")
	if start == "" || len(first.PupilIDs) != 0 || len(first.Cohorts) != 0 {
		t.Fatalf("from none: %+v at %q, want nothing at a position", first, start)
	}

	// b's destination twice, a cohort synced (its token) and its tasks.
	exec(destination, []string{b, b})
	exec(destination, []string{b})
	exec(`INSERT INTO tracking.cohorts (cohort_key, school_urn, la_code) VALUES ('ns/c', '100001', '336')`)
	exec(`UPDATE tracking.cohorts SET last_pass_token = 4 WHERE cohort_key = 'ns/c'`)
	exec(`INSERT INTO tracking.cohort_revisions (cohort_key, revision) VALUES ('ns/c', 1), ('ns/d', 1)`)
	exec(`UPDATE tracking.cohort_revisions SET revision = 7 WHERE cohort_key = 'ns/d'`)
	got, next := changes(start)
	want := store.Changes{PupilIDs: []string{b},
		Cohorts: []store.CohortChange{{CohortKey: "ns/c", TasksRevision: 1, LastPassToken: 4}, {CohortKey: "ns/d", TasksRevision: 7}}}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("after the writes (-want +got):\n%s", diff)
	}
	if next == start {
		t.Errorf("position %q after writes, want a later one", next)
	}

	// A write in a transaction open across an answer: the answer does not
	// see it, and the next one from the position it gave does.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, destination, []string{c}); err != nil {
		t.Fatal(err)
	}
	exec(`UPDATE tracking.cohorts SET last_pass_token = 5 WHERE cohort_key = 'ns/c'`)
	got, late := changes(next)
	want = store.Changes{Cohorts: []store.CohortChange{{CohortKey: "ns/c", TasksRevision: 1, LastPassToken: 5}}}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("while a write is open (-want +got):\n%s", diff)
	}
	// While it stays open, what was listed is not listed again, and a
	// write after the last answer is.
	exec(destination, []string{a})
	got, late = changes(late)
	if diff := cmp.Diff(store.Changes{PupilIDs: []string{a}}, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("the open write still open (-want +got):\n%s", diff)
	}
	if got, _ := changes(late); len(got.PupilIDs) != 0 || len(got.Cohorts) != 0 {
		t.Errorf("nothing written since: %+v, want nothing", got)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := changes(late); !cmp.Equal(got, store.Changes{PupilIDs: []string{c}}, cmpopts.EquateEmpty()) {
		t.Errorf("after the open write committed: %+v, want c's alone", got)
	}

	// More than an answer lists.
	_, before := changes("")
	exec(`INSERT INTO tracking.pupil_revisions (pupil_id, revision)
	      SELECT gen_random_uuid(), 1 FROM generate_series(1, $1::int)`, changefeed.Limit+1)
	all, _, truncated, err := store.CohortChanges(ctx, pool, before)
	if err != nil || !truncated || len(all.PupilIDs)+len(all.Cohorts) != 0 {
		t.Errorf("after %d pupils moved: truncated %v, %d listed, %v; want truncated, none listed",
			changefeed.Limit+1, truncated, len(all.PupilIDs)+len(all.Cohorts), err)
	}
}
