// Package yeargroup is England's National Curriculum year groups, which
// follow from a pupil's date of birth: a pupil is in Year 7 in the academic
// year that starts in the September after their 11th birthday (born 1 Sep
// 2013 to 31 Aug 2014: Year 7 in 2025/26). Academic years themselves are
// api/academicyear's.
package yeargroup

import (
	"time"

	"github.com/nextstep-uk/nextstep/api/academicyear"
)

// Year groups a secondary cohort can have; Year 11 is the last compulsory
// one, 12 and 13 are the sixth form.
const (
	First = 7
	Last  = 13
)

// PastYear13 stands for the young people past Year 13, academic age 18
// and over, whom an LA tracks while they have an EHC plan (NCCIS: up to
// 25): the year group they would be in had school gone on.
const PastYear13 = Last + 1

// OfAcademicAge is the year group of a pupil of academic age a (their age
// on 31 August before the year): Year 7 is 11, Year 13 is 17.
func OfAcademicAge(a int) int { return a - 4 }

// MaxOffset bounds how far from their chronological year group a pupil can
// be taught.
const MaxOffset = 2

// AcademicYear is the academic year starting on 1 September of Start; its
// written form and dates are the contracts' (api/academicyear).
type AcademicYear = academicyear.Year

// ParseAcademicYear reads "2025/26".
func ParseAcademicYear(s string) (AcademicYear, error) { return academicyear.Parse(s) }

// Containing is the academic year a date falls in.
func Containing(d time.Time) AcademicYear { return academicyear.Containing(d) }

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
