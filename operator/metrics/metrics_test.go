package metrics_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/operator/internal/rules"
	"github.com/nextstep-uk/nextstep/operator/metrics"
)

// A pass replaces its cohort's series of open interventions and grouped
// reasons, and only its cohort's; a deleted cohort loses all of its own.
func TestObserveReplacesOnlyItsCohortsSeries(t *testing.T) {
	m := metrics.New()
	if err := m.Register(prometheus.NewRegistry()); err != nil {
		t.Fatal(err)
	}
	open := func(reasons ...string) []*trackingv1.OpenCount {
		var out []*trackingv1.OpenCount
		for _, r := range reasons {
			out = append(out, &trackingv1.OpenCount{ReasonCode: r, Priority: trackingv1.Priority_PRIORITY_HIGH, Open: 3, Overdue: 1})
		}
		return out
	}
	now := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	m.Observe("ns", "a", "9", rules.Result{}, open("BEHIND_TRAJECTORY", "AT_RISK_OF_NEET"), now)
	m.Observe("ns", "b", "10", rules.Result{}, open("BEHIND_TRAJECTORY"), now)
	m.ObserveGrouped("ns", "a", "9", map[string]int{"BEHIND_TRAJECTORY": 150})
	if n := testutil.CollectAndCount(m.InterventionsOpen); n != 3 {
		t.Fatalf("%d open-intervention series, want 3", n)
	}

	// Cohort a's next pass has one reason open and none grouped.
	m.Observe("ns", "a", "9", rules.Result{}, open("AT_RISK_OF_NEET"), now)
	m.ObserveGrouped("ns", "a", "9", nil)
	for gauge, want := range map[*prometheus.GaugeVec]int{m.InterventionsOpen: 2, m.InterventionsOverdue: 2, m.CohortGroupedPupils: 0} {
		if n := testutil.CollectAndCount(gauge); n != want {
			t.Errorf("%d series after cohort a's second pass, want %d (cohort b's kept)", n, want)
		}
	}
	if v := testutil.ToFloat64(m.InterventionsOpen.WithLabelValues("ns", "b", "10", "BEHIND_TRAJECTORY", "high")); v != 3 {
		t.Errorf("cohort b's series is %v, want 3", v)
	}

	m.Forget("ns", "a")
	if n := testutil.CollectAndCount(m.InterventionsOpen); n != 1 {
		t.Errorf("%d series after cohort a is forgotten, want cohort b's 1", n)
	}
	if n := testutil.CollectAndCount(m.CohortMembers); n != 1 {
		t.Errorf("%d member series after cohort a is forgotten, want cohort b's 1", n)
	}
}

// BenchmarkObservePass is one pass's metrics over England's 15,000
// cohorts, each with three reasons open and one grouped: its cost must
// grow with the cohorts, not with their square.
func BenchmarkObservePass(b *testing.B) {
	m := metrics.New()
	if err := m.Register(prometheus.NewRegistry()); err != nil {
		b.Fatal(err)
	}
	const cohorts = 15000
	names := make([]string, cohorts)
	for i := range names {
		names[i] = "cohort-" + strconv.Itoa(i)
	}
	open := []*trackingv1.OpenCount{
		{ReasonCode: "BEHIND_TRAJECTORY", Priority: trackingv1.Priority_PRIORITY_NORMAL, Open: 30},
		{ReasonCode: "AT_RISK_OF_NEET", Priority: trackingv1.Priority_PRIORITY_HIGH, Open: 4},
		{ReasonCode: "DESTINATION_UNKNOWN", Priority: trackingv1.Priority_PRIORITY_NORMAL, Open: 12},
	}
	grouped := map[string]int{"NO_EMPLOYER_ENCOUNTER": 120}
	now := time.Now()
	pass := func() {
		for _, c := range names {
			m.Observe("ns", c, "9", rules.Result{}, open, now)
			m.ObserveGrouped("ns", c, "9", grouped)
		}
	}
	pass()
	b.ResetTimer()
	for range b.N {
		pass()
	}
}
