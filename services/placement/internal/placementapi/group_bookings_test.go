package placementapi_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

func group(pupils ...pupil) []*placementv1.PupilPlace {
	out := make([]*placementv1.PupilPlace, len(pupils))
	for i, p := range pupils {
		out[i] = &placementv1.PupilPlace{PupilId: p.id}
	}
	return out
}

func TestBookPlaces(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	emp := createEmployer(t, e, smallEmployer()).GetId()
	o := createOpportunity(t, e, opportunity(emp, placementv1.Kind_KIND_WORKPLACE_VISIT, 5, day("2026-03-10", true))).GetId()
	class := []pupil{e.pupilAt(t, "100001"), e.pupilAt(t, "100001"), e.pupilAt(t, "100001")}
	req := &placementv1.BookPlacesRequest{IdempotencyKey: newID(), OpportunityId: o, Pupils: group(class...)}

	// Retries, some of them concurrent, make one set of bookings.
	const retries = 4
	results := make([]*placementv1.BookPlacesResponse, retries)
	errs := make([]error, retries)
	var wg sync.WaitGroup
	for i := range retries {
		wg.Go(func() { results[i], errs[i] = e.as(servicetest.CareersLeader).BookPlaces(ctx, req) })
	}
	wg.Wait()
	for i := range retries {
		if errs[i] != nil {
			t.Fatalf("BookPlaces %d: %v", i, errs[i])
		}
		if diff := cmp.Diff(results[0], results[i], protocmp.Transform()); diff != "" {
			t.Errorf("retry %d booked differently (-first +retry):\n%s", i, diff)
		}
	}
	for i, b := range results[0].GetBookings() {
		if b.GetPupilId() != class[i].id || b.GetOpportunityId() != o || b.GetCancelled() {
			t.Errorf("booking %d = %v, want pupil %d's live booking", i, b, i+1)
		}
	}
	got, err := e.as(servicetest.Service).GetOpportunity(ctx, &placementv1.GetOpportunityRequest{Id: o})
	if err != nil || got.GetOpportunity().GetBooked() != 3 {
		t.Fatalf("places booked = %d (%v), want 3", got.GetOpportunity().GetBooked(), err)
	}

	twoMore := group(e.pupilAt(t, "100001"), e.pupilAt(t, "100001"))
	threeMore := group(e.pupilAt(t, "100001"), e.pupilAt(t, "100001"), e.pupilAt(t, "100001"))
	repeated := e.pupilAt(t, "100001")
	upper := class[1]
	upper.id = strings.ToUpper(upper.id)
	cases := map[string]struct {
		token  string
		req    *placementv1.BookPlacesRequest
		want   refusal
		booked int32
	}{
		"more pupils than places": {token: servicetest.HubAdmin,
			req:  &placementv1.BookPlacesRequest{IdempotencyKey: newID(), OpportunityId: o, Pupils: threeMore},
			want: refusal{code: connect.CodeFailedPrecondition, reason: refusalv1.Reason_REASON_OPPORTUNITY_FULL}},
		"one already has a place": {token: servicetest.HubAdmin,
			req:  &placementv1.BookPlacesRequest{IdempotencyKey: newID(), OpportunityId: o, Pupils: append(group(e.pupilAt(t, "100001")), group(upper)...)},
			want: refusal{code: connect.CodeAlreadyExists, reason: refusalv1.Reason_REASON_ALREADY_BOOKED}},
		"a pupil twice": {token: servicetest.HubAdmin,
			req:  &placementv1.BookPlacesRequest{IdempotencyKey: newID(), OpportunityId: o, Pupils: group(repeated, repeated)},
			want: refusal{code: connect.CodeInvalidArgument, fields: []string{"pupils.pupil_id"}}},
		"the key reused for another group": {token: servicetest.HubAdmin,
			req:  &placementv1.BookPlacesRequest{IdempotencyKey: req.GetIdempotencyKey(), OpportunityId: o, Pupils: twoMore},
			want: refusal{code: connect.CodeAlreadyExists, reason: refusalv1.Reason_REASON_IDEMPOTENCY_KEY_REUSED}},
		"a pupil of another school": {token: servicetest.CareersLeader,
			req:  &placementv1.BookPlacesRequest{IdempotencyKey: newID(), OpportunityId: o, Pupils: group(e.pupilAt(t, "100001"), e.pupilAt(t, "100002"))},
			want: refusal{code: connect.CodeNotFound, reason: refusalv1.Reason_REASON_NOT_FOUND}},
		"no such opportunity": {token: servicetest.HubAdmin,
			req:  &placementv1.BookPlacesRequest{IdempotencyKey: newID(), OpportunityId: newID(), Pupils: group(e.pupilAt(t, "100001"))},
			want: refusal{code: connect.CodeNotFound}},
		"nobody": {token: servicetest.HubAdmin,
			req:  &placementv1.BookPlacesRequest{IdempotencyKey: newID(), OpportunityId: o},
			want: refusal{code: connect.CodeInvalidArgument, fields: []string{"pupils"}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := e.as(tc.token).BookPlaces(ctx, tc.req)
			checkRefusal(t, err, tc.want)
			// All or nothing: a refused group takes no place.
			got, err := e.as(servicetest.Service).GetOpportunity(ctx, &placementv1.GetOpportunityRequest{Id: o})
			if err != nil || got.GetOpportunity().GetBooked() != 3 {
				t.Errorf("places booked = %d (%v), want still 3", got.GetOpportunity().GetBooked(), err)
			}
		})
	}

	// The last two places go to a group of two.
	if _, err := e.as(servicetest.HubAdmin).BookPlaces(ctx, &placementv1.BookPlacesRequest{IdempotencyKey: newID(), OpportunityId: o, Pupils: twoMore}); err != nil {
		t.Fatalf("BookPlaces for the last two places: %v", err)
	}
}
