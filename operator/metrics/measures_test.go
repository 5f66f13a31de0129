package metrics_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/operator/metrics"
)

// TestObserveMeasures: each LA's measures become series labelled by its
// code (and a dated measure's academic year); the headline, March and
// survey series appear only once their days have come, last year's beside
// this year's; and an LA no longer reported disappears.
func TestObserveMeasures(t *testing.T) {
	m, reg := registered(t)
	at := time.Date(2026, time.January, 15, 9, 0, 0, 0, time.UTC)
	m.ObserveMeasures(at, &trackingv1.GetMeasuresResponse{AcademicYear: "2025/26", Authorities: []*trackingv1.AuthorityMeasures{
		{
			LaCode:  "336",
			Current: &trackingv1.MeasureCounts{Cohort: 4, Neet: 1, NotKnown: 1, NeetOrNotKnown: 2, Participating: 2},
			// December has come; January to March have not.
			December:            &trackingv1.MeasureCounts{Cohort: 4, NotKnown: 2, NeetOrNotKnown: 2},
			NeetOrNotKnownShare: 0.5, NotKnownShare: 0.5, HeadlineMonths: 1,
			ActivitySurvey: &trackingv1.ActivitySurvey{Education: 3, NotKnown: 1},
		},
		{LaCode: "330", Current: &trackingv1.MeasureCounts{}},
	}}, &trackingv1.GetMeasuresResponse{AcademicYear: "2024/25", Authorities: []*trackingv1.AuthorityMeasures{
		// Last year's complete headline and March.
		{LaCode: "336", Current: &trackingv1.MeasureCounts{Cohort: 9}, March: &trackingv1.MeasureCounts{},
			NeetOrNotKnownShare: 0.25, NeetShare: 0.125, NotKnownShare: 0.125, HeadlineMonths: 3, ParticipationShare: 0.75},
	}})
	want := `
# HELP nextstep_la_measure_share DfE's measures for the LA's academic age 16-17 cohort, 0 to 1: headline_neet_or_not_known, headline_neet, headline_not_known (December-February average), participation_march, current_neet_or_not_known, current_not_known.
# TYPE nextstep_la_measure_share gauge
nextstep_la_measure_share{academic_year="2025/26",la_code="330",measure="current_neet_or_not_known"} 0
nextstep_la_measure_share{academic_year="2025/26",la_code="330",measure="current_not_known"} 0
nextstep_la_measure_share{academic_year="2025/26",la_code="336",measure="current_neet_or_not_known"} 0.5
nextstep_la_measure_share{academic_year="2025/26",la_code="336",measure="current_not_known"} 0.25
nextstep_la_measure_share{academic_year="2025/26",la_code="336",measure="headline_neet"} 0
nextstep_la_measure_share{academic_year="2025/26",la_code="336",measure="headline_neet_or_not_known"} 0.5
nextstep_la_measure_share{academic_year="2025/26",la_code="336",measure="headline_not_known"} 0.5
nextstep_la_measure_share{academic_year="2024/25",la_code="336",measure="headline_neet"} 0.125
nextstep_la_measure_share{academic_year="2024/25",la_code="336",measure="headline_neet_or_not_known"} 0.25
nextstep_la_measure_share{academic_year="2024/25",la_code="336",measure="headline_not_known"} 0.125
nextstep_la_measure_share{academic_year="2024/25",la_code="336",measure="participation_march"} 0.75
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "nextstep_la_measure_share"); err != nil {
		t.Error(err)
	}
	if got := testutil.ToFloat64(m.Measures.Pupils.WithLabelValues("336", "participating")); got != 2 {
		t.Errorf("participating in 336: %v, want 2", got)
	}
	if got := testutil.ToFloat64(m.Measures.Survey.WithLabelValues("336", "education", "2025/26")); got != 3 {
		t.Errorf("survey education in 336: %v, want 3", got)
	}
	if got := testutil.ToFloat64(m.Measures.LastRefresh); got != float64(at.Unix()) {
		t.Errorf("last refresh %v, want %v", got, at.Unix())
	}

	// The next refresh no longer has 330.
	m.ObserveMeasures(at.Add(time.Hour), &trackingv1.GetMeasuresResponse{AcademicYear: "2025/26", Authorities: []*trackingv1.AuthorityMeasures{
		{LaCode: "336", Current: &trackingv1.MeasureCounts{Cohort: 4}},
	}}, nil)
	if n := testutil.CollectAndCount(m.Measures.Pupils); n != 5 {
		t.Errorf("%d pupil series after 330 went, want 336's 5", n)
	}
}

// registered is a fresh set of the operator's metrics and the registry
// they are registered with.
func registered(t *testing.T) (*metrics.Metrics, *prometheus.Registry) {
	t.Helper()
	m := metrics.New()
	reg := prometheus.NewRegistry()
	if err := m.Register(reg); err != nil {
		t.Fatal(err)
	}
	return m, reg
}
