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
	"sync"
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
	// CohortMembers is the number of pupils on the cohort's roll.
	CohortMembers *prometheus.GaugeVec
	// CohortPupils counts the cohort's pupils by state.
	CohortPupils *prometheus.GaugeVec
	// CohortDaysExpected is the work-experience days the trajectory expects
	// by today for the cohort's year group.
	CohortDaysExpected *prometheus.GaugeVec
	// CohortDaysCreditedMean is the mean days credited per pupil.
	CohortDaysCreditedMean *prometheus.GaugeVec
	// CohortDestinationsKnown counts pupils whose post-16 destination is known.
	CohortDestinationsKnown *prometheus.GaugeVec
	// CohortRiskBand counts pupils by risk-of-NEET band (low, medium, high).
	CohortRiskBand *prometheus.GaugeVec
	// CohortSeptemberGuarantee counts a Year 11 or 12 cohort's September
	// Guarantee cohort (state "cohort") and those with an offer ("offer").
	CohortSeptemberGuarantee *prometheus.GaugeVec
	// CohortEmployerEncounter counts the pupils on roll with an employer
	// encounter this academic year.
	CohortEmployerEncounter *prometheus.GaugeVec
	// CohortGroupPupils and CohortGroupHalfDays are the hub's impact
	// measures by group (disadvantaged, other): pupils, those with any
	// experience of work, and half days credited.
	CohortGroupPupils   *prometheus.GaugeVec
	CohortGroupHalfDays *prometheus.GaugeVec
	// CohortGroupedPupils counts, for each reason grouped at the cohort's
	// level, the pupils on roll with it: one intervention for the cohort
	// stands for theirs. No series for a reason not grouped.
	CohortGroupedPupils *prometheus.GaugeVec
	// InterventionsOpen counts open interventions by reason and priority.
	InterventionsOpen *prometheus.GaugeVec
	// InterventionsOverdue counts open interventions past their due date.
	InterventionsOverdue *prometheus.GaugeVec
	// CohortDataComplete is 1 when the last pass read a complete snapshot.
	CohortDataComplete *prometheus.GaugeVec
	// CohortSyncHeld is 1 while tracking holds the cohort's sync as a mass
	// closure, waiting for a person.
	CohortSyncHeld *prometheus.GaugeVec
	// CohortSyncFenced is 1 while tracking refuses the cohort's syncs
	// because it has applied a later pass than any this cluster claimed.
	CohortSyncFenced *prometheus.GaugeVec
	// CohortLastSync is the Unix time the cohort was last known in sync:
	// its last applied sync, or a later pass that found nothing it reads
	// changed (passed over as unchanged).
	CohortLastSync *prometheus.GaugeVec
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

	// varying remembers, per cohort and gauge, the label sets of the
	// series whose labels change from pass to pass (open interventions by
	// reason and priority, grouped reasons), so that a pass deletes exactly
	// its own cohort's old series. DeletePartialMatch scans every series of
	// a gauge, so a pass over N cohorts would cost N squared: at 15,000
	// cohorts that was most of the operator's CPU (docs/benchmarks.md,
	// "Region benchmark").
	mu      sync.Mutex
	varying map[varyingKey][]prometheus.Labels
}

// varyingKey is one cohort's series of one gauge.
type varyingKey struct {
	gauge             *prometheus.GaugeVec
	namespace, cohort string
}

// replace deletes the cohort's series of gauges that the last call set,
// and sets each of values (label sets with their values) on every gauge
// in gauges, remembering their labels for the next call.
func (m *Metrics) replace(namespace, cohort string, gauges []*prometheus.GaugeVec, labels []prometheus.Labels, values [][]float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.varying == nil {
		m.varying = map[varyingKey][]prometheus.Labels{}
	}
	for i, g := range gauges {
		key := varyingKey{g, namespace, cohort}
		for _, l := range m.varying[key] {
			g.Delete(l)
		}
		for j, l := range labels {
			g.With(l).Set(values[j][i])
		}
		if len(labels) == 0 {
			delete(m.varying, key)
		} else {
			m.varying[key] = labels
		}
	}
}

// New returns the operator's metrics, not yet registered.
func New() *Metrics {
	gauge := func(name, help string, extra ...string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, append(append([]string{}, cohortLabels...), extra...))
	}
	return &Metrics{
		CohortMembers: gauge("nextstep_cohort_members", "Pupils on the cohort's roll."),
		CohortPupils:  gauge("nextstep_cohort_pupils", "Pupils in the cohort by state (on_track, behind, destination_unknown, at_risk).", "state"),
		CohortGroupPupils: gauge("nextstep_cohort_group_pupils",
			"Pupils in the cohort by group (disadvantaged: FSM6, SEND, looked after or in need; other) and measure (members, with_experience: at least one experience of work).", "group", "measure"),
		CohortGroupHalfDays: gauge("nextstep_cohort_group_half_days_credited",
			"Work-experience half days credited to the cohort's pupils, by group (disadvantaged, other).", "group"),
		CohortEmployerEncounter: gauge("nextstep_cohort_employer_encounter_pupils",
			"Pupils on the cohort's roll who attended a meaningful employer encounter (talk, careers fair, mentoring) this academic year: Gatsby benchmark 5."),
		CohortDaysExpected:      gauge("nextstep_cohort_days_expected", "Work-experience days the trajectory expects by now for the cohort's year group."),
		CohortDaysCreditedMean:  gauge("nextstep_cohort_days_credited_mean", "Mean work-experience days credited per pupil in the cohort."),
		CohortDestinationsKnown: gauge("nextstep_cohort_destinations_known", "Pupils in the cohort whose post-16 destination is known."),
		CohortRiskBand:          gauge("nextstep_cohort_risk_band_pupils", "Pupils in the cohort by risk-of-NEET band (low, medium, high).", "band"),
		CohortSeptemberGuarantee: gauge("nextstep_cohort_september_guarantee_pupils",
			"Young people in a Year 11 or 12 cohort's September Guarantee cohort (on roll at the end of May: state cohort) and those with an offer recorded (state offer).", "state"),
		CohortGroupedPupils: gauge("nextstep_cohort_grouped_pupils",
			"Pupils on the cohort's roll with a reason grouped at the cohort's level (one intervention for the cohort stands for theirs), by reason; no series when the reason is not grouped.", "reason"),
		InterventionsOpen:    gauge("nextstep_cohort_interventions_open", "Open interventions in the cohort by reason and priority.", "reason", "priority"),
		InterventionsOverdue: gauge("nextstep_cohort_interventions_overdue", "Open interventions in the cohort past their due date, by reason and priority.", "reason", "priority"),
		CohortDataComplete:   gauge("nextstep_cohort_data_complete", "1 when the cohort's last pass read a complete snapshot from every source."),
		CohortSyncHeld:       gauge("nextstep_cohort_sync_held", "1 while the tracking service holds the cohort's sync as a mass closure."),
		CohortSyncFenced:     gauge("nextstep_cohort_sync_fenced", "1 while the tracking service refuses the cohort's syncs because it has applied a later pass than this cluster claimed."),
		CohortLastSync:       gauge("nextstep_cohort_last_sync_timestamp_seconds", "Unix time the cohort was last known in sync: its last applied intervention sync, or a later pass that found nothing it reads changed."),
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

// cohortGauges are the gauges labelled by cohort.
func (m *Metrics) cohortGauges() []*prometheus.GaugeVec {
	return []*prometheus.GaugeVec{
		m.CohortMembers, m.CohortPupils, m.CohortDaysExpected, m.CohortDaysCreditedMean, m.CohortDestinationsKnown,
		m.CohortRiskBand, m.CohortSeptemberGuarantee, m.CohortEmployerEncounter, m.CohortGroupPupils, m.CohortGroupHalfDays, m.CohortGroupedPupils, m.InterventionsOpen, m.InterventionsOverdue, m.CohortDataComplete,
		m.CohortSyncHeld, m.CohortSyncFenced, m.CohortLastSync,
	}
}

// Collectors returns every collector, for registration.
func (m *Metrics) Collectors() []prometheus.Collector {
	out := append([]prometheus.Collector{m.ReconcileDuration, m.Reconciles, m.SourceErrors}, m.Measures.collectors()...)
	out = append(out, m.Employers.collectors()...)
	for _, g := range m.cohortGauges() {
		out = append(out, g)
	}
	return out
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
// priorities with nothing open are removed, not left at their old values.
func (m *Metrics) Observe(namespace, cohort, yearGroup string, ev rules.Result, open []*trackingv1.OpenCount, syncedAt time.Time) {
	labels := prometheus.Labels{"namespace": namespace, "cohort": cohort, "year_group": yearGroup}
	c := ev.Counts
	m.CohortMembers.With(labels).Set(float64(c.Total))
	for state, n := range map[string]int32{StateOnTrack: c.OnTrack, StateBehind: c.Behind, StateDestinationUnknown: c.DestinationUnknown, StateAtRisk: c.AtRisk} {
		m.CohortPupils.With(with(labels, "state", state)).Set(float64(n))
	}
	for band, n := range c.RiskBands {
		m.CohortRiskBand.With(with(labels, "band", string(band))).Set(float64(n))
	}
	m.CohortSeptemberGuarantee.With(with(labels, "state", "cohort")).Set(float64(c.SeptemberGuarantee))
	m.CohortSeptemberGuarantee.With(with(labels, "state", "offer")).Set(float64(c.SeptemberGuaranteeOffers))
	m.CohortEmployerEncounter.With(labels).Set(float64(c.EmployerEncounter))
	for i, group := range []string{rules.Disadvantaged: "disadvantaged", rules.Others: "other"} {
		g := c.Groups[i]
		m.CohortGroupPupils.With(with(with(labels, "group", group), "measure", "members")).Set(float64(g.Pupils))
		m.CohortGroupPupils.With(with(with(labels, "group", group), "measure", "with_experience")).Set(float64(g.WithExperience))
		m.CohortGroupHalfDays.With(with(labels, "group", group)).Set(float64(g.HalfDays))
	}
	m.CohortDaysExpected.With(labels).Set(float64(ev.ExpectedHalfDays) / 2)
	mean := 0.0
	if c.Total > 0 {
		mean = float64(c.HalfDaysCredited) / 2 / float64(c.Total)
	}
	m.CohortDaysCreditedMean.With(labels).Set(mean)
	m.CohortDestinationsKnown.With(labels).Set(float64(c.DestinationsKnown))
	m.CohortDataComplete.With(labels).Set(1)
	m.CohortSyncHeld.With(labels).Set(0)
	m.CohortSyncFenced.With(labels).Set(0)
	m.CohortLastSync.With(labels).Set(float64(syncedAt.Unix()))

	sets, values := make([]prometheus.Labels, len(open)), make([][]float64, len(open))
	for i, o := range open {
		sets[i] = with(with(labels, "reason", o.GetReasonCode()), "priority", priorityLabel(o.GetPriority()))
		values[i] = []float64{float64(o.GetOpen()), float64(o.GetOverdue())}
	}
	m.replace(namespace, cohort, []*prometheus.GaugeVec{m.InterventionsOpen, m.InterventionsOverdue}, sets, values)
}

// ObserveGrouped sets the pupils of each reason grouped at the cohort's
// level (tracking's reason code to pupils), removing the series of reasons
// no longer grouped.
func (m *Metrics) ObserveGrouped(namespace, cohort, yearGroup string, grouped map[string]int) {
	labels := prometheus.Labels{"namespace": namespace, "cohort": cohort, "year_group": yearGroup}
	var sets []prometheus.Labels
	var values [][]float64
	for reason, n := range grouped {
		sets = append(sets, with(labels, "reason", reason))
		values = append(values, []float64{float64(n)})
	}
	m.replace(namespace, cohort, []*prometheus.GaugeVec{m.CohortGroupedPupils}, sets, values)
}

// Forget removes a deleted cohort's series. It scans every series, but
// only when a cohort is deleted, not on every pass.
func (m *Metrics) Forget(namespace, cohort string) {
	labels := prometheus.Labels{"namespace": namespace, "cohort": cohort}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, g := range m.cohortGauges() {
		g.DeletePartialMatch(labels)
		delete(m.varying, varyingKey{g, namespace, cohort})
	}
}

func with(l prometheus.Labels, k, v string) prometheus.Labels {
	out := make(prometheus.Labels, len(l)+1)
	for lk, lv := range l {
		out[lk] = lv
	}
	out[k] = v
	return out
}

// priorityLabel is tracking's priority in lower case: low, normal, high, urgent.
func priorityLabel(p trackingv1.Priority) string {
	return strings.ToLower(strings.TrimPrefix(p.String(), "PRIORITY_"))
}
