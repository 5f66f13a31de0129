package web

// The overview's figures as CSV: the hub's impact measures for a report or
// a spreadsheet, aggregates only (no pupil id, name or per-pupil row), so
// every role that may see the overview may download them.

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/nextstep-uk/nextstep/services/kit/csvexport"
)

// csvPath is the overview.csv of the same filter.
func (f overviewFilter) csvPath() string {
	q := url.Values{}
	if f.LA != "" {
		q.Set("la", f.LA)
	}
	if f.School != "" {
		q.Set("school", f.School)
		q.Set("year", strconv.Itoa(int(f.YearGroup)))
	}
	if len(q) == 0 {
		return "/overview.csv"
	}
	return "/overview.csv?" + q.Encode()
}

// overviewCSV downloads the overview's figures for its filter. As on the
// page, the places and the mix of employers are the person's whole area's:
// GetEngagement counts its caller's scope and takes no filter.
func (a *App) overviewCSV(w http.ResponseWriter, r *http.Request) {
	data, ok := a.readOverview(w, r, false)
	if !ok {
		return
	}
	name := "impact-measures-" + strings.ReplaceAll(data.AcademicYear, "/", "-")
	switch {
	case data.Filter.School != "":
		name += "-school-" + data.Filter.School
	case data.Filter.LA != "":
		name += "-la-" + data.Filter.LA
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	cw := csvexport.NewWriter(w)
	for _, row := range impactRows(data) {
		if err := cw.Write(row); err != nil {
			return
		}
	}
	cw.Flush()
}

// impactRows are the CSV's header and one row per measure: a count has
// its value only; a share has its whole percentage (as the overview
// rounds it) with the numerator and denominator it was taken from.
func impactRows(d overviewData) [][]string {
	rows := [][]string{{"measure", "value", "numerator", "denominator"}}
	count := func(measure string, n int64) {
		rows = append(rows, []string{measure, strconv.FormatInt(n, 10), "", ""})
	}
	share := func(measure string, part, whole int) {
		rows = append(rows, []string{measure, strconv.Itoa(wholePercent(part, whole)), strconv.Itoa(part), strconv.Itoa(whole)})
	}
	e := d.engagementFigures
	count("bookings", int64(e.Bookings))
	count("half_days_credited", e.HalfDays)
	share("sme_share", int(e.SMEBookings), int(e.Bookings))
	share("cornerstone_share", int(e.CornerstoneBookings), int(e.Bookings))
	if e.Growth {
		share("growth_sector_share", int(e.GrowthBookings), int(e.Bookings))
	}
	for _, s := range e.Sectors {
		share("sector_share:"+strings.ToLower(strings.TrimPrefix(s.Sector.String(), "SECTOR_")), int(s.Bookings), int(e.Bookings))
	}
	if c := d.Cohort; c != nil {
		count("on_roll", int64(c.OnRoll))
		share("destination_known_share", c.Known, c.OnRoll)
		share("experienced_share", c.Experienced, c.OnRoll)
		share("ten_days_share", c.TenDays, c.OnRoll)
		share("on_track_share", c.OnTrack, c.OnRoll)
		share("disadvantaged_experienced_share", c.DisadvantagedExperienced, c.Disadvantaged)
		share("others_experienced_share", c.Experienced-c.DisadvantagedExperienced, c.OnRoll-c.Disadvantaged)
		share("encounter_share", c.Encountered, c.OnRoll)
	}
	return rows
}
