// Package measures computes the measures DfE publishes for each local
// authority from NCCIS records: the share of 16 and 17 year olds NEET or
// whose activity is not known (the headline is the average of the ends of
// December, January and February), participation at the end of March, and
// the Year 11 Annual Activity Survey as at 1 November (see
// ../shared/DOMAIN.md, "NCCIS activity codes and measures" and
// "Deadlines"). It is pure: records in, counts out. Each measure at a date
// is one pass over the young people.
package measures

import (
	"time"

	"github.com/nextstep-uk/nextstep/services/tracking/internal/currency"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/nccis"
)

// Activity is one confirmed activity of a young person.
type Activity struct {
	// Code is the NCCIS current-activity code.
	Code string
	// Effective is the day the activity began, as midnight UTC.
	Effective time.Time
	// LapsesOn is the day it stops being current, from
	// currency.Config.LapsesOn; zero for an activity never current.
	LapsesOn time.Time
}

// Person is a young person resident in a local authority.
type Person struct {
	// ID is the young person's id (the pupil service's); the counts do not
	// read it, and it names them in the caller's diagnostics.
	ID string
	// LACode is the three-digit code of the local authority they live in:
	// NCCIS counts by residence, not by school.
	LACode string
	// AcademicAge is their age on 31 August before the academic year
	// measured. The measures count ages 16 and 17; the survey, 16 (those
	// who left Year 11 that summer).
	AcademicAge int
	// Activities are their confirmed activities, in the order recorded.
	Activities []Activity
}

// custody (710) is the one activity whose young people are outside the
// cohort; everyone else of the measured ages, re-engagement (530) and gap
// years (260) included, is in it (../shared/DOMAIN.md).
const custody = "710"

// asAt is p's activity as at day: the latest with an effective date on or
// before day, the later in p.Activities when two share a date. known is
// false, and the code empty, when there is none, when it is not current
// on day, or when its code says not known (or is not in the table).
func asAt(p *Person, day time.Time) (c nccis.Code, known bool) {
	var latest *Activity
	for i := range p.Activities {
		a := &p.Activities[i]
		if a.Effective.After(day) {
			continue
		}
		if latest == nil || !a.Effective.Before(latest.Effective) {
			latest = a
		}
	}
	if latest == nil || !currency.Current(latest.LapsesOn, day) {
		return nccis.Code{}, false
	}
	c, ok := nccis.Lookup(latest.Code)
	if !ok || !c.Group.Known() {
		return nccis.Code{}, false
	}
	return c, true
}

// Share is n out of cohort, and 0 for an empty cohort.
func Share(n, cohort int) float64 {
	if cohort == 0 {
		return 0
	}
	return float64(n) / float64(cohort)
}

// Counts are one local authority's numbers at a date.
type Counts struct {
	// Cohort is the denominator: residents of academic age 16 or 17, but
	// those in custody.
	Cohort int
	// NEET are those whose current activity is NEET.
	NEET int
	// NotKnown are those with no current, known activity.
	NotKnown int
	// Participating are those whose current activity meets the duty to
	// participate (nccis.Code.Participating).
	Participating int
}

// NEETOrNotKnown is the numerator of the headline measure.
func (c Counts) NEETOrNotKnown() int { return c.NEET + c.NotKnown }

// NEETShare is the share of the cohort NEET.
func (c Counts) NEETShare() float64 { return Share(c.NEET, c.Cohort) }

// NotKnownShare is the share of the cohort not known.
func (c Counts) NotKnownShare() float64 { return Share(c.NotKnown, c.Cohort) }

// NEETOrNotKnownShare is the share of the cohort NEET or not known.
func (c Counts) NEETOrNotKnownShare() float64 { return Share(c.NEETOrNotKnown(), c.Cohort) }

// ParticipatingShare is the share of the cohort participating.
func (c Counts) ParticipatingShare() float64 { return Share(c.Participating, c.Cohort) }

// At counts each local authority's young people as at day. Every local
// authority someone in people lives in has an entry, with a cohort of 0
// when none of them is counted.
func At(people []Person, day time.Time) map[string]Counts {
	out := make(map[string]Counts)
	for i := range people {
		p := &people[i]
		c := out[p.LACode]
		if p.AcademicAge == 16 || p.AcademicAge == 17 {
			code, known := asAt(p, day)
			switch {
			case !known:
				c.Cohort++
				c.NotKnown++
			case code.Code == custody:
			default:
				c.Cohort++
				if code.Group.NEET() {
					c.NEET++
				}
				if code.Participating {
					c.Participating++
				}
			}
		}
		out[p.LACode] = c
	}
	return out
}

// Headline is one local authority's headline measures for an academic
// year: the counts they are computed from, and the shares as methods.
type Headline struct {
	// December, January and February are the counts on the last day of
	// each month.
	December, January, February Counts
	// March is the counts on 31 March, for participation.
	March Counts
}

// NEETOrNotKnownShare is the headline: the average of the shares NEET or
// not known at the ends of December, January and February. A month with an
// empty cohort is left out of the average; with none, it is 0.
func (h Headline) NEETOrNotKnownShare() float64 {
	return h.average(Counts.NEETOrNotKnownShare)
}

// NEETShare is the average share NEET over the same months.
func (h Headline) NEETShare() float64 { return h.average(Counts.NEETShare) }

// NotKnownShare is the average share not known over the same months.
func (h Headline) NotKnownShare() float64 { return h.average(Counts.NotKnownShare) }

// ParticipationShare is the share participating at the end of March.
func (h Headline) ParticipationShare() float64 { return h.March.ParticipatingShare() }

func (h Headline) average(share func(Counts) float64) float64 {
	sum, months := 0.0, 0
	for _, c := range []Counts{h.December, h.January, h.February} {
		if c.Cohort > 0 {
			sum += share(c)
			months++
		}
	}
	if months == 0 {
		return 0
	}
	return sum / float64(months)
}

// HeadlineDates are the days the headline of the academic year that starts
// in September of year is measured on: the ends of December, January,
// February and March (2025 gives 2025-12-31, 2026-01-31, 2026-02-28,
// 2026-03-31).
func HeadlineDates(year int) [4]time.Time {
	end := func(y int, m time.Month) time.Time { return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC) }
	return [4]time.Time{end(year, time.December), end(year+1, time.January), end(year+1, time.February), end(year+1, time.March)}
}

// Headlines computes each local authority's headline measures for the
// academic year that starts in September of year; people's academic ages
// are for that year.
func Headlines(people []Person, year int) map[string]Headline {
	d := HeadlineDates(year)
	dec, jan, feb, mar := At(people, d[0]), At(people, d[1]), At(people, d[2]), At(people, d[3])
	out := make(map[string]Headline, len(dec))
	for la := range dec {
		out[la] = Headline{December: dec[la], January: jan[la], February: feb[la], March: mar[la]}
	}
	return out
}

// Survey is one local authority's Year 11 Annual Activity Survey: its
// Year 11 leavers by the group of their activity as at 1 November.
type Survey struct {
	Education, Employment, Training, NEET, NotKnown int
	// Other is every other known activity: re-engagement, custody, and the
	// rest of the "other" and compulsory-school-age codes.
	Other int
}

// Total is every Year 11 leaver counted.
func (s Survey) Total() int {
	return s.Education + s.Employment + s.Training + s.NEET + s.NotKnown + s.Other
}

// SurveyDate is the day the survey of the academic year that starts in
// September of year is taken: 1 November.
func SurveyDate(year int) time.Time { return time.Date(year, time.November, 1, 0, 0, 0, 0, time.UTC) }

// ActivitySurvey takes the Annual Activity Survey of those who left Year 11
// in the summer before the academic year that starts in September of year
// (academic age 16 in it), by local authority. Unlike the NEET measures it
// counts those in custody, under Other: it is where every leaver went. A
// gap year (260) is counted as education, its group in the NCCIS table.
// Every local authority someone in people lives in has an entry.
func ActivitySurvey(people []Person, year int) map[string]Survey {
	day := SurveyDate(year)
	out := make(map[string]Survey)
	for i := range people {
		p := &people[i]
		s := out[p.LACode]
		if p.AcademicAge == 16 {
			code, known := asAt(p, day)
			switch {
			case !known:
				s.NotKnown++
			case code.Group == nccis.GroupEducation:
				s.Education++
			case code.Group == nccis.GroupEmployment:
				s.Employment++
			case code.Group == nccis.GroupTraining:
				s.Training++
			case code.Group.NEET():
				s.NEET++
			default:
				s.Other++
			}
		}
		out[p.LACode] = s
	}
	return out
}
