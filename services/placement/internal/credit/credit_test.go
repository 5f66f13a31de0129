package credit_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/services/placement/internal/credit"
)

func TestCredit(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		day  credit.Day
		want credit.HalfDays
	}{
		"full day at a placement":            {day: credit.Day{Kind: credit.Placement, Session: credit.FullDaySession, Mark: credit.FullDay}, want: 2},
		"half day at a placement":            {day: credit.Day{Kind: credit.Placement, Session: credit.FullDaySession, Mark: credit.HalfDay}, want: 1},
		"absent from a placement":            {day: credit.Day{Kind: credit.Placement, Session: credit.FullDaySession, Mark: credit.Absent}, want: 0},
		"full mark on a half-day session":    {day: credit.Day{Kind: credit.WorkplaceVisit, Session: credit.HalfDaySession, Mark: credit.FullDay}, want: 1},
		"half mark on a half-day session":    {day: credit.Day{Kind: credit.JobShadowing, Session: credit.HalfDaySession, Mark: credit.HalfDay}, want: 1},
		"virtual experience counts":          {day: credit.Day{Kind: credit.VirtualExperience, Session: credit.FullDaySession, Mark: credit.FullDay}, want: 2},
		"a talk is an encounter":             {day: credit.Day{Kind: credit.Talk, Session: credit.FullDaySession, Mark: credit.FullDay}, want: 0},
		"a careers fair is an encounter":     {day: credit.Day{Kind: credit.CareersFair, Session: credit.HalfDaySession, Mark: credit.HalfDay}, want: 0},
		"mentoring is an encounter":          {day: credit.Day{Kind: credit.Mentoring, Session: credit.FullDaySession, Mark: credit.FullDay}, want: 0},
		"cancelled booking credits nothing":  {day: credit.Day{Kind: credit.Placement, Session: credit.FullDaySession, Mark: credit.FullDay, Cancelled: true}, want: 0},
		"unknown kind credits nothing":       {day: credit.Day{Kind: "hackathon", Session: credit.FullDaySession, Mark: credit.FullDay}, want: 0},
		"impossible mark credits nothing":    {day: credit.Day{Kind: credit.Placement, Session: credit.FullDaySession, Mark: 3}, want: 0},
		"impossible session credits nothing": {day: credit.Day{Kind: credit.Placement, Session: 0, Mark: credit.FullDay}, want: 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := credit.Credit(tc.day); got != tc.want {
				t.Errorf("Credit(%+v) = %d, want %d", tc.day, got, tc.want)
			}
		})
	}
}

func TestTally(t *testing.T) {
	t.Parallel()
	full := func(pupil, opp string, k credit.Kind, m credit.Mark) credit.Attendance {
		return credit.Attendance{PupilID: pupil, OpportunityID: opp, Day: credit.Day{Kind: k, Session: credit.FullDaySession, Mark: m}}
	}
	cases := map[string]struct {
		marks []credit.Attendance
		want  map[string]credit.Total
	}{
		"nothing": {marks: nil, want: map[string]credit.Total{}},
		"a five-day placement with one absence and one half day": {
			marks: []credit.Attendance{
				full("p1", "o1", credit.Placement, credit.FullDay),
				full("p1", "o1", credit.Placement, credit.FullDay),
				full("p1", "o1", credit.Placement, credit.Absent),
				full("p1", "o1", credit.Placement, credit.HalfDay),
				full("p1", "o1", credit.Placement, credit.FullDay),
			},
			want: map[string]credit.Total{"p1": {HalfDays: 7, Experiences: 1}},
		},
		"experiences are counted once each, encounters earn no days but count as encounters": {
			marks: []credit.Attendance{
				full("p1", "o1", credit.Placement, credit.FullDay),
				full("p1", "o2", credit.JobShadowing, credit.HalfDay),
				full("p1", "o3", credit.Talk, credit.FullDay),
				full("p1", "o3", credit.Talk, credit.HalfDay),
				full("p1", "o4", credit.CareersFair, credit.FullDay),
				full("p1", "o5", credit.Mentoring, credit.Absent),
			},
			want: map[string]credit.Total{"p1": {HalfDays: 3, Experiences: 2, Encounters: 2}},
		},
		"absent throughout is no experience": {
			marks: []credit.Attendance{
				full("p1", "o1", credit.Placement, credit.Absent),
				full("p1", "o1", credit.Placement, credit.Absent),
			},
			want: map[string]credit.Total{"p1": {}},
		},
		"a cancelled booking's marks count nothing": {
			marks: []credit.Attendance{
				{PupilID: "p1", OpportunityID: "o1", Day: credit.Day{Kind: credit.Placement, Session: credit.FullDaySession, Mark: credit.FullDay, Cancelled: true}},
				full("p2", "o1", credit.Placement, credit.FullDay),
			},
			want: map[string]credit.Total{"p1": {}, "p2": {HalfDays: 2, Experiences: 1}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, credit.Tally(tc.marks)); diff != "" {
				t.Errorf("Tally (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExperienceKinds(t *testing.T) {
	t.Parallel()
	want := []string{"placement", "workplace_visit", "job_shadowing", "virtual_experience"}
	if diff := cmp.Diff(want, credit.ExperienceKinds()); diff != "" {
		t.Errorf("ExperienceKinds (-want +got):\n%s", diff)
	}
}
