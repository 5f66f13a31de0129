package store_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/lifecycle"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/syncplan"
	"github.com/nextstep-uk/nextstep/services/tracking/migrations"
)

// The Counter's answers are CountTasks' in SQL, for every scope and filter,
// after every kind of write to the tasks: syncs that create, update and
// close them (a pupil's and a cohort's own, some in another LA's queue),
// a caseworker's moves, a repair by hand, and a new day. One counter
// follows all the writes; a fresh one reads everything at once.
func TestCounterMatchesSQL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewPool(t, "tracking", migrations.FS)
	counter := store.NewCounter(pool)
	today := benchToday

	scopes := map[string]auth.Scope{
		"everything": auth.Everything(),
		"LA 336":     auth.LocalAuthorities("336"),
		"LA 337":     auth.LocalAuthorities("337"),
		"hub":        auth.LocalAuthorities("336", "337"),
		"no LA":      auth.LocalAuthorities(),
		"school 1":   auth.School("100001"),
		"school 2":   auth.School("100002"),
	}
	filters := map[string]store.QueueFilter{
		"none":      {},
		"LA 337":    {LACode: "337"},
		"school 2":  {SchoolURN: "100002"},
		"cohort c1": {CohortKey: "ns/c1"},
		"assignee":  {Assignee: "caseworker-1"},
	}
	byReason := cmpopts.SortSlices(func(a, b store.Count) bool {
		return cmp.Or(cmp.Compare(a.Reason, b.Reason), cmp.Compare(a.Priority, b.Priority)) < 0
	})
	check := func(step string, c *store.Counter) {
		t.Helper()
		for sn, s := range scopes {
			for fn, f := range filters {
				f.Today = today
				want, err := store.CountTasks(ctx, pool, s, f)
				if err != nil {
					t.Fatal(err)
				}
				got, err := c.Count(ctx, s, f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := gocmp.Diff(want, got, byReason, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("after %s, scope %s, filter %s: counter (-SQL +counter):\n%s", step, sn, fn, diff)
				}
			}
		}
	}

	rnd := rand.New(rand.NewPCG(17, 1))
	pupils := make([]string, 40)
	for i := range pupils {
		pupils[i] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1)
	}
	reasons := []string{"BEHIND_TRAJECTORY", "AT_RISK_OF_NEET", "DESTINATION_UNKNOWN"}
	cohorts := []struct{ key, school string }{{"ns/c1", "100001"}, {"ns/c2", "100001"}, {"ns/c3", "100002"}}
	pass := map[string]int64{}
	syncCohort := func(cohort int) {
		t.Helper()
		c := cohorts[cohort]
		pass[c.key]++
		in := store.SyncInput{CohortKey: c.key, SchoolURN: c.school, LACode: "336", PassToken: pass[c.key], Actor: "operator",
			Today: today, MaxCloseFraction: 1}
		for _, p := range pupils[cohort*10 : cohort*10+15] {
			if rnd.IntN(3) == 0 {
				continue
			}
			i := syncplan.Intervention{
				Key:      syncplan.Key{PupilID: p, Reason: reasons[rnd.IntN(len(reasons))]},
				Priority: 1 + rnd.IntN(4), DueDate: fmt.Sprintf("2026-%02d-15", 9+rnd.IntN(4)), Summary: "s",
			}
			if rnd.IntN(4) == 0 {
				i.LACode = "337" // lives in another LA: in its queue
			}
			in.Desired = append(in.Desired, i)
		}
		if rnd.IntN(2) == 0 {
			in.Desired = append(in.Desired, syncplan.Intervention{
				Key: syncplan.Key{Reason: "BEHIND_TRAJECTORY"}, Priority: 3, DueDate: "2026-10-01", Summary: "the cohort",
			})
		}
		if _, err := store.Sync(ctx, pool, in); err != nil {
			t.Fatal(err)
		}
	}
	// move makes m on a random active task in status.
	move := func(status lifecycle.Status, m lifecycle.Move) {
		t.Helper()
		tasks, err := store.ListTasks(ctx, pool, auth.Everything(), store.QueueFilter{Today: today, Statuses: []lifecycle.Status{status}}, nil, 500)
		if err != nil || len(tasks) == 0 {
			t.Fatalf("%s tasks: %d (err %v)", status, len(tasks), err)
		}
		task := tasks[rnd.IntN(len(tasks))]
		if _, err := store.UpdateTask(ctx, pool, task.ID, task.Version, auth.Everything(), "caseworker-1", m, today); err != nil {
			t.Fatal(err)
		}
	}

	check("nothing yet", counter)
	for round := range 4 {
		for c := range cohorts {
			syncCohort(c)
			check(fmt.Sprintf("round %d, sync of %s", round, cohorts[c].key), counter)
		}
		move(lifecycle.Open, lifecycle.Assign{Assignee: "caseworker-1"})
		move(lifecycle.Open, lifecycle.Assign{Assignee: "caseworker-2"})
		check(fmt.Sprintf("round %d, two assigned", round), counter)
		move(lifecycle.Assigned, lifecycle.Resolve{Outcome: "placed"})
		check(fmt.Sprintf("round %d, one resolved", round), counter)
	}
	if _, err := pool.Exec(ctx, `UPDATE tracking.tasks SET school_urn = '100002' WHERE cohort_key = 'ns/c1'`); err != nil {
		t.Fatal(err)
	}
	check("a repair by hand moving c1's tasks to school 2", counter)
	// A cohort with no task wanted any more: its tasks close, and it goes.
	pass["ns/c3"]++
	if _, err := store.Sync(ctx, pool, store.SyncInput{CohortKey: "ns/c3", SchoolURN: "100002", LACode: "336", PassToken: pass["ns/c3"],
		Actor: "operator", Today: today, MaxCloseFraction: 1}); err != nil {
		t.Fatal(err)
	}
	check("c3 with no task wanted", counter)
	today = today.AddDate(0, 1, 0)
	check("a month on", counter)
	check("a fresh counter's first read", store.NewCounter(pool))
}

// Calls made together share reads, and each still sees every write that
// finished before it began: here a writer checks the counter against SQL
// after each of its writes while eight readers keep calling.
func TestCounterConcurrentCalls(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewPool(t, "tracking", migrations.FS)
	counter := store.NewCounter(pool)
	f := store.QueueFilter{Today: benchToday}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 8 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := counter.Count(ctx, auth.LocalAuthorities("336"), f); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for pass := int64(1); pass <= 20; pass++ {
		in := store.SyncInput{CohortKey: "ns/c", SchoolURN: "100001", LACode: "336", PassToken: pass, Actor: "operator",
			Today: benchToday, MaxCloseFraction: 1}
		for i := range pass % 7 {
			in.Desired = append(in.Desired, syncplan.Intervention{
				Key:      syncplan.Key{PupilID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1), Reason: "BEHIND_TRAJECTORY"},
				Priority: 1 + int(i%4), DueDate: "2026-11-01", Summary: "s",
			})
		}
		if _, err := store.Sync(ctx, pool, in); err != nil {
			t.Fatal(err)
		}
		want, err := store.CountTasks(ctx, pool, auth.LocalAuthorities("336"), f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := counter.Count(ctx, auth.LocalAuthorities("336"), f)
		if err != nil {
			t.Fatal(err)
		}
		if got.Open != want.Open || got.Overdue != want.Overdue || len(got.ByReason) != len(want.ByReason) {
			t.Errorf("pass %d: counter %+v, SQL %+v", pass, got, want)
		}
	}
	close(stop)
	readers.Wait()
}
