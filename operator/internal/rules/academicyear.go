// Package rules is the reconciler's judgement, in pure Go with no I/O: from a
// programme's policy, a cohort and the records of its members it decides each
// pupil's state and which interventions they need, with the evidence for
// each. It is tested with tables, without a cluster or a database.
package rules

import (
	"fmt"
	"strconv"
	"time"
)

// AcademicYear runs from 1 September to 31 August; 2025/26 starts in 2025.
type AcademicYear struct {
	StartYear int
}

// ParseAcademicYear parses the written form, like 2025/26.
func ParseAcademicYear(s string) (AcademicYear, error) {
	if len(s) != 7 || s[4] != '/' {
		return AcademicYear{}, fmt.Errorf("academic year %q is not like 2025/26", s)
	}
	start, err1 := strconv.Atoi(s[:4])
	end, err2 := strconv.Atoi(s[5:])
	if err1 != nil || err2 != nil || (start+1)%100 != end {
		return AcademicYear{}, fmt.Errorf("academic year %q is not two consecutive years like 2025/26", s)
	}
	return AcademicYear{StartYear: start}, nil
}

// String returns the written form.
func (y AcademicYear) String() string {
	return fmt.Sprintf("%d/%02d", y.StartYear, (y.StartYear+1)%100)
}

// Start is 1 September.
func (y AcademicYear) Start() time.Time { return date(y.StartYear, time.September, 1) }

// End is 31 August, the year's last day.
func (y AcademicYear) End() time.Time { return date(y.StartYear+1, time.August, 31) }

// On returns the date with this month and day that falls inside the
// academic year: September to December in the first calendar year, January
// to August in the second.
func (y AcademicYear) On(month time.Month, day int) time.Time {
	if month >= time.September {
		return date(y.StartYear, month, day)
	}
	return date(y.StartYear+1, month, day)
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Day truncates t to its calendar day in UTC: the rules work in whole days.
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return date(y, m, d)
}

// ParseDate parses YYYY-MM-DD; "" is the zero time.
func ParseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.DateOnly, s)
}
