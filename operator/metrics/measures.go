package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
)

// Measures are DfE's published measures per local authority of residence,
// as tracking computes them (GetMeasures): aggregates labelled by LA code
// only, refreshed by the elected operator on an interval.
type Measures struct {
	// Pupils is today's academic age 16-17 cohort by state: cohort (the
	// denominator), neet, not_known, neet_or_not_known, participating.
	Pupils *prometheus.GaugeVec
	// Share is a share from 0 to 1 by measure and academic year: the
	// headline averages of December to February (headline_neet_or_not_known,
	// headline_neet, headline_not_known), participation at the end of March
	// (participation_march), for this year and last; and today's
	// (current_neet_or_not_known, current_not_known).
	Share *prometheus.GaugeVec
	// Survey is the Year 11 Annual Activity Survey (1 November) by group
	// and academic year.
	Survey *prometheus.GaugeVec
	// LastRefresh is when the measures were last read from tracking.
	LastRefresh prometheus.Gauge
}

func newMeasures() Measures {
	return Measures{
		Pupils: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "nextstep_la_measure_pupils",
			Help: "Young people of academic age 16-17 resident in the LA today, by state (cohort, neet, not_known, neet_or_not_known, participating).",
		}, []string{"la_code", "state"}),
		Share: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "nextstep_la_measure_share",
			Help: "DfE's measures for the LA's academic age 16-17 cohort, 0 to 1: headline_neet_or_not_known, headline_neet, headline_not_known (December-February average), participation_march, current_neet_or_not_known, current_not_known.",
		}, []string{"la_code", "measure", "academic_year"}),
		Survey: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "nextstep_la_activity_survey_pupils",
			Help: "The Year 11 Annual Activity Survey (academic age 16 as at 1 November) by group (education, employment, training, neet, not_known, other).",
		}, []string{"la_code", "group", "academic_year"}),
		LastRefresh: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "nextstep_la_measures_last_refresh_timestamp_seconds",
			Help: "Unix time the LA measures were last read from the tracking service.",
		}),
	}
}

func (m Measures) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.Pupils, m.Share, m.Survey, m.LastRefresh}
}

// ObserveMeasures replaces every LA's series with those of current (this
// academic year's measures) and previous (last year's, whose headline,
// March participation and survey are complete), so an LA no longer
// reported disappears rather than keep its old values. Today's counts come
// from current alone; the dated measures carry their academic_year.
func (m *Metrics) ObserveMeasures(at time.Time, current, previous *trackingv1.GetMeasuresResponse) {
	g := m.Measures
	g.Pupils.Reset()
	g.Share.Reset()
	g.Survey.Reset()
	for _, a := range current.GetAuthorities() {
		la, year, c := a.GetLaCode(), current.GetAcademicYear(), a.GetCurrent()
		for state, n := range map[string]int32{
			"cohort": c.GetCohort(), "neet": c.GetNeet(), "not_known": c.GetNotKnown(),
			"neet_or_not_known": c.GetNeetOrNotKnown(), "participating": c.GetParticipating(),
		} {
			g.Pupils.WithLabelValues(la, state).Set(float64(n))
		}
		share := func(n int32) float64 {
			if c.GetCohort() == 0 {
				return 0
			}
			return float64(n) / float64(c.GetCohort())
		}
		g.Share.WithLabelValues(la, "current_neet_or_not_known", year).Set(share(c.GetNeetOrNotKnown()))
		g.Share.WithLabelValues(la, "current_not_known", year).Set(share(c.GetNotKnown()))
	}
	for _, res := range []*trackingv1.GetMeasuresResponse{previous, current} {
		year := res.GetAcademicYear()
		for _, a := range res.GetAuthorities() {
			la := a.GetLaCode()
			if a.GetHeadlineMonths() > 0 {
				g.Share.WithLabelValues(la, "headline_neet_or_not_known", year).Set(a.GetNeetOrNotKnownShare())
				g.Share.WithLabelValues(la, "headline_neet", year).Set(a.GetNeetShare())
				g.Share.WithLabelValues(la, "headline_not_known", year).Set(a.GetNotKnownShare())
			}
			if a.GetMarch() != nil {
				g.Share.WithLabelValues(la, "participation_march", year).Set(a.GetParticipationShare())
			}
			if s := a.GetActivitySurvey(); s != nil {
				for group, n := range map[string]int32{
					"education": s.GetEducation(), "employment": s.GetEmployment(), "training": s.GetTraining(),
					"neet": s.GetNeet(), "not_known": s.GetNotKnown(), "other": s.GetOther(),
				} {
					g.Survey.WithLabelValues(la, group, year).Set(float64(n))
				}
			}
		}
	}
	g.LastRefresh.Set(float64(at.Unix()))
}
