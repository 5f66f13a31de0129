package store_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store"
	"github.com/nextstep-uk/nextstep/services/tracking/trackingbench"
)

var benchToday = trackingbench.Today

// benchPool opens the million-task database (trackingbench), building it
// the first time. Benchmarks only read it.
func benchPool(b *testing.B) *pgxpool.Pool {
	b.Helper()
	url, err := trackingbench.Database(context.Background())
	if err != nil {
		b.Fatalf("build the benchmark database: %v", err)
	}
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	return pool
}

// BenchmarkQueue reads 50-task pages of the active queue, most urgent
// first, for each kind of scope, from a million-task table: the first page
// and a page 20 pages deep (keyset pagination makes them cost the same).
func BenchmarkQueue(b *testing.B) {
	pool := benchPool(b)
	ctx := context.Background()
	scopes := map[string]struct {
		scope  auth.Scope
		filter store.QueueFilter
	}{
		"local_authority": {scope: auth.Scope{LACodes: []string{"333"}}},
		"hub":             {scope: auth.Scope{LACodes: []string{"333", "334"}}},
		"school":          {scope: auth.Scope{SchoolURN: "100123"}},
		"assignee":        {scope: auth.Scope{LACodes: []string{"333"}}, filter: store.QueueFilter{Assignee: "caseworker-3"}},
		"la_reason":       {scope: auth.Scope{LACodes: []string{"333"}}, filter: store.QueueFilter{Reason: "AT_RISK_OF_NEET"}},
		"la_overdue":      {scope: auth.Scope{LACodes: []string{"333"}}, filter: store.QueueFilter{OverdueOnly: true}},
		"la_priority":     {scope: auth.Scope{LACodes: []string{"333"}}, filter: store.QueueFilter{Priority: 3}},
	}
	for name, sc := range scopes {
		sc.filter.Today = benchToday
		// The cursor of page 20, found once.
		deep, err := store.ListTasks(ctx, pool, sc.scope, sc.filter, nil, 50*20)
		if err != nil {
			b.Fatal(err)
		}
		if len(deep) == 0 {
			b.Fatalf("%s: no tasks", name)
		}
		cursor := store.CursorAfter(deep[len(deep)-1])
		for page, after := range map[string]*store.QueueCursor{"first_page": nil, "page_20": &cursor} {
			b.Run(name+"/"+page, func(b *testing.B) {
				for b.Loop() {
					tasks, err := store.ListTasks(ctx, pool, sc.scope, sc.filter, after, 51)
					if err != nil {
						b.Fatal(err)
					}
					if len(tasks) == 0 {
						b.Fatal("empty page")
					}
				}
			})
		}
	}
}

// BenchmarkCountTasks is a local authority's dashboard figures.
func BenchmarkCountTasks(b *testing.B) {
	pool := benchPool(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := store.CountTasks(ctx, pool, auth.Scope{LACodes: []string{"333"}}, store.QueueFilter{Today: benchToday}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCounter is the same figures from store.Counter, which CountTasks
// answers from: its first read (every cohort counted) and a call when no
// task has changed since the last (the changes read, none found, the
// cohorts in scope summed). A call after a write also recounts the cohorts
// written to (make bench-queue measures that under load).
func BenchmarkCounter(b *testing.B) {
	pool := benchPool(b)
	ctx := context.Background()
	scope, f := auth.Scope{LACodes: []string{"333"}}, store.QueueFilter{Today: benchToday}
	b.Run("first_read", func(b *testing.B) {
		for b.Loop() {
			if _, err := store.NewCounter(pool).Count(ctx, scope, f); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unchanged", func(b *testing.B) {
		c := store.NewCounter(pool)
		if _, err := c.Count(ctx, scope, f); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := c.Count(ctx, scope, f); err != nil {
				b.Fatal(err)
			}
		}
	})
}
