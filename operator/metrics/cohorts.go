package metrics

import (
	"slices"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// The per-cohort gauges' names, for CohortValue.
const (
	CohortMembersName            = "nextstep_cohort_members"
	CohortPupilsName             = "nextstep_cohort_pupils"
	CohortGroupPupilsName        = "nextstep_cohort_group_pupils"
	CohortGroupHalfDaysName      = "nextstep_cohort_group_half_days_credited"
	CohortEmployerEncounterName  = "nextstep_cohort_employer_encounter_pupils"
	CohortDaysExpectedName       = "nextstep_cohort_days_expected"
	CohortDaysCreditedMeanName   = "nextstep_cohort_days_credited_mean"
	CohortDestinationsKnownName  = "nextstep_cohort_destinations_known"
	CohortRiskBandName           = "nextstep_cohort_risk_band_pupils"
	CohortSeptemberGuaranteeName = "nextstep_cohort_september_guarantee_pupils"
	CohortGroupedPupilsName      = "nextstep_cohort_grouped_pupils"
	InterventionsOpenName        = "nextstep_cohort_interventions_open"
	InterventionsOverdueName     = "nextstep_cohort_interventions_overdue"
	CohortDataCompleteName       = "nextstep_cohort_data_complete"
	CohortSyncHeldName           = "nextstep_cohort_sync_held"
	CohortSyncFencedName         = "nextstep_cohort_sync_fenced"
	CohortLastSyncName           = "nextstep_cohort_last_sync_timestamp_seconds"
)

// cohortGauge is one of the per-cohort gauges: labelled by the cohort
// (cohortLabels) and by up to two labels of its own, extra.
type cohortGauge struct {
	desc  *prometheus.Desc
	extra []string
	// order lists the positions, in cohortLabels then extra, of the
	// labels in name order: a series' label pairs go in that order.
	order []int
}

// cohortGauges are the per-cohort gauges, each described once.
type cohortGauges struct {
	members, pupils, groupPupils, groupHalfDays, employerEncounter, daysExpected, daysCreditedMean,
	destinationsKnown, riskBand, septemberGuarantee, groupedPupils, interventionsOpen, interventionsOverdue,
	dataComplete, syncHeld, syncFenced, lastSync *cohortGauge

	byName map[string]*cohortGauge
}

func newCohortGauges() cohortGauges {
	byName := map[string]*cohortGauge{}
	gauge := func(name, help string, extra ...string) *cohortGauge {
		names := append(slices.Clone(cohortLabels), extra...)
		order := make([]int, len(names))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int { return strings.Compare(names[a], names[b]) })
		g := &cohortGauge{desc: prometheus.NewDesc(name, help, names, nil), extra: extra, order: order}
		byName[name] = g
		return g
	}
	return cohortGauges{
		members: gauge(CohortMembersName, "Pupils on the cohort's roll."),
		pupils:  gauge(CohortPupilsName, "Pupils in the cohort by state (on_track, behind, destination_unknown, at_risk).", "state"),
		groupPupils: gauge(CohortGroupPupilsName,
			"Pupils in the cohort by group (disadvantaged: FSM6, SEND, looked after or in need; other) and measure (members, with_experience: at least one experience of work).", "group", "measure"),
		groupHalfDays: gauge(CohortGroupHalfDaysName,
			"Work-experience half days credited to the cohort's pupils, by group (disadvantaged, other).", "group"),
		employerEncounter: gauge(CohortEmployerEncounterName,
			"Pupils on the cohort's roll who attended a meaningful employer encounter (talk, careers fair, mentoring) this academic year: Gatsby benchmark 5."),
		daysExpected:      gauge(CohortDaysExpectedName, "Work-experience days the trajectory expects by now for the cohort's year group."),
		daysCreditedMean:  gauge(CohortDaysCreditedMeanName, "Mean work-experience days credited per pupil in the cohort."),
		destinationsKnown: gauge(CohortDestinationsKnownName, "Pupils in the cohort whose post-16 destination is known."),
		riskBand:          gauge(CohortRiskBandName, "Pupils in the cohort by risk-of-NEET band (low, medium, high).", "band"),
		septemberGuarantee: gauge(CohortSeptemberGuaranteeName,
			"Young people in a Year 11 or 12 cohort's September Guarantee cohort (on roll at the end of May: state cohort) and those with an offer recorded (state offer).", "state"),
		groupedPupils: gauge(CohortGroupedPupilsName,
			"Pupils on the cohort's roll with a reason grouped at the cohort's level (one intervention for the cohort stands for theirs), by reason; no series when the reason is not grouped.", "reason"),
		interventionsOpen:    gauge(InterventionsOpenName, "Open interventions in the cohort by reason and priority.", "reason", "priority"),
		interventionsOverdue: gauge(InterventionsOverdueName, "Open interventions in the cohort past their due date, by reason and priority.", "reason", "priority"),
		dataComplete:         gauge(CohortDataCompleteName, "1 when the cohort's last pass read a complete snapshot from every source."),
		syncHeld:             gauge(CohortSyncHeldName, "1 while the tracking service holds the cohort's sync as a mass closure."),
		syncFenced:           gauge(CohortSyncFencedName, "1 while the tracking service refuses the cohort's syncs because it has applied a later pass than this cluster claimed."),
		lastSync:             gauge(CohortLastSyncName, "Unix time the cohort was last known in sync: its last applied intervention sync, or a later pass that found nothing it reads changed."),
		byName:               byName,
	}
}

// cohortSeries is the collector of the per-cohort gauges. It keeps each
// cohort's values (a few dozen numbers) and makes the series from them at
// each scrape, as kube-state-metrics does for the objects it mirrors,
// rather than keep a client_golang gauge vector's child for every series:
// at 26 series a cohort those were most of the operator's live heap, about
// 22 KB a cohort (BenchmarkObservePass, docs/benchmarks.md). A series is
// written as a gauge vector's child writes itself, from label pairs made
// once and shared: the cohort's own three, and one per value of a gauge's
// own labels (states, bands, reasons, priorities: a few dozen in all).
//
// A cohort's values are replaced whole on every change and never altered
// in place, so a scrape copies the map's pointers under the lock and writes
// its series without holding it: a pass never waits for a scrape.
type cohortSeries struct {
	gauges cohortGauges

	mu       sync.Mutex
	byCohort map[cohortKey]*cohortValues
	// pairs are the label pairs of the gauges' own labels, by name and
	// value.
	pairs map[[2]string]*dto.LabelPair
}

type cohortKey struct{ namespace, cohort string }

// cohortValues are one cohort's series: the label pairs of its namespace,
// name and year group (cohortLabels' order), and each series' value.
type cohortValues struct {
	pairs  [3]*dto.LabelPair
	values []value
}

// value is one series of a cohort: its gauge, the pairs of its own labels
// (the first len(gauge.extra)) and its value.
type value struct {
	gauge *cohortGauge
	pairs [2]*dto.LabelPair
	v     float64
}

func newCohortSeries() *cohortSeries {
	return &cohortSeries{gauges: newCohortGauges(), byCohort: map[cohortKey]*cohortValues{}, pairs: map[[2]string]*dto.LabelPair{}}
}

func labelPair(name, value string) *dto.LabelPair {
	return &dto.LabelPair{Name: &name, Value: &value}
}

// update replaces the cohort's values with what change makes of a copy of
// them, under yearGroup.
func (s *cohortSeries) update(namespace, cohort, yearGroup string, change func(vs *values)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := cohortKey{namespace, cohort}
	vs := values{s: s}
	next := &cohortValues{}
	if old := s.byCohort[key]; old != nil {
		vs.list = slices.Clone(old.values)
		if old.pairs[2].GetValue() == yearGroup {
			next.pairs = old.pairs
		}
	}
	if next.pairs[0] == nil {
		next.pairs = [3]*dto.LabelPair{labelPair(cohortLabels[0], namespace), labelPair(cohortLabels[1], cohort), labelPair(cohortLabels[2], yearGroup)}
	}
	change(&vs)
	next.values = vs.list
	s.byCohort[key] = next
}

// forget removes every series of the cohort.
func (s *cohortSeries) forget(namespace, cohort string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byCohort, cohortKey{namespace, cohort})
}

// get returns the value of the cohort's series of the gauge named name
// with its own labels' values labels, and whether there is one.
func (s *cohortSeries) get(name, namespace, cohort string, labels ...string) (float64, bool) {
	g := s.gauges.byName[name]
	if g == nil || len(labels) != len(g.extra) {
		return 0, false
	}
	s.mu.Lock()
	cv := s.byCohort[cohortKey{namespace, cohort}]
	s.mu.Unlock()
	if cv == nil {
		return 0, false
	}
	for _, v := range cv.values {
		if v.gauge == g && slices.EqualFunc(v.pairs[:len(g.extra)], labels, func(p *dto.LabelPair, l string) bool { return p.GetValue() == l }) {
			return v.v, true
		}
	}
	return 0, false
}

// values are a cohort's series while an update changes them.
type values struct {
	s    *cohortSeries
	list []value
}

// set sets the series of g with its own labels' values labels to v. It
// runs under the series' lock (update).
func (vs *values) set(g *cohortGauge, v float64, labels ...string) {
	var pairs [2]*dto.LabelPair
	for i, l := range labels {
		k := [2]string{g.extra[i], l}
		p := vs.s.pairs[k]
		if p == nil {
			p = labelPair(k[0], k[1])
			vs.s.pairs[k] = p
		}
		pairs[i] = p
	}
	for i := range vs.list {
		if vs.list[i].gauge == g && vs.list[i].pairs == pairs {
			vs.list[i].v = v
			return
		}
	}
	vs.list = append(vs.list, value{gauge: g, pairs: pairs, v: v})
}

// drop removes every series of the gauges gs.
func (vs *values) drop(gs ...*cohortGauge) {
	vs.list = slices.DeleteFunc(vs.list, func(v value) bool { return slices.Contains(gs, v.gauge) })
}

// Describe implements prometheus.Collector.
func (s *cohortSeries) Describe(ch chan<- *prometheus.Desc) {
	for _, g := range s.gauges.byName {
		ch <- g.desc
	}
}

// Collect implements prometheus.Collector.
func (s *cohortSeries) Collect(ch chan<- prometheus.Metric) {
	s.mu.Lock()
	all := make([]*cohortValues, 0, len(s.byCohort))
	for _, cv := range s.byCohort {
		all = append(all, cv)
	}
	s.mu.Unlock()
	var pairs [5]*dto.LabelPair
	for _, cv := range all {
		copy(pairs[:], cv.pairs[:])
		for _, v := range cv.values {
			copy(pairs[3:], v.pairs[:])
			sorted := make([]*dto.LabelPair, len(v.gauge.order))
			for i, at := range v.gauge.order {
				sorted[i] = pairs[at]
			}
			ch <- series{gauge: v.gauge, pairs: sorted, v: v.v}
		}
	}
}

// series is one series at a scrape: a prometheus.Metric.
type series struct {
	gauge *cohortGauge
	pairs []*dto.LabelPair
	v     float64
}

func (m series) Desc() *prometheus.Desc { return m.gauge.desc }

func (m series) Write(out *dto.Metric) error {
	out.Label = m.pairs
	out.Gauge = &dto.Gauge{Value: &m.v}
	return nil
}
