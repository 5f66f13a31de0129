package placementapi_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/api/trajectory"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/pupil/pupiltest"
)

// TestAllocation walks the allocation path as a caseworker would: propose
// two places among four Year 10 pupils (the looked-after pupil and the one
// on free school meals first), decline one (it goes to the next in line),
// and confirm after someone else took a place meanwhile (reported, the
// rest booked). Today is the test's real date, so the pupils are born to be
// in Year 10 and the opportunities run in March of this academic year;
// every pupil is equally behind (nothing credited), so disadvantage and
// then id decide.
func TestAllocation(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	today := time.Now()
	year := academicyear.Containing(today)
	asAt := today.Format(time.DateOnly)
	born := fmt.Sprintf("%d-10-01", year.Start-15) // Year 10
	march := func(d int) string { return year.On(time.March, d).Format(time.DateOnly) }
	yearTen := func() pupil { return pupil{id: e.pupils.EnrolBorn(t, "100001", born), urn: "100001", la: "336"} }
	looked, fsm := yearTen(), yearTen()
	e.pupils.Factors(t, looked.id, &pupilv1.RiskFactors{LookedAfter: &pupilv1.CareFactor{Status: pupilv1.CareStatus_CARE_STATUS_LOOKED_AFTER, AsAt: asAt}})
	e.pupils.Factors(t, fsm.id, &pupilv1.RiskFactors{FreeSchoolMeals: &pupilv1.FlagFactor{Value: true, AsAt: asAt}})
	plain := []pupil{yearTen(), yearTen()}
	sort.Slice(plain, func(i, j int) bool { return plain[i].id < plain[j].id })

	emp := createEmployer(t, e, smallEmployer())
	x := createOpportunity(t, e, opportunity(emp.GetId(), placementv1.Kind_KIND_PLACEMENT, 2, day(march(1), false), day(march(2), false)))
	y := createOpportunity(t, e, opportunity(emp.GetId(), placementv1.Kind_KIND_JOB_SHADOWING, 5, day(march(2), false)))
	cohort := []*placementv1.CohortRef{{SchoolUrn: "100001", YearGroup: 10}}
	propose := func(declined ...*placementv1.PlacementRef) *placementv1.ProposeAllocationResponse {
		t.Helper()
		res, err := e.as(servicetest.Caseworker).ProposeAllocation(ctx, &placementv1.ProposeAllocationRequest{
			Cohorts: cohort, OpportunityIds: []string{x.GetId()}, Declined: declined,
		})
		if err != nil {
			t.Fatalf("ProposeAllocation: %v", err)
		}
		return res
	}
	type place struct {
		Pupil    string
		Priority int32
	}
	placed := func(res *placementv1.ProposeAllocationResponse) []place {
		var out []place
		for _, p := range res.GetPlaces() {
			if p.GetOpportunityId() != x.GetId() {
				t.Errorf("proposed opportunity %s, want %s", p.GetOpportunityId(), x.GetId())
			}
			out = append(out, place{p.GetPupilId(), p.GetPriority()})
		}
		return out
	}

	first := propose()
	if diff := cmp.Diff([]place{{looked.id, 1}, {fsm.id, 2}}, placed(first)); diff != "" {
		t.Errorf("first proposal (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{plain[0].id, plain[1].id}, first.GetUnplaced()); diff != "" {
		t.Errorf("first proposal's unplaced (-want +got):\n%s", diff)
	}
	if first.GetFreePlaces() != 2 {
		t.Errorf("free places = %d, want 2", first.GetFreePlaces())
	}
	// Nothing is credited yet, so they are as far behind as the default
	// pace expects of Year 10 today (6 days on 30 November); being looked
	// after scores 2 on the risk scale.
	behind := float64(trajectory.Expected(trajectory.Default, 10, year, today)) / 2
	if got, want := first.GetPlaces()[0].GetReason(), fmt.Sprintf("priority 1: looked after, %g days behind, risk score 2; a sector not yet seen (advanced_manufacturing)", behind); got != want {
		t.Errorf("reason = %q, want %q", got, want)
	}

	// The looked-after pupil's place is declined: the next in line has it.
	second := propose(&placementv1.PlacementRef{PupilId: looked.id, OpportunityId: x.GetId()})
	if diff := cmp.Diff([]place{{fsm.id, 2}, {plain[0].id, 3}}, placed(second)); diff != "" {
		t.Errorf("proposal after the decline (-want +got):\n%s", diff)
	}

	// Before it is confirmed, someone books the other plain pupil on X.
	book(t, e, x.GetId(), plain[1])
	key := newID()
	confirm := func(token string, places ...*placementv1.PlacementRef) *placementv1.ConfirmAllocationResponse {
		t.Helper()
		res, err := e.as(token).ConfirmAllocation(ctx, &placementv1.ConfirmAllocationRequest{IdempotencyKey: key, Places: places})
		if err != nil {
			t.Fatalf("ConfirmAllocation: %v", err)
		}
		return res
	}
	refusals := func(res *placementv1.ConfirmAllocationResponse) []refusalv1.Reason {
		var out []refusalv1.Reason
		for _, p := range res.GetPlaces() {
			out = append(out, p.GetRefusal())
		}
		return out
	}
	proposed := []*placementv1.PlacementRef{
		{PupilId: fsm.id, OpportunityId: x.GetId()},
		{PupilId: plain[0].id, OpportunityId: x.GetId()},
		// Booked on X meanwhile, which runs on this day too.
		{PupilId: plain[1].id, OpportunityId: y.GetId()},
	}
	res := confirm(servicetest.Caseworker, proposed...)
	want := []refusalv1.Reason{refusalv1.Reason_REASON_UNSPECIFIED, refusalv1.Reason_REASON_OPPORTUNITY_FULL, refusalv1.Reason_REASON_NOT_ELIGIBLE}
	if diff := cmp.Diff(want, refusals(res)); diff != "" || res.GetBooked() != 1 || res.GetRefused() != 2 {
		t.Errorf("confirmation: booked %d, refused %d, refusals (-want +got):\n%s", res.GetBooked(), res.GetRefused(), diff)
	}
	booking := res.GetPlaces()[0].GetBooking()
	if booking.GetPupilId() != fsm.id || booking.GetSchoolUrn() != "100001" || booking.GetLaCode() != "336" {
		t.Errorf("booking = %v, want the FSM pupil's at 100001 in 336", booking)
	}
	// A retry finds the booking the first call made.
	if again := confirm(servicetest.Caseworker, proposed...); again.GetPlaces()[0].GetBooking().GetId() != booking.GetId() {
		t.Errorf("the retry booked %v, want the first call's %s", again.GetPlaces()[0].GetBooking(), booking.GetId())
	}
}

// TestAllocationScope: a cohort or a pupil outside the caller's scope is
// not found, and nothing is booked for them.
func TestAllocationScope(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	p := e.pupilAt(t, "100001")
	emp := createEmployer(t, e, smallEmployer())
	x := createOpportunity(t, e, opportunity(emp.GetId(), placementv1.Kind_KIND_PLACEMENT, 2, day(academicyear.Containing(time.Now()).On(time.March, 1).Format(time.DateOnly), false)))
	for _, token := range []string{servicetest.OtherLeader, servicetest.OtherCaseworker, servicetest.OtherHubAdmin} {
		_, err := e.as(token).ProposeAllocation(ctx, &placementv1.ProposeAllocationRequest{
			Cohorts: []*placementv1.CohortRef{{SchoolUrn: "100001", YearGroup: 10}}, OpportunityIds: []string{x.GetId()},
		})
		if connect.CodeOf(err) != connect.CodeNotFound {
			t.Errorf("%s proposes for 100001: %v, want NotFound", token, err)
		}
		res, err := e.as(token).ConfirmAllocation(ctx, &placementv1.ConfirmAllocationRequest{IdempotencyKey: newID(),
			Places: []*placementv1.PlacementRef{{PupilId: p.id, OpportunityId: x.GetId()}}})
		if err != nil || res.GetBooked() != 0 || res.GetPlaces()[0].GetRefusal() != refusalv1.Reason_REASON_NOT_FOUND {
			t.Errorf("%s confirms a place for 100001's pupil: %v, %v; want the place refused as not found", token, res, err)
		}
	}
	// A place in London within 20 km of where it is: too far for a pupil
	// at school in Wolverhampton. Within 200 km, they are proposed.
	london := opportunity(emp.GetId(), placementv1.Kind_KIND_PLACEMENT, 2, day(academicyear.Containing(time.Now()).On(time.March, 2).Format(time.DateOnly), false))
	london.Point, london.MaxTravelKm = pupiltest.Locations["100009"], 20
	far := createOpportunity(t, e, london)
	if far.GetPoint().GetLatitude() != 51.515 || far.GetMaxTravelKm() != 20 {
		t.Errorf("the opportunity's point and limit read back as %v, %v", far.GetPoint(), far.GetMaxTravelKm())
	}
	year := academicyear.Containing(time.Now())
	p10 := e.pupils.EnrolBorn(t, "100001", fmt.Sprintf("%d-10-01", year.Start-15))
	for limit, placed := range map[float64]bool{20: false, 200: true} {
		far.MaxTravelKm = limit
		got, err := e.as(servicetest.HubAdmin).UpdateOpportunity(ctx, &placementv1.UpdateOpportunityRequest{Opportunity: far})
		if err != nil {
			t.Fatal(err)
		}
		far = got.GetOpportunity()
		res, err := e.as(servicetest.Caseworker).ProposeAllocation(ctx, &placementv1.ProposeAllocationRequest{
			Cohorts: []*placementv1.CohortRef{{SchoolUrn: "100001", YearGroup: 10}}, OpportunityIds: []string{far.GetId()},
		})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, pl := range res.GetPlaces() {
			found = found || pl.GetPupilId() == p10
		}
		if found != placed || !placed && len(res.GetPlaces()) > 0 {
			t.Errorf("within %g km of London: placed %v, want %v (%v)", limit, found, placed, res.GetPlaces())
		}
	}

	_, err := e.as(servicetest.Caseworker).ProposeAllocation(ctx, &placementv1.ProposeAllocationRequest{
		Cohorts: []*placementv1.CohortRef{{SchoolUrn: "100001", YearGroup: 10}}, OpportunityIds: []string{newID()},
	})
	if connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("an unknown opportunity: %v, want NotFound", err)
	}
	for _, asOf := range []string{"2026-02-30", "1999-12-31", "2099-01-01"} {
		_, err = e.as(servicetest.Caseworker).ProposeAllocation(ctx, &placementv1.ProposeAllocationRequest{
			Cohorts: []*placementv1.CohortRef{{SchoolUrn: "100001", YearGroup: 10}}, OpportunityIds: []string{x.GetId()}, AsOf: asOf,
		})
		if connect.CodeOf(err) != connect.CodeInvalidArgument {
			t.Errorf("as of %s: %v, want InvalidArgument", asOf, err)
		}
	}
	_, err = e.as(servicetest.Analyst).ProposeAllocation(ctx, &placementv1.ProposeAllocationRequest{
		Cohorts: []*placementv1.CohortRef{{SchoolUrn: "100001", YearGroup: 10}}, OpportunityIds: []string{x.GetId()},
	})
	if connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Errorf("an analyst proposes: %v, want PermissionDenied", err)
	}
}
