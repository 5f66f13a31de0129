package schedule_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/services/placement/internal/credit"
	"github.com/nextstep-uk/nextstep/services/placement/internal/schedule"
)

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestCheck(t *testing.T) {
	t.Parallel()
	full, half := credit.FullDaySession, credit.HalfDaySession
	cases := map[string]struct {
		plan         schedule.Plan
		wantDays     []schedule.Day
		wantProblems []schedule.Problem
	}{
		"a week's placement, given out of order": {
			plan: schedule.Plan{Location: "WV1 1AA",
				Dates: []string{"2026-07-08", "2026-07-06", "2026-07-07"}, Sessions: []credit.Session{full, half, full}},
			wantDays: []schedule.Day{{Date: date("2026-07-06"), Session: half}, {Date: date("2026-07-07"), Session: full}, {Date: date("2026-07-08"), Session: full}},
		},
		"a virtual experience online": {
			plan:     schedule.Plan{Virtual: true, Dates: []string{"2026-02-28"}, Sessions: []credit.Session{half}},
			wantDays: []schedule.Day{{Date: date("2026-02-28"), Session: half}},
		},
		"a date not in the calendar": {
			plan:         schedule.Plan{Location: "Hall", Dates: []string{"2026-02-30"}, Sessions: []credit.Session{half}},
			wantProblems: []schedule.Problem{{Field: "days.date", Rule: "schedule.date_invalid", Message: "day 1 is not a calendar date"}},
		},
		"a date twice": {
			plan:         schedule.Plan{Location: "Site", Dates: []string{"2026-03-02", "2026-03-02"}, Sessions: []credit.Session{full, half}},
			wantProblems: []schedule.Problem{{Field: "days.date", Rule: "schedule.date_repeated", Message: "day 2 repeats an earlier date"}},
		},
		"days in two academic years": {
			plan:         schedule.Plan{Location: "Site", Dates: []string{"2026-08-28", "2026-09-01"}, Sessions: []credit.Session{full, full}},
			wantProblems: []schedule.Problem{{Field: "days.date", Rule: "schedule.one_academic_year", Message: "every day must be in one academic year (1 September to 31 August)"}},
		},
		"in person with nowhere to go": {
			plan:         schedule.Plan{Dates: []string{"2026-03-02"}, Sessions: []credit.Session{full}},
			wantProblems: []schedule.Problem{{Field: "location", Rule: "schedule.location_required", Message: "give a location, or mark the opportunity virtual"}},
		},
		"a date in 9999": {
			plan:         schedule.Plan{Location: "Hall", Dates: []string{"2026-03-02", "9999-03-02"}, Sessions: []credit.Session{full, half}},
			wantProblems: []schedule.Problem{{Field: "days.date", Rule: "schedule.date_range", Message: "day 2 must be from 2000 to two years from today"}},
		},
		"a date before 2000": {
			plan:         schedule.Plan{Location: "Hall", Dates: []string{"1999-12-31"}, Sessions: []credit.Session{half}},
			wantProblems: []schedule.Problem{{Field: "days.date", Rule: "schedule.date_range", Message: "day 1 must be from 2000 to two years from today"}},
		},
		"virtual with a location": {
			plan:         schedule.Plan{Virtual: true, Location: "Office", Dates: []string{"2026-03-02"}, Sessions: []credit.Session{full}},
			wantProblems: []schedule.Problem{{Field: "location", Rule: "schedule.virtual_has_no_location", Message: "a virtual opportunity has no location"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tc.plan.Today = date("2026-01-05")
			days, problems := schedule.Check(tc.plan)
			if diff := cmp.Diff(tc.wantDays, days); diff != "" {
				t.Errorf("days (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantProblems, problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	for in, wantErr := range map[string]bool{"2026-09-01": false, "2028-02-29": false, "2027-02-29": true, "1/9/2026": true, "": true} {
		if _, err := schedule.ParseDate(in); (err != nil) != wantErr {
			t.Errorf("ParseDate(%q) error = %v, want error %v", in, err, wantErr)
		}
	}
}

func TestMarkedDay(t *testing.T) {
	t.Parallel()
	today := date("2026-07-08")
	cases := map[string]struct {
		in       string
		want     time.Time
		wantRule string
	}{
		"earlier":       {in: "2026-07-06", want: date("2026-07-06")},
		"today":         {in: "2026-07-08", want: today},
		"tomorrow":      {in: "2026-07-09", wantRule: "attendance.not_future"},
		"not a date":    {in: "2026-13-01", wantRule: "date.calendar"},
		"badly written": {in: "8 July 2026", wantRule: "date.calendar"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, problem := schedule.MarkedDay(tc.in, today)
			var rule string
			if problem != nil {
				rule = problem.Rule
			}
			if !got.Equal(tc.want) || rule != tc.wantRule {
				t.Errorf("MarkedDay(%q) = %v, rule %q; want %v, rule %q", tc.in, got, rule, tc.want, tc.wantRule)
			}
		})
	}
}
