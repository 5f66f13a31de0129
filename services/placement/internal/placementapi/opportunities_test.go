package placementapi_test

import (
	"context"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

func TestCreateOpportunity(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	emp := createEmployer(t, e, smallEmployer())
	// Days given out of order come back in date order.
	o := opportunity(emp.GetId(), placementv1.Kind_KIND_PLACEMENT, 4,
		day("2026-07-08", false), day("2026-07-06", false), day("2026-07-07", true))
	req := &placementv1.CreateOpportunityRequest{IdempotencyKey: newID(), Opportunity: o}
	created, err := e.as(servicetest.HubAdmin).CreateOpportunity(ctx, req)
	if err != nil {
		t.Fatalf("CreateOpportunity: %v", err)
	}
	want := proto.Clone(o).(*placementv1.Opportunity)
	want.Id, want.Version = created.GetOpportunity().GetId(), 1
	want.Days = []*placementv1.OpportunityDay{day("2026-07-06", false), day("2026-07-07", true), day("2026-07-08", false)}
	if diff := cmp.Diff(want, created.GetOpportunity(), protocmp.Transform()); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	retry, err := e.as(servicetest.HubAdmin).CreateOpportunity(ctx, req)
	if err != nil || retry.GetOpportunity().GetId() != want.Id {
		t.Errorf("retried CreateOpportunity = %v, %v; want the first opportunity", retry.GetOpportunity().GetId(), err)
	}
	got, err := e.as(servicetest.Caseworker).GetOpportunity(ctx, &placementv1.GetOpportunityRequest{Id: want.Id})
	if err != nil {
		t.Fatalf("GetOpportunity: %v", err)
	}
	if diff := cmp.Diff(want, got.GetOpportunity(), protocmp.Transform()); diff != "" {
		t.Errorf("got (-want +got):\n%s", diff)
	}
}

func TestCreateOpportunityRefusals(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	emp := createEmployer(t, e, smallEmployer()).GetId()
	valid := func() *placementv1.Opportunity {
		return opportunity(emp, placementv1.Kind_KIND_PLACEMENT, 2, day("2026-07-06", false))
	}
	with := func(change func(o *placementv1.Opportunity)) *placementv1.Opportunity {
		o := valid()
		change(o)
		return o
	}
	cases := map[string]struct {
		token string
		o     *placementv1.Opportunity
		want  refusal
	}{
		"valid": {token: servicetest.HubAdmin, o: valid(), want: refusal{code: ok}},
		"rules in the contract": {token: servicetest.HubAdmin, o: &placementv1.Opportunity{
			EmployerId: "x", Days: []*placementv1.OpportunityDay{{Date: "6/7/2026"}}, YearGroups: []int32{6, 6},
		}, want: refusal{code: connect.CodeInvalidArgument, fields: []string{
			"opportunity.employer_id", "opportunity.title", "opportunity.kind", "opportunity.days.date", "opportunity.days.session",
			"opportunity.capacity", "opportunity.year_groups", "opportunity.year_groups", "opportunity.year_groups"}}},
		"a date not in the calendar": {token: servicetest.HubAdmin,
			o:    with(func(o *placementv1.Opportunity) { o.Days = append(o.Days, day("2026-02-30", false)) }),
			want: refusal{code: connect.CodeInvalidArgument, fields: []string{"opportunity.days.date"}}},
		"the same day twice": {token: servicetest.HubAdmin,
			o:    with(func(o *placementv1.Opportunity) { o.Days = append(o.Days, day("2026-07-06", true)) }),
			want: refusal{code: connect.CodeInvalidArgument, fields: []string{"opportunity.days.date"}}},
		"nowhere to go": {token: servicetest.HubAdmin,
			o:    with(func(o *placementv1.Opportunity) { o.Location = "" }),
			want: refusal{code: connect.CodeInvalidArgument, fields: []string{"opportunity.location"}}},
		"virtual and somewhere": {token: servicetest.HubAdmin,
			o:    with(func(o *placementv1.Opportunity) { o.Virtual = true }),
			want: refusal{code: connect.CodeInvalidArgument, fields: []string{"opportunity.location"}}},
		"no such employer": {token: servicetest.HubAdmin,
			o:    with(func(o *placementv1.Opportunity) { o.EmployerId = newID() }),
			want: refusal{code: connect.CodeNotFound}},
		"careers leader may not": {token: servicetest.CareersLeader, o: valid(), want: refusal{code: connect.CodePermissionDenied}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := e.as(tc.token).CreateOpportunity(ctx, &placementv1.CreateOpportunityRequest{IdempotencyKey: newID(), Opportunity: tc.o})
			checkRefusal(t, err, tc.want)
		})
	}
}

func TestUpdateOpportunity(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	admin := e.as(servicetest.HubAdmin)
	emp := createEmployer(t, e, smallEmployer()).GetId()
	v1 := createOpportunity(t, e, opportunity(emp, placementv1.Kind_KIND_PLACEMENT, 3, day("2026-07-06", false)))
	book(t, e, v1.GetId(), e.pupilAt(t, "100001"))
	book(t, e, v1.GetId(), e.pupilAt(t, "100001"))

	change := func(from *placementv1.Opportunity, f func(o *placementv1.Opportunity)) *placementv1.UpdateOpportunityRequest {
		o := proto.Clone(from).(*placementv1.Opportunity)
		f(o)
		return &placementv1.UpdateOpportunityRequest{Opportunity: o}
	}
	res, err := admin.UpdateOpportunity(ctx, change(v1, func(o *placementv1.Opportunity) {
		o.Capacity, o.YearGroups, o.Booked = 2, []int32{9, 10}, 0
	}))
	if err != nil {
		t.Fatalf("UpdateOpportunity: %v", err)
	}
	v2 := res.GetOpportunity()
	if v2.GetVersion() != 2 || v2.GetCapacity() != 2 || v2.GetBooked() != 2 || len(v2.GetYearGroups()) != 2 {
		t.Errorf("updated = %v, want version 2, capacity 2, 2 booked, years 9 and 10", v2)
	}

	cases := map[string]struct {
		req  *placementv1.UpdateOpportunityRequest
		want refusal
	}{
		"a stale version": {req: change(v1, func(o *placementv1.Opportunity) { o.Title = "Stale" }),
			want: refusal{code: connect.CodeAborted, reason: refusalv1.Reason_REASON_STALE_VERSION}},
		"capacity below the places booked": {req: change(v2, func(o *placementv1.Opportunity) { o.Capacity = 1 }),
			want: refusal{code: connect.CodeFailedPrecondition, reason: refusalv1.Reason_REASON_CAPACITY_BELOW_BOOKED}},
		"another kind": {req: change(v2, func(o *placementv1.Opportunity) { o.Kind = placementv1.Kind_KIND_TALK }),
			want: refusal{code: connect.CodeFailedPrecondition, reason: refusalv1.Reason_REASON_FIXED_FIELD}},
		"other days": {req: change(v2, func(o *placementv1.Opportunity) { o.Days = append(o.Days, day("2026-07-07", false)) }),
			want: refusal{code: connect.CodeFailedPrecondition, reason: refusalv1.Reason_REASON_FIXED_FIELD}},
		"no such opportunity": {req: change(v2, func(o *placementv1.Opportunity) { o.Id = newID() }),
			want: refusal{code: connect.CodeNotFound}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := admin.UpdateOpportunity(ctx, tc.req)
			checkRefusal(t, err, tc.want)
		})
	}
}

func TestListOpportunities(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	emp := createEmployer(t, e, smallEmployer()).GetId()
	var want []string
	for _, date := range []string{"2026-03-02", "2026-01-12", "2026-06-15", "2026-02-09"} {
		createOpportunity(t, e, opportunity(emp, placementv1.Kind_KIND_WORKPLACE_VISIT, 5, day(date, true)))
	}
	year8 := opportunity(emp, placementv1.Kind_KIND_TALK, 100, day("2026-05-01", true))
	year8.YearGroups = []int32{8}
	createOpportunity(t, e, year8)
	want = []string{"2026-02-09", "2026-03-02", "2026-06-15"}

	var got []string
	token := ""
	for {
		res, err := e.as(servicetest.CareersLeader).ListOpportunities(ctx, &placementv1.ListOpportunitiesRequest{
			PageSize: 2, PageToken: token, YearGroup: 10, From: "2026-02-01", EmployerId: emp,
		})
		if err != nil {
			t.Fatalf("ListOpportunities: %v", err)
		}
		for _, o := range res.GetOpportunities() {
			got = append(got, o.GetDays()[0].GetDate())
		}
		if token = res.GetNextPageToken(); token == "" {
			break
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("first days of year 10 opportunities from February (-want +got):\n%s", diff)
	}
}
