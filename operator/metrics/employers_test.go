package metrics_test

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
)

// TestObserveEngagement: each sector and size band's places, cornerstone
// places and half days become series labelled by the enum names in lower
// case without their prefix; a row no longer reported disappears.
func TestObserveEngagement(t *testing.T) {
	m, reg := registered(t)
	m.ObserveEngagement(&placementv1.GetEngagementResponse{Engagement: []*placementv1.Engagement{
		{Sector: placementv1.Sector_SECTOR_ADVANCED_MANUFACTURING, SizeBand: placementv1.SizeBand_SIZE_BAND_SMALL,
			Opportunities: 6, Experiences: 5, Bookings: 9, Pupils: 6, HalfDays: 17, CornerstoneBookings: 8, CornerstoneHalfDays: 15},
		// A careers fair nobody has booked yet.
		{Sector: placementv1.Sector_SECTOR_DIGITAL, SizeBand: placementv1.SizeBand_SIZE_BAND_LARGE, Opportunities: 1},
	}})
	want := `
# HELP nextstep_employer_bookings Places booked (not cancelled) this academic year, by employer sector and size band (micro, small, medium: SMEs; large).
# TYPE nextstep_employer_bookings gauge
nextstep_employer_bookings{sector="advanced_manufacturing",size_band="small"} 9
nextstep_employer_bookings{sector="digital",size_band="large"} 0
# HELP nextstep_employer_cornerstone_bookings Of nextstep_employer_bookings, those with the hub's cornerstone employers.
# TYPE nextstep_employer_cornerstone_bookings gauge
nextstep_employer_cornerstone_bookings{sector="advanced_manufacturing",size_band="small"} 8
nextstep_employer_cornerstone_bookings{sector="digital",size_band="large"} 0
# HELP nextstep_employer_half_days_credited Work-experience half days credited this academic year, by employer sector and size band.
# TYPE nextstep_employer_half_days_credited gauge
nextstep_employer_half_days_credited{sector="advanced_manufacturing",size_band="small"} 17
nextstep_employer_half_days_credited{sector="digital",size_band="large"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"nextstep_employer_bookings", "nextstep_employer_cornerstone_bookings", "nextstep_employer_half_days_credited"); err != nil {
		t.Error(err)
	}

	// The next refresh no longer has the fair.
	m.ObserveEngagement(&placementv1.GetEngagementResponse{Engagement: []*placementv1.Engagement{
		{Sector: placementv1.Sector_SECTOR_ADVANCED_MANUFACTURING, SizeBand: placementv1.SizeBand_SIZE_BAND_SMALL, Bookings: 10},
	}})
	for name, g := range map[string]*prometheus.GaugeVec{
		"bookings": m.Employers.Bookings, "cornerstone bookings": m.Employers.CornerstoneBookings, "half days": m.Employers.HalfDays,
	} {
		if n := testutil.CollectAndCount(g); n != 1 {
			t.Errorf("%d %s series after the fair went, want 1", n, name)
		}
	}
	if got := testutil.ToFloat64(m.Employers.Bookings.WithLabelValues("advanced_manufacturing", "small")); got != 10 {
		t.Errorf("bookings %v, want 10", got)
	}
}
