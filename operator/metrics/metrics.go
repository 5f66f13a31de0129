// Package metrics defines the Prometheus metrics the operator exports. They
// are per cohort and per reason, never per pupil: labels carry the Cohort's
// namespace and name, its year group, a reason code or a priority, a
// local authority's code (measures.go) or an employer sector and size band
// (employers.go), and nothing that identifies a child. The chart's alerts
// and dashboards query these names; a test in charts/ checks that every
// name they use is defined here or in the services' kit.
package metrics

import (
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/operator/internal/rules"
)

// Pupil states counted by CohortPupils. A pupil can be in more than one of
// behind, destination_unknown and at_risk; on_track means none of them.
const (
	StateOnTrack            = "on_track"
	StateBehind             = "behind"
	StateDestinationUnknown = "destination_unknown"
	StateAtRisk             = "at_risk"
)

// Sources the reconciler reads, as the source label's values.
const (
	SourcePupil     = "pupil"
	SourcePlacement = "placement"
	SourceTracking  = "tracking"
)

// Results of a reconcile pass, as the result label's values.
const (
	ResultSynced     = "synced"
	ResultIncomplete = "incomplete" // a source failed: nothing was closed
	ResultHeld       = "held"       // tracking refused a mass closure
	ResultFenced     = "fenced"     // tracking has applied a later pass than any this cluster claimed
	ResultError      = "error"
	ResultUnchanged  = "unchanged" // nothing the pass reads changed since the last applied: passed over
)

var cohortLabels = []string{"namespace", "cohort", "year_group"}

// Metrics are the operator's collectors.
type Metrics struct {
	// ReconcileDuration is the time a pass over one cohort takes.
	ReconcileDuration *prometheus.HistogramVec
	// Reconciles counts passes by result.
	Reconciles *prometheus.CounterVec
	// SourceErrors counts failed reads of a source service.
	SourceErrors *prometheus.CounterVec
	// Measures are DfE's measures per LA of residence.
	Measures Measures
	// Employers are the places booked and days credited by employer
	// sector and size band.
	Employers Employers

	// cohorts are the gauges labelled by cohort (cohorts.go): set by
	// Observe, ObserveGrouped and the Set methods, removed by Forget.
	cohorts *cohortSeries
}

// New returns the operator's metrics, not yet registered.
func New() *Metrics {
	return &Metrics{
		cohorts: newCohortSeries(),
		ReconcileDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "nextstep_reconcile_duration_seconds",
			Help:    "Time one reconcile pass over a cohort takes.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, nil),
		Reconciles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nextstep_reconciles_total",
			Help: "Reconcile passes by result (synced, incomplete, held, fenced, error).",
		}, []string{"result"}),
		SourceErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nextstep_source_errors_total",
			Help: "Failed reads of a source service (pupil, placement, tracking).",
		}, []string{"source"}),
		Measures:  newMeasures(),
		Employers: newEmployers(),
	}
}

// Collectors returns every collector, for registration.
func (m *Metrics) Collectors() []prometheus.Collector {
	out := append([]prometheus.Collector{m.ReconcileDuration, m.Reconciles, m.SourceErrors}, m.Measures.collectors()...)
	return append(append(out, m.Employers.collectors()...), m.cohorts)
}

// Register registers every collector with reg.
func (m *Metrics) Register(reg prometheus.Registerer) error {
	for _, c := range m.Collectors() {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Observe sets a cohort's gauges after a pass. Series for reasons and
// priorities with nothing open, and risk bands with no pupils counted, are
// removed, not left at their old values.
func (m *Metrics) Observe(namespace, cohort, yearGroup string, ev rules.Result, open []*trackingv1.OpenCount, syncedAt time.Time) {
	g, c := &m.cohorts.gauges, ev.Counts
	m.cohorts.update(namespace, cohort, yearGroup, func(vs *values) {
		vs.set(g.members, float64(c.Total))
		for state, n := range map[string]int32{StateOnTrack: c.OnTrack, StateBehind: c.Behind, StateDestinationUnknown: c.DestinationUnknown, StateAtRisk: c.AtRisk} {
			vs.set(g.pupils, float64(n), state)
		}
		vs.drop(g.riskBand, g.interventionsOpen, g.interventionsOverdue)
		for band, n := range c.RiskBands {
			vs.set(g.riskBand, float64(n), string(band))
		}
		vs.set(g.septemberGuarantee, float64(c.SeptemberGuarantee), "cohort")
		vs.set(g.septemberGuarantee, float64(c.SeptemberGuaranteeOffers), "offer")
		vs.set(g.employerEncounter, float64(c.EmployerEncounter))
		for i, group := range []string{rules.Disadvantaged: "disadvantaged", rules.Others: "other"} {
			gr := c.Groups[i]
			vs.set(g.groupPupils, float64(gr.Pupils), group, "members")
			vs.set(g.groupPupils, float64(gr.WithExperience), group, "with_experience")
			vs.set(g.groupHalfDays, float64(gr.HalfDays), group)
		}
		vs.set(g.daysExpected, float64(ev.ExpectedHalfDays)/2)
		mean := 0.0
		if c.Total > 0 {
			mean = float64(c.HalfDaysCredited) / 2 / float64(c.Total)
		}
		vs.set(g.daysCreditedMean, mean)
		vs.set(g.destinationsKnown, float64(c.DestinationsKnown))
		vs.set(g.dataComplete, 1)
		vs.set(g.syncHeld, 0)
		vs.set(g.syncFenced, 0)
		vs.set(g.lastSync, float64(syncedAt.Unix()))
		for _, o := range open {
			vs.set(g.interventionsOpen, float64(o.GetOpen()), o.GetReasonCode(), priorityLabel(o.GetPriority()))
			vs.set(g.interventionsOverdue, float64(o.GetOverdue()), o.GetReasonCode(), priorityLabel(o.GetPriority()))
		}
	})
}

// ObserveGrouped sets the pupils of each reason grouped at the cohort's
// level (tracking's reason code to pupils), removing the series of reasons
// no longer grouped.
func (m *Metrics) ObserveGrouped(namespace, cohort, yearGroup string, grouped map[string]int) {
	g := m.cohorts.gauges.groupedPupils
	m.cohorts.update(namespace, cohort, yearGroup, func(vs *values) {
		vs.drop(g)
		for reason, n := range grouped {
			vs.set(g, float64(n), reason)
		}
	})
}

// SetDataComplete sets whether the cohort's last pass read a complete
// snapshot from every source.
func (m *Metrics) SetDataComplete(namespace, cohort, yearGroup string, complete bool) {
	m.setFlag(m.cohorts.gauges.dataComplete, namespace, cohort, yearGroup, complete)
}

// SetSyncHeld sets whether tracking holds the cohort's sync as a mass
// closure.
func (m *Metrics) SetSyncHeld(namespace, cohort, yearGroup string, held bool) {
	m.setFlag(m.cohorts.gauges.syncHeld, namespace, cohort, yearGroup, held)
}

// SetSyncFenced sets whether tracking refuses the cohort's syncs as older
// than a pass it applied.
func (m *Metrics) SetSyncFenced(namespace, cohort, yearGroup string, fenced bool) {
	m.setFlag(m.cohorts.gauges.syncFenced, namespace, cohort, yearGroup, fenced)
}

// SetLastSync sets when the cohort was last known in sync, to the
// millisecond.
func (m *Metrics) SetLastSync(namespace, cohort, yearGroup string, at time.Time) {
	g := m.cohorts.gauges.lastSync
	m.cohorts.update(namespace, cohort, yearGroup, func(vs *values) { vs.set(g, float64(at.UnixMilli())/1000) })
}

func (m *Metrics) setFlag(g *cohortGauge, namespace, cohort, yearGroup string, on bool) {
	v := 0.0
	if on {
		v = 1
	}
	m.cohorts.update(namespace, cohort, yearGroup, func(vs *values) { vs.set(g, v) })
}

// CohortValue is the value of the cohort's series of the per-cohort gauge
// named name (one of the ...Name constants) with its own labels' values
// labels (the state, the reason and priority, ...), and whether the cohort
// has that series: what the next scrape shows.
func (m *Metrics) CohortValue(name, namespace, cohort string, labels ...string) (float64, bool) {
	return m.cohorts.get(name, namespace, cohort, labels...)
}

// Forget removes a deleted cohort's series.
func (m *Metrics) Forget(namespace, cohort string) { m.cohorts.forget(namespace, cohort) }

// priorityLabel is tracking's priority in lower case: low, normal, high, urgent.
func priorityLabel(p trackingv1.Priority) string {
	return strings.ToLower(strings.TrimPrefix(p.String(), "PRIORITY_"))
}
