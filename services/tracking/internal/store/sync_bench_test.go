package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/syncplan"
	"github.com/nextstep-uk/nextstep/services/tracking/migrations"
)

// BenchmarkSync syncs a large cohort's desired set of 2,000 interventions,
// alternating between two sets that differ in a tenth of their keys, so
// each pass creates 200 tasks, closes 200 and leaves 1,800 alone; and
// re-applies an unchanged set, the reconciler's usual pass.
func BenchmarkSync(b *testing.B) {
	const size = 2000
	pool := dbtest.NewPool(b, "tracking", migrations.FS)
	ctx := context.Background()
	set := func(offset int) []syncplan.Intervention {
		out := make([]syncplan.Intervention, size)
		for i := range out {
			out[i] = syncplan.Intervention{
				Key:      syncplan.Key{PupilID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i+offset), Reason: "BEHIND_TRAJECTORY"},
				Priority: 2, DueDate: "2026-12-01", Summary: "3 of 6 expected days",
				Evidence: map[string]string{"days_credited": "3", "days_expected": "6"},
			}
		}
		return out
	}
	sets := [][]syncplan.Intervention{set(0), set(size / 10)}
	pass := int64(0)
	sync := func(b *testing.B, desired []syncplan.Intervention) store.SyncResult {
		pass++
		res, err := store.Sync(ctx, pool, store.SyncInput{
			CohortKey: "bench/cohort", SchoolURN: "100001", LACode: "336", PassToken: pass,
			Desired: desired, Actor: "bench", Today: benchToday,
		})
		if err != nil {
			b.Fatal(err)
		}
		return res
	}
	sync(b, sets[0])
	b.Run("churn_10pct", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			if res := sync(b, sets[i%2]); res.Created != size/10 || res.Closed != size/10 {
				b.Fatalf("created %d closed %d", res.Created, res.Closed)
			}
		}
	})
	b.Run("unchanged", func(b *testing.B) {
		sync(b, sets[0])
		for b.Loop() {
			if res := sync(b, sets[0]); res.Unchanged != size {
				b.Fatalf("unchanged %d, want %d", res.Unchanged, size)
			}
		}
	})
}
