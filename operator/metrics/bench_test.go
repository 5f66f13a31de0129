package metrics_test

import (
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/api/riskscale"
	"github.com/nextstep-uk/nextstep/operator/internal/rules"
	"github.com/nextstep-uk/nextstep/operator/metrics"
)

// englandCohortCount is England's cohorts: 3,000 schools, Years 7 to 11.
const englandCohortCount = 15000

// englandCohorts are England's 15,000 cohorts' metrics after a pass, each
// with three risk bands, three reasons open and one grouped: the operator's
// metrics and a registry holding them, and the pass that set them.
func englandCohorts(b *testing.B) (m *metrics.Metrics, reg *prometheus.Registry, pass func(), held float64) {
	m = metrics.New()
	reg = prometheus.NewRegistry()
	if err := m.Register(reg); err != nil {
		b.Fatal(err)
	}
	names := make([]string, englandCohortCount)
	for i := range names {
		names[i] = "cohort-" + strconv.Itoa(i)
	}
	open := []*trackingv1.OpenCount{
		{ReasonCode: "BEHIND_TRAJECTORY", Priority: trackingv1.Priority_PRIORITY_NORMAL, Open: 30},
		{ReasonCode: "AT_RISK_OF_NEET", Priority: trackingv1.Priority_PRIORITY_HIGH, Open: 4},
		{ReasonCode: "DESTINATION_UNKNOWN", Priority: trackingv1.Priority_PRIORITY_NORMAL, Open: 12},
	}
	grouped := map[string]int{"NO_EMPLOYER_ENCOUNTER": 120}
	ev := rules.Result{Counts: rules.Counts{Total: 200, RiskBands: map[riskscale.Band]int32{riskscale.Low: 150, riskscale.Medium: 40, riskscale.High: 10}}}
	now := time.Now()
	pass = func() {
		for _, c := range names {
			m.Observe("ns", c, "9", ev, open, now)
			m.ObserveGrouped("ns", c, "9", grouped)
		}
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	pass()
	runtime.GC()
	runtime.ReadMemStats(&after)
	held = float64(after.HeapAlloc-before.HeapAlloc) / englandCohortCount
	return m, reg, pass, held
}

// BenchmarkObservePass is one pass's metrics over England's 15,000
// cohorts: its cost must grow with the cohorts, not with their square.
// held-B/cohort is the live heap the cohorts' series hold between passes.
func BenchmarkObservePass(b *testing.B) {
	_, _, pass, held := englandCohorts(b)
	b.ResetTimer()
	for range b.N {
		pass()
	}
	b.ReportMetric(held, "held-B/cohort")
}

// BenchmarkGather is one scrape of England's 15,000 cohorts' series (about
// 400,000), up to the text encoding: what a scrape allocates (B/op), and
// what it holds at once when Gather returns (scrape-held-B/cohort).
func BenchmarkGather(b *testing.B) {
	_, reg, _, _ := englandCohorts(b)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	families, err := reg.Gather()
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(families)
	held := float64(after.HeapAlloc-before.HeapAlloc) / englandCohortCount
	b.ResetTimer()
	for range b.N {
		if _, err := reg.Gather(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(held, "scrape-held-B/cohort")
}
