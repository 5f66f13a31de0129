package measures_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/nextstep-uk/nextstep/services/tracking/internal/measures"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// act is a confirmed activity; lapses "" is never current.
func act(code, effective, lapses string) measures.Activity {
	a := measures.Activity{Code: code, Effective: day(effective)}
	if lapses != "" {
		a.LapsesOn = day(lapses)
	}
	return a
}

func person(id, la string, age int, acts ...measures.Activity) measures.Person {
	return measures.Person{ID: id, LACode: la, AcademicAge: age, Activities: acts}
}

// fixture is the academic year 2025/26, measured on 2025-11-01 (survey),
// 2025-12-31, 2026-01-31, 2026-02-28 (headline) and 2026-03-31
// (participation). Each young person's state on those days, in that order:
// P participating, E known and not NEET but not participating, N NEET, K
// not known, X outside the cohort (custody), - not counted (age).
var fixture = []measures.Person{
	// Wolverhampton (336).
	// a1: further education all year.          Nov P, Dec P, Jan P, Feb P, Mar P. Survey: education.
	person("a1", "336", 16, act("230", "2025-09-01", "2026-09-01")),
	// a2: a course whose review date is 31 January: on the day it lapses
	// it is no longer current.                  Dec P, Jan K, Feb K, Mar K. (17: not surveyed.)
	person("a2", "336", 17, act("230", "2024-09-01", "2026-01-31")),
	// a3: sixth form, then seeking from 10 January, mid-winter.
	//                                           Nov P, Dec P, Jan N, Feb N, Mar N. Survey: education.
	person("a3", "336", 16, act("210", "2025-09-01", "2026-09-01"), act("619", "2026-01-10", "2026-04-11")),
	// a4: re-engagement, in the cohort and neither NEET nor participating,
	// until it lapses on 14 February.           Dec E, Jan E, Feb K, Mar K. (17.)
	person("a4", "336", 17, act("530", "2025-11-15", "2026-02-14")),
	// a5: a gap year, in the cohort, neither.  Nov E, Dec E, Jan E, Feb E, Mar E. Survey: education (its group).
	person("a5", "336", 16, act("260", "2025-09-01", "2026-09-01")),
	// a6: custody until 1 April: outside the cohort on every date.
	//                                           Dec X, Jan X, Feb X, Mar X. (17.)
	person("a6", "336", 17, act("710", "2025-10-01", "2026-04-01")),
	// a7: no record at all.                     Nov K, Dec K, Jan K, Feb K, Mar K. Survey: not known.
	person("a7", "336", 16),
	// a8: seeking until it lapses on 19 January; an apprenticeship from
	// 1 February, ignored before then.          Nov N, Dec N, Jan K, Feb P, Mar P. Survey: NEET.
	person("a8", "336", 16, act("619", "2025-10-20", "2026-01-19"), act("310", "2026-02-01", "2027-02-01")),
	// a9: 18, outside the measured ages.        - on every date.
	person("a9", "336", 18, act("619", "2025-10-01", "2026-09-01")),
	// a10: employment without training, which is EET but does not meet
	// the duty, lapsing on 16 March.            Nov E, Dec E, Jan E, Feb E, Mar K. Survey: employment.
	person("a10", "336", 16, act("330", "2025-09-15", "2026-03-16")),
	// a11: two records on one day: the later in the slice (320,
	// employment with regulated study) wins.   Dec P, Jan P, Feb P, Mar P. (17.)
	person("a11", "336", 17, act("619", "2025-12-01", "2026-03-02"), act("320", "2025-12-01", "2026-06-01")),
	// a12: a traineeship.                       Nov P, Dec P, Jan P, Feb P, Mar P. Survey: training.
	person("a12", "336", 16, act("450", "2025-09-01", "2026-09-01")),

	// Sandwell (330).
	// b1: recorded as not known (810), never current.
	//                                           Nov K, Dec K, Jan K, Feb K, Mar K. Survey: not known.
	person("b1", "330", 16, act("810", "2025-09-01", "")),
	// b2: a DWP programme: EET, not participating. Dec E, Jan E, Feb E, Mar E. (17.)
	person("b2", "330", 17, act("440", "2025-09-01", "2026-09-01")),
	// b3: volunteering with regulated study: participating, and
	// employment in the survey; lapses 1 April. Nov P, Dec P, Jan P, Feb P, Mar P. Survey: employment.
	person("b3", "330", 16, act("550", "2025-10-01", "2026-04-01")),
	// b4: seeking from 31 December, the measuring day itself, lapsing on
	// 31 March, the other.                     Dec N, Jan N, Feb N, Mar K. (17.)
	person("b4", "330", 17, act("619", "2025-12-31", "2026-03-31")),

	// City of London (201): its only young person is in custody, so its
	// cohort is empty.
	// c1:                                       Nov X (survey: other), Dec X, Jan X, Feb X, Mar X.
	person("c1", "201", 16, act("710", "2025-06-01", "2026-06-01")),
}

// The counts by hand, from the states above.
var (
	// 336: cohort a1 a2 a3 a4 a5 a7 a8 a10 a11 a12 = 10 (a6 custody, a9 18).
	// Dec: N a8; K a7; P a1 a2 a3 a11 a12.
	dec336 = measures.Counts{Cohort: 10, NEET: 1, NotKnown: 1, Participating: 5}
	// Jan: N a3; K a2 a7 a8; P a1 a11 a12.
	jan336 = measures.Counts{Cohort: 10, NEET: 1, NotKnown: 3, Participating: 3}
	// Feb: N a3; K a2 a4 a7; P a1 a8 a11 a12.
	feb336 = measures.Counts{Cohort: 10, NEET: 1, NotKnown: 3, Participating: 4}
	// Mar: N a3; K a2 a4 a7 a10; P a1 a8 a11 a12.
	mar336 = measures.Counts{Cohort: 10, NEET: 1, NotKnown: 4, Participating: 4}
	// 330: cohort b1 b2 b3 b4 = 4.
	// Dec, Jan, Feb: N b4; K b1; P b3.
	winter330 = measures.Counts{Cohort: 4, NEET: 1, NotKnown: 1, Participating: 1}
	// Mar: K b1 b4; P b3.
	mar330 = measures.Counts{Cohort: 4, NotKnown: 2, Participating: 1}
)

func TestAt(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		on   string
		want map[string]measures.Counts
	}{
		"end of December": {"2025-12-31", map[string]measures.Counts{"336": dec336, "330": winter330, "201": {}}},
		"end of January":  {"2026-01-31", map[string]measures.Counts{"336": jan336, "330": winter330, "201": {}}},
		"end of February": {"2026-02-28", map[string]measures.Counts{"336": feb336, "330": winter330, "201": {}}},
		"end of March":    {"2026-03-31", map[string]measures.Counts{"336": mar336, "330": mar330, "201": {}}},
		"nobody":          {"2026-03-31", map[string]measures.Counts{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			people := fixture
			if name == "nobody" {
				people = nil
			}
			if diff := cmp.Diff(tc.want, measures.At(people, day(tc.on))); diff != "" {
				t.Errorf("counts on %s (-want +got):\n%s", tc.on, diff)
			}
		})
	}
}

func TestHeadlines(t *testing.T) {
	t.Parallel()
	type shares struct{ NEETOrNotKnown, NEET, NotKnown, Participation float64 }
	got := measures.Headlines(fixture, 2025)
	if diff := cmp.Diff(map[string]measures.Headline{
		"336": {December: dec336, January: jan336, February: feb336, March: mar336},
		"330": {December: winter330, January: winter330, February: winter330, March: mar330},
		"201": {},
	}, got); diff != "" {
		t.Errorf("headline counts (-want +got):\n%s", diff)
	}
	cases := map[string]struct {
		la   string
		want shares
	}{
		// (2/10 + 4/10 + 4/10) / 3; NEET 1/10 each month; not known
		// (1 + 3 + 3) / 30; participation 4/10 at the end of March.
		"Wolverhampton": {"336", shares{NEETOrNotKnown: 1.0 / 3, NEET: 0.1, NotKnown: 7.0 / 30, Participation: 0.4}},
		// 2/4 each month; 1/4 NEET and not known; 1/4 participating.
		"Sandwell": {"330", shares{NEETOrNotKnown: 0.5, NEET: 0.25, NotKnown: 0.25, Participation: 0.25}},
		// An empty cohort: 0, not NaN.
		"an empty LA": {"201", shares{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := got[tc.la]
			s := shares{h.NEETOrNotKnownShare(), h.NEETShare(), h.NotKnownShare(), h.ParticipationShare()}
			if diff := cmp.Diff(tc.want, s, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("shares of %s (-want +got):\n%s", tc.la, diff)
			}
		})
	}
}

func TestHeadlineDates(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		year int
		want [4]string
	}{
		"2025/26":              {2025, [4]string{"2025-12-31", "2026-01-31", "2026-02-28", "2026-03-31"}},
		"2027/28, a leap year": {2027, [4]string{"2027-12-31", "2028-01-31", "2028-02-29", "2028-03-31"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var got [4]string
			for i, d := range measures.HeadlineDates(tc.year) {
				got[i] = d.Format(time.DateOnly)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("dates (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAverageSkipsEmptyMonths: a month whose cohort is empty (everyone in
// custody then) does not pull the average towards 0.
func TestAverageSkipsEmptyMonths(t *testing.T) {
	t.Parallel()
	h := measures.Headline{
		December: measures.Counts{Cohort: 2, NEET: 1},
		January:  measures.Counts{},
		February: measures.Counts{Cohort: 2, NotKnown: 2},
	}
	if got, want := h.NEETOrNotKnownShare(), 0.75; got != want {
		t.Errorf("headline = %v, want %v", got, want)
	}
}

func TestActivitySurvey(t *testing.T) {
	t.Parallel()
	want := map[string]measures.Survey{
		// a1 a3 a5 education; a10 employment; a12 training; a8 NEET; a7 not
		// known. a2 a4 a6 a9 a11 are not 16.
		"336": {Education: 3, Employment: 1, Training: 1, NEET: 1, NotKnown: 1},
		// b3 employment; b1 not known.
		"330": {Employment: 1, NotKnown: 1},
		// c1 in custody: other.
		"201": {Other: 1},
	}
	got := measures.ActivitySurvey(fixture, 2025)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("survey (-want +got):\n%s", diff)
	}
	if n := got["336"].Total(); n != 7 {
		t.Errorf("336 surveyed %d, want 7", n)
	}
	if d := measures.SurveyDate(2025); !d.Equal(day("2025-11-01")) {
		t.Errorf("survey date %s", d.Format(time.DateOnly))
	}
}

func TestShare(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		n, cohort int
		want      float64
	}{
		"a quarter":       {1, 4, 0.25},
		"none":            {0, 4, 0},
		"an empty cohort": {0, 0, 0},
	}
	for name, tc := range cases {
		if got := measures.Share(tc.n, tc.cohort); got != tc.want {
			t.Errorf("%s: Share(%d, %d) = %v, want %v", name, tc.n, tc.cohort, got, tc.want)
		}
	}
}
