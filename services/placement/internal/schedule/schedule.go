// Package schedule checks what an opportunity says about when and where it
// runs: real calendar dates, each day once, all in one academic year, and
// a place unless it is virtual. It does no I/O; the handler turns its problems into field
// violations.
package schedule

import (
	"fmt"
	"slices"
	"time"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	"github.com/nextstep-uk/nextstep/services/kit/calendar"
	"github.com/nextstep-uk/nextstep/services/placement/internal/credit"
)

// DateLayout is how dates are written on the wire: YYYY-MM-DD.
const DateLayout = time.DateOnly

// Problem is one reason an opportunity's schedule is refused.
type Problem struct {
	// Field is the dotted path below the opportunity, e.g. "days.date".
	Field string
	// Rule identifies the rule, e.g. "schedule.date_repeated".
	Rule string
	// Message says what is wrong without repeating personal data.
	Message string
}

// Day is one day an opportunity runs.
type Day struct {
	Date    time.Time
	Session credit.Session
}

// Plan is the schedule part of an opportunity as the caller sent it.
type Plan struct {
	Dates    []string // YYYY-MM-DD, one per day
	Sessions []credit.Session
	Location string
	Virtual  bool
	// Today decides which dates are plausible: from 2000 to two years
	// ahead (calendar.Plausible).
	Today time.Time
}

// ParseDate reads a YYYY-MM-DD date that exists in the calendar.
func ParseDate(s string) (time.Time, error) {
	d, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a calendar date (YYYY-MM-DD)", s)
	}
	return d, nil
}

// Check returns the plan's days in date order, or the problems that make
// it unacceptable.
func Check(p Plan) ([]Day, []Problem) {
	var problems []Problem
	days := make([]Day, 0, len(p.Dates))
	seen := map[time.Time]bool{}
	for i, s := range p.Dates {
		d, err := ParseDate(s)
		if err != nil {
			problems = append(problems, Problem{Field: "days.date", Rule: "schedule.date_invalid", Message: fmt.Sprintf("day %d is not a calendar date", i+1)})
			continue
		}
		if !calendar.Plausible(d, p.Today) {
			problems = append(problems, Problem{Field: "days.date", Rule: "schedule.date_range", Message: fmt.Sprintf("day %d must be from 2000 to two years from today", i+1)})
			continue
		}
		if seen[d] {
			problems = append(problems, Problem{Field: "days.date", Rule: "schedule.date_repeated", Message: fmt.Sprintf("day %d repeats an earlier date", i+1)})
			continue
		}
		seen[d] = true
		days = append(days, Day{Date: d, Session: p.Sessions[i]})
	}
	// An opportunity belongs to one academic year: its days are credited
	// against that year's trajectory, and reported in that year's figures.
	for _, d := range days[min(1, len(days)):] {
		if academicyear.Containing(d.Date) != academicyear.Containing(days[0].Date) {
			problems = append(problems, Problem{Field: "days.date", Rule: "schedule.one_academic_year",
				Message: "every day must be in one academic year (1 September to 31 August)"})
			break
		}
	}
	switch {
	case p.Virtual && p.Location != "":
		problems = append(problems, Problem{Field: "location", Rule: "schedule.virtual_has_no_location", Message: "a virtual opportunity has no location"})
	case !p.Virtual && p.Location == "":
		problems = append(problems, Problem{Field: "location", Rule: "schedule.location_required", Message: "give a location, or mark the opportunity virtual"})
	}
	if len(problems) > 0 {
		return nil, problems
	}
	slices.SortFunc(days, func(a, b Day) int { return a.Date.Compare(b.Date) })
	return days, nil
}

// MarkedDay reads the date of an attendance mark: a calendar date, and not
// after today, because a register records what has happened.
func MarkedDay(s string, today time.Time) (time.Time, *Problem) {
	d, err := ParseDate(s)
	if err != nil {
		return time.Time{}, &Problem{Field: "date", Rule: "date.calendar", Message: "not a calendar date (YYYY-MM-DD)"}
	}
	if d.After(today) {
		return time.Time{}, &Problem{Field: "date", Rule: "attendance.not_future", Message: "the day has not happened yet"}
	}
	return d, nil
}
