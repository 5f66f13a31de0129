// Package trajectory is the work-experience guarantee's pace: the
// cumulative half days a pupil should have by the end of each year group,
// and what that expects of them on a given day. A Programme sets its own
// (the operator's rules read it from the spec); the default is what the
// operator uses without one and what placement's allocation proposals
// measure "days behind" against, so both speak of the same pace.
package trajectory

import (
	"time"

	"github.com/nextstep-uk/nextstep/api/academicyear"
)

// Default is 10 days (20 half days) by the end of Year 11, the guarantee
// (DfE careers statutory guidance 2025: "2 weeks' worth ... throughout key
// stages 3 and 4"; ../shared/DOMAIN.md), built evenly from Year 7.
var Default = map[int32]int32{7: 4, 8: 8, 9: 12, 10: 16, 11: 20}

// Expected is what trajectory t (half days by the end of each year group)
// expects of a pupil in yearGroup by the day on, in academic year y: last
// year's target plus this year's increase in proportion to how much of the
// year has passed, rounded down to a half day. Year groups past the
// trajectory's end keep its last target.
func Expected(t map[int32]int32, yearGroup int32, y academicyear.Year, on time.Time) int32 {
	target, ok := t[yearGroup]
	if !ok {
		// Past the last defined year (a sixth-form cohort): the last target.
		var last int32 = -1
		for yg, hd := range t {
			if yg < yearGroup && yg > last {
				last, target = yg, hd
			}
		}
		return target
	}
	previous := t[yearGroup-1] // zero before the first year
	on = day(on)
	switch {
	case !on.After(y.FirstDay()):
		return previous
	case !on.Before(y.LastDay()):
		return target
	}
	elapsed := on.Sub(y.FirstDay()).Hours() / 24
	length := y.LastDay().Sub(y.FirstDay()).Hours() / 24
	return previous + int32(float64(target-previous)*elapsed/length)
}

// day truncates t to its calendar day in UTC.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
