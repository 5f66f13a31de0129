package metrics_test

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/operator/internal/rules"
	"github.com/nextstep-uk/nextstep/operator/metrics"
)

// A pass replaces its cohort's series of open interventions and grouped
// reasons, and only its cohort's; a deleted cohort loses all of its own.
// The series are read as a scrape reads them, through a registry.
func TestObserveReplacesOnlyItsCohortsSeries(t *testing.T) {
	m := metrics.New()
	reg := prometheus.NewRegistry()
	if err := m.Register(reg); err != nil {
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
	if got := scraped(t, reg, metrics.InterventionsOpenName); len(got) != 3 {
		t.Fatalf("open-intervention series %v, want 3", got)
	}

	// Cohort a's next pass has one reason open and none grouped.
	m.Observe("ns", "a", "9", rules.Result{}, open("AT_RISK_OF_NEET"), now)
	m.ObserveGrouped("ns", "a", "9", nil)
	want := map[string]map[string]float64{
		metrics.InterventionsOpenName: {
			"cohort=a,namespace=ns,priority=high,reason=AT_RISK_OF_NEET,year_group=9":    3,
			"cohort=b,namespace=ns,priority=high,reason=BEHIND_TRAJECTORY,year_group=10": 3,
		},
		metrics.InterventionsOverdueName: {
			"cohort=a,namespace=ns,priority=high,reason=AT_RISK_OF_NEET,year_group=9":    1,
			"cohort=b,namespace=ns,priority=high,reason=BEHIND_TRAJECTORY,year_group=10": 1,
		},
		metrics.CohortGroupedPupilsName: {},
	}
	for name, series := range want {
		if got := scraped(t, reg, name); !maps.Equal(got, series) {
			t.Errorf("%s after cohort a's second pass: %v, want %v (cohort b's kept)", name, got, series)
		}
	}
	if v, ok := m.CohortValue(metrics.InterventionsOpenName, "ns", "b", "BEHIND_TRAJECTORY", "high"); !ok || v != 3 {
		t.Errorf("cohort b's series is %v (set: %v), want 3", v, ok)
	}

	m.SetSyncHeld("ns", "b", "10", true)
	if v, _ := m.CohortValue(metrics.CohortSyncHeldName, "ns", "b"); v != 1 {
		t.Errorf("cohort b's sync held is %v after SetSyncHeld, want 1", v)
	}
	m.Forget("ns", "a")
	if got := scraped(t, reg, metrics.InterventionsOpenName); len(got) != 1 {
		t.Errorf("open-intervention series %v after cohort a is forgotten, want cohort b's 1", got)
	}
	if got := scraped(t, reg, metrics.CohortMembersName); len(got) != 1 {
		t.Errorf("member series %v after cohort a is forgotten, want cohort b's 1", got)
	}
	if _, ok := m.CohortValue(metrics.CohortMembersName, "ns", "a"); ok {
		t.Error("cohort a still has a member series after it is forgotten")
	}
}

// scraped gathers reg and returns the series of the metric named name: each
// one's labels (name=value, by name, comma-separated) to its value.
func scraped(t *testing.T, reg *prometheus.Registry, name string) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			out[strings.Join(labels, ",")] = m.GetGauge().GetValue()
		}
	}
	return out
}
