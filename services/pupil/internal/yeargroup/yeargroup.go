// Package yeargroup is the school calendar of England: academic years
// (1 September to 31 August, written "2025/26") and National Curriculum
// year groups, which follow from a pupil's date of birth: a pupil is in
// Year 7 in the academic year that starts in the September after their
// 11th birthday (born 1 Sep 2013 to 31 Aug 2014: Year 7 in 2025/26).
package yeargroup

import (
	"errors"
	"fmt"
	"time"
)

// Year groups a secondary cohort can have; Year 11 is the last compulsory
// one, 12 and 13 are the sixth form.
const (
	First = 7
	Last  = 13
)

// MaxOffset bounds how far from their chronological year group a pupil can
// be taught.
const MaxOffset = 2

// AcademicYear is the academic year starting on 1 September of Start.
type AcademicYear struct{ Start int }

// ParseAcademicYear reads "2025/26": the second part must be the first
// plus one, mod 100.
func ParseAcademicYear(s string) (AcademicYear, error) {
	var start, end int
	if len(s) != 7 || s[4] != '/' {
		return AcademicYear{}, errors.New("must look like 2025/26")
	}
	if _, err := fmt.Sscanf(s, "%4d/%2d", &start, &end); err != nil {
		return AcademicYear{}, errors.New("must look like 2025/26")
	}
	if end != (start+1)%100 {
		return AcademicYear{}, errors.New("the second year must follow the first")
	}
	return AcademicYear{Start: start}, nil
}

// Containing is the academic year a date falls in.
func Containing(d time.Time) AcademicYear {
	if d.Month() >= time.September {
		return AcademicYear{Start: d.Year()}
	}
	return AcademicYear{Start: d.Year() - 1}
}

func (y AcademicYear) String() string { return fmt.Sprintf("%d/%02d", y.Start, (y.Start+1)%100) }

// FirstDay is 1 September.
func (y AcademicYear) FirstDay() time.Time {
	return time.Date(y.Start, time.September, 1, 0, 0, 0, 0, time.UTC)
}

// LastDay is 31 August of the following year.
func (y AcademicYear) LastDay() time.Time {
	return time.Date(y.Start+1, time.August, 31, 0, 0, 0, 0, time.UTC)
}

// Entry is the year the pupil's year group counts from: in the academic
// year starting in September of Y, the pupil is in year group Y - Entry.
// Pupils taught out of their year group have an offset (+1 a year ahead,
// -1 a year behind). Storing Entry lets a cohort be found with one indexed
// equality, whatever the academic year.
func Entry(dateOfBirth time.Time, offset int) int {
	// A child born in academic year B (September of B to August of B+1)
	// starts Reception in September of B+5 (year group 0).
	return Containing(dateOfBirth).Start + 5 - offset
}

// Of is the pupil's year group in the academic year.
func Of(dateOfBirth time.Time, offset int, year AcademicYear) int {
	return year.Start - Entry(dateOfBirth, offset)
}

// EntryFor is the Entry of the pupils in year group in the academic year:
// the inverse of Of, for queries.
func EntryFor(year AcademicYear, group int) int { return year.Start - group }
