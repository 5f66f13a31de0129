// Package rules is the reconciler's judgement, in pure Go with no I/O: from a
// programme's policy, a cohort and the records of its members it decides each
// pupil's state and which interventions they need, with the evidence for
// each. It is tested with tables, without a cluster or a database.
package rules

import (
	"time"

	"github.com/nextstep-uk/nextstep/api/academicyear"
)

// AcademicYear is the contracts' academic year (api/academicyear).
type AcademicYear = academicyear.Year

// Day truncates t to its calendar day in UTC: the rules work in whole days.
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ParseDate parses YYYY-MM-DD; "" is the zero time.
func ParseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.DateOnly, s)
}
