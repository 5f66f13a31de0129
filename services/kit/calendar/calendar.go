// Package calendar is the services' one notion of a date: a day in England
// (written YYYY-MM-DD on the wire, held as midnight UTC), today's date
// there, and the window of dates a record may plausibly carry. A date far
// outside the window (an opportunity in 9999, a destination in 2999) is a
// typing mistake or a probe, never a record, and is refused with the field
// named rather than stored.
package calendar

import (
	"time"
	_ "time/tzdata" // England's dates, whatever the host's zone files
)

// Layout is how dates are written on the wire.
const Layout = time.DateOnly

// Epoch is the earliest date a record of schooling, work experience or a
// destination may carry. nextstep's young people were born in the 1990s
// at the earliest (an EHC plan runs to 25); their records start later.
var Epoch = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)

// HorizonYears is how far ahead of today a planned date (an opportunity's
// day, an intended destination's start, a snooze) may lie.
const HorizonYears = 2

var england = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic("calendar: the embedded zone database has no Europe/London: " + err.Error())
	}
	return loc
}()

// Today is the date in England at now, as midnight UTC.
func Today(now time.Time) time.Time {
	y, m, d := now.In(england).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Parse reads a YYYY-MM-DD date that exists in the calendar (not
// 2026-02-30); ok is false for anything else.
func Parse(s string) (d time.Time, ok bool) {
	d, err := time.Parse(Layout, s)
	return d, err == nil
}

// Horizon is the latest plausible date as seen on today.
func Horizon(today time.Time) time.Time { return today.AddDate(HorizonYears, 0, 0) }

// Plausible reports whether d lies between Epoch and the horizon: a date a
// record may carry, past or planned.
func Plausible(d, today time.Time) bool {
	return !d.Before(Epoch) && !d.After(Horizon(today))
}

// Past reports whether d lies between Epoch and today: a date something
// was true on.
func Past(d, today time.Time) bool {
	return !d.Before(Epoch) && !d.After(today)
}
