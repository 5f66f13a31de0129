package metrics

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
)

// Employers are the hub's impact measures of the mix of employers (issue
// 18): this academic year's places booked and half days credited by
// employer sector and size band, and the cornerstone employers' part, as
// placement's GetEngagement counts them. Labels are the contract's enum
// names, bounded sets; no series names a pupil or an employer.
type Employers struct {
	Bookings            *prometheus.GaugeVec
	CornerstoneBookings *prometheus.GaugeVec
	HalfDays            *prometheus.GaugeVec
}

func newEmployers() Employers {
	gauge := func(name, help string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, []string{"sector", "size_band"})
	}
	return Employers{
		Bookings: gauge("nextstep_employer_bookings",
			"Places booked (not cancelled) this academic year, by employer sector and size band (micro, small, medium: SMEs; large)."),
		CornerstoneBookings: gauge("nextstep_employer_cornerstone_bookings",
			"Of nextstep_employer_bookings, those with the hub's cornerstone employers."),
		HalfDays: gauge("nextstep_employer_half_days_credited",
			"Work-experience half days credited this academic year, by employer sector and size band."),
	}
}

func (e Employers) collectors() []prometheus.Collector {
	return []prometheus.Collector{e.Bookings, e.CornerstoneBookings, e.HalfDays}
}

// ObserveEngagement replaces the employer gauges with res's rows, so a
// sector and size band no longer reported (a new academic year's first
// day) disappears rather than keep last year's values.
func (m *Metrics) ObserveEngagement(res *placementv1.GetEngagementResponse) {
	g := m.Employers
	g.Bookings.Reset()
	g.CornerstoneBookings.Reset()
	g.HalfDays.Reset()
	for _, e := range res.GetEngagement() {
		sector := strings.ToLower(strings.TrimPrefix(e.GetSector().String(), "SECTOR_"))
		band := strings.ToLower(strings.TrimPrefix(e.GetSizeBand().String(), "SIZE_BAND_"))
		g.Bookings.WithLabelValues(sector, band).Set(float64(e.GetBookings()))
		g.CornerstoneBookings.WithLabelValues(sector, band).Set(float64(e.GetCornerstoneBookings()))
		g.HalfDays.WithLabelValues(sector, band).Set(float64(e.GetHalfDays()))
	}
}
