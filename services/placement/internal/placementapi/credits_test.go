package placementapi_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/placement/internal/credit"
)

const (
	full   = placementv1.Mark_MARK_FULL_DAY
	half   = placementv1.Mark_MARK_HALF_DAY
	absent = placementv1.Mark_MARK_ABSENT
)

// creditScenario is a year of opportunities and some pupils' attendance
// at them, covering every rule of the arithmetic.
type creditScenario struct {
	e *env
	// Pupils by what happened to them.
	varied, cancelled, shadow, none, absentee, otherSchool pupil
	// The varied pupil's week-long placement booking.
	weekBooking string
}

func newCreditScenario(t *testing.T) *creditScenario {
	t.Helper()
	e := start(t)
	ctx := context.Background()
	emp := createEmployer(t, e, smallEmployer()).GetId()
	week := createOpportunity(t, e, opportunity(emp, placementv1.Kind_KIND_PLACEMENT, 10,
		day("2026-07-06", false), day("2026-07-07", false), day("2026-07-08", false), day("2026-07-09", false), day("2026-07-10", false))).GetId()
	visit := createOpportunity(t, e, opportunity(emp, placementv1.Kind_KIND_WORKPLACE_VISIT, 10, day("2026-03-10", true))).GetId()
	talk := createOpportunity(t, e, opportunity(emp, placementv1.Kind_KIND_TALK, 10, day("2026-02-02", false))).GetId()
	shadow := createOpportunity(t, e, opportunity(emp, placementv1.Kind_KIND_JOB_SHADOWING, 10, day("2026-05-11", false), day("2026-05-12", true))).GetId()
	virtual := createOpportunity(t, e, opportunity(emp, placementv1.Kind_KIND_VIRTUAL_EXPERIENCE, 10, day("2026-04-01", false))).GetId()

	s := &creditScenario{e: e,
		varied: e.pupilAt(t, "100001"), cancelled: e.pupilAt(t, "100001"), shadow: e.pupilAt(t, "100001"),
		none: e.pupilAt(t, "100001"), absentee: e.pupilAt(t, "100001"), otherSchool: e.pupilAt(t, "100002")}
	weekDays := []string{"2026-07-06", "2026-07-07", "2026-07-08", "2026-07-09", "2026-07-10"}
	var register []*placementv1.AttendanceRecord
	attend := func(b string, dates []string, marks ...placementv1.Mark) {
		for i, m := range marks {
			register = append(register, mark(b, dates[i], m))
		}
	}

	// Five days: full, full, absent, half, full = 7 half days; a full-day
	// mark at a half-day visit is 1; a talk is an encounter and counts 0.
	s.weekBooking = book(t, e, week, s.varied).GetId()
	attend(s.weekBooking, weekDays, full, full, absent, half, full)
	// Ids are UUIDs in any case.
	attend(strings.ToUpper(book(t, e, visit, s.varied).GetId()), []string{"2026-03-10"}, full)
	attend(book(t, e, talk, s.varied).GetId(), []string{"2026-02-02"}, full)

	// A whole week attended, then the booking cancelled: nothing.
	cancelledWeek := book(t, e, week, s.cancelled).GetId()
	attend(cancelledWeek, weekDays, full, full, full, full, full)
	attend(book(t, e, talk, s.cancelled).GetId(), []string{"2026-02-02"}, full)

	// Job shadowing, a full day then a half-day session = 3; absent from a
	// virtual experience = 0.
	attend(book(t, e, shadow, s.shadow).GetId(), []string{"2026-05-11", "2026-05-12"}, full, full)
	attend(book(t, e, virtual, s.shadow).GetId(), []string{"2026-04-01"}, absent)

	attend(book(t, e, week, s.absentee).GetId(), weekDays, absent, absent, absent, absent, absent)
	attend(book(t, e, week, s.otherSchool).GetId(), weekDays[:2], full, full)

	record(t, e, register...)
	if _, err := e.as(servicetest.HubAdmin).CancelBooking(ctx, &placementv1.CancelBookingRequest{Id: cancelledWeek, Version: 1}); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *creditScenario) pupils() []string {
	return []string{s.varied.id, s.cancelled.id, s.shadow.id, s.none.id, s.absentee.id, s.otherSchool.id}
}

func TestGetCreditedDays(t *testing.T) {
	t.Parallel()
	s := newCreditScenario(t)
	ctx := context.Background()
	credit := func(p pupil, halfDays, experiences int32) *placementv1.PupilCredit {
		return &placementv1.PupilCredit{PupilId: p.id, HalfDays: halfDays, Experiences: experiences}
	}
	// withEncounters adds the talk of 2 February 2026, attended by the
	// varied and cancelled pupils: an encounter of 2025/26, the academic
	// year of 31 August 2026 (a later year's count starts again at 0).
	withEncounters := func(credits []*placementv1.PupilCredit) []*placementv1.PupilCredit {
		out := make([]*placementv1.PupilCredit, len(credits))
		for i, c := range credits {
			out[i] = &placementv1.PupilCredit{PupilId: c.GetPupilId(), HalfDays: c.GetHalfDays(), Experiences: c.GetExperiences()}
			if c.GetPupilId() == s.varied.id || c.GetPupilId() == s.cancelled.id {
				out[i].Encounters = 1
			}
		}
		return out
	}
	everyone := []*placementv1.PupilCredit{
		credit(s.varied, 8, 2),
		credit(s.cancelled, 0, 0),
		credit(s.shadow, 3, 1),
		credit(s.none, 0, 0),
		credit(s.absentee, 0, 0),
		credit(s.otherSchool, 4, 1),
	}
	cases := map[string]struct {
		token string
		asOf  string
		want  []*placementv1.PupilCredit
	}{
		"the operator sees every pupil":      {token: servicetest.Service, asOf: "2026-08-31", want: withEncounters(everyone)},
		"today counts attendance recorded":   {token: servicetest.Service, want: everyone},
		"the hub sees every pupil in its LA": {token: servicetest.HubAdmin, asOf: "2026-08-31", want: withEncounters(everyone)},
		"a careers leader sees only their school's bookings": {token: servicetest.CareersLeader, asOf: "2026-08-31",
			want: withEncounters(append(slices.Clone(everyone[:5]), credit(s.otherSchool, 0, 0)))},
		"as of the second day of the week": {token: servicetest.Service, asOf: "2026-07-07", want: withEncounters([]*placementv1.PupilCredit{
			credit(s.varied, 5, 2), credit(s.cancelled, 0, 0), credit(s.shadow, 3, 1),
			credit(s.none, 0, 0), credit(s.absentee, 0, 0), credit(s.otherSchool, 4, 1),
		})},
		"before anything happened": {token: servicetest.Service, asOf: "2026-01-01", want: []*placementv1.PupilCredit{
			credit(s.varied, 0, 0), credit(s.cancelled, 0, 0), credit(s.shadow, 0, 0),
			credit(s.none, 0, 0), credit(s.absentee, 0, 0), credit(s.otherSchool, 0, 0),
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, err := s.e.as(tc.token).GetCreditedDays(ctx, &placementv1.GetCreditedDaysRequest{PupilIds: s.pupils(), AsOf: tc.asOf})
			if err != nil {
				t.Fatalf("GetCreditedDays: %v", err)
			}
			if diff := cmp.Diff(tc.want, res.GetCredits(), protocmp.Transform()); diff != "" {
				t.Errorf("credits (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("ids in upper case", func(t *testing.T) {
		t.Parallel()
		upper := strings.ToUpper(s.varied.id)
		res, err := s.e.as(servicetest.Service).GetCreditedDays(ctx, &placementv1.GetCreditedDaysRequest{PupilIds: []string{upper}})
		if err != nil {
			t.Fatal(err)
		}
		want := []*placementv1.PupilCredit{{PupilId: upper, HalfDays: 8, Experiences: 2}}
		if diff := cmp.Diff(want, res.GetCredits(), protocmp.Transform()); diff != "" {
			t.Errorf("credits (-want +got):\n%s", diff)
		}
	})

	t.Run("a booking shows what it credits", func(t *testing.T) {
		t.Parallel()
		res, err := s.e.as(servicetest.CareersLeader).GetBooking(ctx, &placementv1.GetBookingRequest{Id: s.weekBooking})
		if err != nil {
			t.Fatal(err)
		}
		b := res.GetBooking()
		if b.GetCreditedHalfDays() != 7 || len(b.GetAttendance()) != 5 || b.GetAttendance()[2].GetMark() != absent {
			t.Errorf("booking = %v, want 7 half days from 5 marks, the third absent", b)
		}
	})

	t.Run("the reads are audited by pupil", func(t *testing.T) {
		t.Parallel()
		if _, err := s.e.as(servicetest.Service).GetCreditedDays(ctx, &placementv1.GetCreditedDaysRequest{PupilIds: []string{s.varied.id, s.none.id}}); err != nil {
			t.Fatal(err)
		}
		var targets []string
		err := s.e.pool.QueryRow(ctx, `SELECT e.targets FROM placement.audit_events e
			WHERE e.procedure LIKE '%/GetCreditedDays' AND e.subject = 'operator' AND cardinality(e.targets) = 1 ORDER BY e.id DESC LIMIT 1`).Scan(&targets)
		if err != nil {
			t.Fatalf("audit row: %v", err)
		}
		if diff := cmp.Diff([]string{"pupil:" + s.varied.id}, targets); diff != "" {
			t.Errorf("audited pupils (-want +got):\n%s", diff)
		}
	})
}

func TestGetCreditedDaysRefusals(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	id := newID()
	cases := map[string]struct {
		token string
		req   *placementv1.GetCreditedDaysRequest
		want  refusal
	}{
		"no pupils":          {token: servicetest.Service, req: &placementv1.GetCreditedDaysRequest{}, want: refusal{code: connect.CodeInvalidArgument, fields: []string{"pupil_ids"}}},
		"a pupil twice":      {token: servicetest.Service, req: &placementv1.GetCreditedDaysRequest{PupilIds: []string{id, id}}, want: refusal{code: connect.CodeInvalidArgument, fields: []string{"pupil_ids"}}},
		"not an id":          {token: servicetest.Service, req: &placementv1.GetCreditedDaysRequest{PupilIds: []string{"Jane Smith"}}, want: refusal{code: connect.CodeInvalidArgument, fields: []string{"pupil_ids"}}},
		"a date that is not": {token: servicetest.Service, req: &placementv1.GetCreditedDaysRequest{PupilIds: []string{id}, AsOf: "2026-02-29"}, want: refusal{code: connect.CodeInvalidArgument, fields: []string{"as_of"}}},
		"a badly written date": {token: servicetest.Service, req: &placementv1.GetCreditedDaysRequest{PupilIds: []string{id}, AsOf: "31/08/2026"},
			want: refusal{code: connect.CodeInvalidArgument, fields: []string{"as_of"}}},
		"analysts see aggregates only": {token: servicetest.Analyst, req: &placementv1.GetCreditedDaysRequest{PupilIds: []string{id}}, want: refusal{code: connect.CodePermissionDenied}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := e.as(tc.token).GetCreditedDays(ctx, tc.req)
			checkRefusal(t, err, tc.want)
		})
	}
}

// TestCreditedDaysAgreeWithTally records random attendance and checks that
// the SQL aggregate and the credit package's arithmetic agree.
func TestCreditedDaysAgreeWithTally(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(4, 2026))
	kindOf := map[placementv1.Kind]credit.Kind{
		placementv1.Kind_KIND_PLACEMENT: credit.Placement, placementv1.Kind_KIND_WORKPLACE_VISIT: credit.WorkplaceVisit,
		placementv1.Kind_KIND_JOB_SHADOWING: credit.JobShadowing, placementv1.Kind_KIND_VIRTUAL_EXPERIENCE: credit.VirtualExperience,
		placementv1.Kind_KIND_TALK: credit.Talk, placementv1.Kind_KIND_CAREERS_FAIR: credit.CareersFair, placementv1.Kind_KIND_MENTORING: credit.Mentoring,
	}
	markOf := map[placementv1.Mark]credit.Mark{full: credit.FullDay, half: credit.HalfDay, absent: credit.Absent}
	emp := createEmployer(t, e, smallEmployer()).GetId()

	pupils := make([]pupil, 25)
	ids := make([]string, len(pupils))
	for i := range pupils {
		pupils[i] = e.pupilAt(t, "100001")
		ids[i] = pupils[i].id
	}
	var register []*placementv1.AttendanceRecord
	var marks []credit.Attendance
	var cancelled []string
	for range 12 {
		kind := placementv1.Kind(1 + rng.IntN(7))
		var days []*placementv1.OpportunityDay
		for d := range 1 + rng.IntN(3) {
			days = append(days, day(fmt.Sprintf("2026-06-%02d", 1+d), rng.IntN(2) == 0))
		}
		o := createOpportunity(t, e, opportunity(emp, kind, 25, days...))
		for _, p := range pupils {
			if rng.IntN(3) == 0 {
				continue
			}
			b := book(t, e, o.GetId(), p)
			cancel := rng.IntN(5) == 0
			for _, d := range o.GetDays() {
				m := placementv1.Mark(1 + rng.IntN(3))
				register = append(register, mark(b.GetId(), d.GetDate(), m))
				session := credit.FullDaySession
				if d.GetSession() == placementv1.Session_SESSION_HALF_DAY {
					session = credit.HalfDaySession
				}
				marks = append(marks, credit.Attendance{PupilID: p.id, OpportunityID: o.GetId(),
					Day: credit.Day{Kind: kindOf[kind], Session: session, Mark: markOf[m], Cancelled: cancel}})
			}
			if cancel {
				cancelled = append(cancelled, b.GetId())
			}
		}
	}
	// The register is taken, then some bookings are withdrawn: their marks
	// stay but must credit nothing.
	record(t, e, register...)
	for _, id := range cancelled {
		if _, err := e.as(servicetest.HubAdmin).CancelBooking(ctx, &placementv1.CancelBookingRequest{Id: id, Version: 1}); err != nil {
			t.Fatal(err)
		}
	}

	tally := credit.Tally(marks)
	var want []*placementv1.PupilCredit
	for _, id := range ids {
		want = append(want, &placementv1.PupilCredit{PupilId: id, HalfDays: int32(tally[id].HalfDays), Experiences: int32(tally[id].Experiences),
			Encounters: int32(tally[id].Encounters)})
	}
	res, err := e.as(servicetest.Service).GetCreditedDays(ctx, &placementv1.GetCreditedDaysRequest{PupilIds: ids, AsOf: "2026-08-31"})
	if err != nil {
		t.Fatalf("GetCreditedDays: %v", err)
	}
	if diff := cmp.Diff(want, res.GetCredits(), protocmp.Transform()); diff != "" {
		t.Errorf("SQL credits (-credit.Tally +GetCreditedDays):\n%s", diff)
	}
}
