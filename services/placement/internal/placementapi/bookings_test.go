package placementapi_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

// TestLastPlacesRace books many pupils at once onto an opportunity with
// fewer places, through the real client: exactly as many win as there are
// places, and every other booking is refused as full.
func TestLastPlacesRace(t *testing.T) {
	t.Parallel()
	for name, capacity := range map[string]int32{"the last place": 1, "the last three places": 3} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := start(t)
			ctx := context.Background()
			emp := createEmployer(t, e, smallEmployer()).GetId()
			o := createOpportunity(t, e, opportunity(emp, placementv1.Kind_KIND_PLACEMENT, capacity, day("2026-07-06", false)))

			const racers = 16
			start := make(chan struct{})
			errs := make([]error, racers)
			var wg sync.WaitGroup
			for i := range racers {
				wg.Go(func() {
					client := e.as(servicetest.Caseworker)
					req := bookRequest(o.GetId(), e.pupilAt(t, "100001"))
					<-start
					_, errs[i] = client.BookPlace(ctx, req)
				})
			}
			close(start)
			wg.Wait()

			var won int32
			for _, err := range errs {
				switch {
				case err == nil:
					won++
				case rpcerror.Reason(err) != refusalv1.Reason_REASON_OPPORTUNITY_FULL:
					t.Errorf("a losing booking failed with %v, want OPPORTUNITY_FULL", err)
				}
			}
			if won != capacity {
				t.Errorf("%d bookings won %d places", won, capacity)
			}
			got, err := e.as(servicetest.Service).GetOpportunity(ctx, &placementv1.GetOpportunityRequest{Id: o.GetId()})
			if err != nil {
				t.Fatal(err)
			}
			var live int32
			if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM placement.bookings WHERE cancelled_at IS NULL`).Scan(&live); err != nil {
				t.Fatal(err)
			}
			if got.GetOpportunity().GetBooked() != capacity || live != capacity {
				t.Errorf("booked = %d, live bookings = %d, want %d", got.GetOpportunity().GetBooked(), live, capacity)
			}
		})
	}
}

func TestBookPlaceRetries(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	emp := createEmployer(t, e, smallEmployer()).GetId()
	// One place: a retry must find the first call's booking, not a full
	// opportunity.
	o := createOpportunity(t, e, opportunity(emp, placementv1.Kind_KIND_PLACEMENT, 1, day("2026-07-06", false)))
	req := bookRequest(o.GetId(), e.pupilAt(t, "100001"))

	// A client retrying on a timeout may send its retries concurrently.
	const retries = 8
	ids := make([]string, retries)
	errs := make([]error, retries)
	var wg sync.WaitGroup
	for i := range retries {
		wg.Go(func() {
			res, err := e.as(servicetest.CareersLeader).BookPlace(ctx, req)
			ids[i], errs[i] = res.GetBooking().GetId(), err
		})
	}
	wg.Wait()
	for i := range retries {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Errorf("retry %d = %q, %v; want booking %q", i, ids[i], errs[i], ids[0])
		}
	}
	got, err := e.as(servicetest.Service).GetOpportunity(ctx, &placementv1.GetOpportunityRequest{Id: o.GetId()})
	if err != nil || got.GetOpportunity().GetBooked() != 1 {
		t.Errorf("places booked after %d retries = %d (%v), want 1", retries, got.GetOpportunity().GetBooked(), err)
	}

	cases := map[string]struct {
		token string
		req   *placementv1.BookPlaceRequest
		want  refusal
	}{
		"the key reused for another pupil": {token: servicetest.HubAdmin,
			req:  &placementv1.BookPlaceRequest{IdempotencyKey: req.GetIdempotencyKey(), OpportunityId: o.GetId(), PupilId: e.pupilAt(t, "100001").id},
			want: refusal{code: connect.CodeAlreadyExists, reason: refusalv1.Reason_REASON_IDEMPOTENCY_KEY_REUSED}},
		"the same pupil again under a new key": {token: servicetest.HubAdmin,
			req:  &placementv1.BookPlaceRequest{IdempotencyKey: newID(), OpportunityId: o.GetId(), PupilId: req.GetPupilId()},
			want: refusal{code: connect.CodeAlreadyExists, reason: refusalv1.Reason_REASON_ALREADY_BOOKED}},
		"no such opportunity": {token: servicetest.HubAdmin, req: bookRequest(newID(), e.pupilAt(t, "100001")),
			want: refusal{code: connect.CodeNotFound}},
		// Whose pupil it is comes from the pupil service; one outside the
		// caller's scope is not found, as one that does not exist is.
		"a pupil of another school": {token: servicetest.CareersLeader, req: bookRequest(o.GetId(), e.pupilAt(t, "100002")),
			want: refusal{code: connect.CodeNotFound, reason: refusalv1.Reason_REASON_NOT_FOUND}},
		"a pupil outside the hub": {token: servicetest.HubAdmin, req: bookRequest(o.GetId(), e.pupilAt(t, "100009")),
			want: refusal{code: connect.CodeNotFound, reason: refusalv1.Reason_REASON_NOT_FOUND}},
		"a pupil nobody registered": {token: servicetest.HubAdmin, req: bookRequest(o.GetId(), pupil{id: newID()}),
			want: refusal{code: connect.CodeNotFound, reason: refusalv1.Reason_REASON_NOT_FOUND}},
		"analysts may not": {token: servicetest.Analyst, req: bookRequest(o.GetId(), e.pupilAt(t, "100001")),
			want: refusal{code: connect.CodePermissionDenied}},
		"every field wrong": {token: servicetest.HubAdmin, req: &placementv1.BookPlaceRequest{},
			want: refusal{code: connect.CodeInvalidArgument, fields: []string{"idempotency_key", "opportunity_id", "pupil_id"}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := e.as(tc.token).BookPlace(ctx, tc.req)
			checkRefusal(t, err, tc.want)
		})
	}
}

func TestCancelBooking(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	emp := createEmployer(t, e, smallEmployer()).GetId()
	o := createOpportunity(t, e, opportunity(emp, placementv1.Kind_KIND_PLACEMENT, 1, day("2026-07-06", false)))
	b := book(t, e, o.GetId(), e.pupilAt(t, "100001"))
	leader := e.as(servicetest.CareersLeader)

	_, err := e.as(servicetest.OtherLeader).CancelBooking(ctx, &placementv1.CancelBookingRequest{Id: b.GetId(), Version: 1})
	checkRefusal(t, err, refusal{code: connect.CodeNotFound})
	_, err = leader.CancelBooking(ctx, &placementv1.CancelBookingRequest{Id: b.GetId(), Version: 7})
	checkRefusal(t, err, refusal{code: connect.CodeAborted, reason: refusalv1.Reason_REASON_STALE_VERSION})

	res, err := leader.CancelBooking(ctx, &placementv1.CancelBookingRequest{Id: b.GetId(), Version: 1})
	if err != nil {
		t.Fatalf("CancelBooking: %v", err)
	}
	if !res.GetBooking().GetCancelled() || res.GetBooking().GetVersion() != 2 {
		t.Errorf("cancelled booking = %v, want cancelled at version 2", res.GetBooking())
	}
	again, err := leader.CancelBooking(ctx, &placementv1.CancelBookingRequest{Id: b.GetId(), Version: 2})
	if err != nil || again.GetBooking().GetVersion() != 2 {
		t.Errorf("cancelling again = %v, %v; want it unchanged", again.GetBooking(), err)
	}
	// The place is free again.
	book(t, e, o.GetId(), e.pupilAt(t, "100001"))
}

func TestBookingScope(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	emp := createEmployer(t, e, smallEmployer()).GetId()
	o := createOpportunity(t, e, opportunity(emp, placementv1.Kind_KIND_PLACEMENT, 10, day("2026-07-06", false)))
	ours := book(t, e, o.GetId(), e.pupilAt(t, "100001"))
	neighbours := book(t, e, o.GetId(), e.pupilAt(t, "100002"))
	walsall := book(t, e, o.GetId(), e.pupilAt(t, "100003"))

	for name, tc := range map[string]struct {
		token string
		want  []string
	}{
		"careers leader sees their school": {token: servicetest.CareersLeader, want: []string{ours.GetId()}},
		"other leader sees theirs":         {token: servicetest.OtherLeader, want: []string{neighbours.GetId()}},
		"caseworker sees their LA":         {token: servicetest.Caseworker, want: []string{ours.GetId(), neighbours.GetId()}},
		"hub admin sees the hub":           {token: servicetest.HubAdmin, want: []string{ours.GetId(), neighbours.GetId(), walsall.GetId()}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, err := e.as(tc.token).ListBookings(ctx, &placementv1.ListBookingsRequest{Of: &placementv1.ListBookingsRequest_OpportunityId{OpportunityId: o.GetId()}})
			if err != nil {
				t.Fatalf("ListBookings: %v", err)
			}
			var got []string
			for _, b := range res.GetBookings() {
				got = append(got, b.GetId())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("bookings seen (-want +got):\n%s", diff)
			}
		})
	}
	for name, tc := range map[string]struct {
		token string
		id    string
		want  refusal
	}{
		"own school's booking":         {token: servicetest.CareersLeader, id: ours.GetId(), want: refusal{code: ok}},
		"another school's booking":     {token: servicetest.CareersLeader, id: neighbours.GetId(), want: refusal{code: connect.CodeNotFound}},
		"another LA's booking":         {token: servicetest.Caseworker, id: walsall.GetId(), want: refusal{code: connect.CodeNotFound}},
		"analysts never see a booking": {token: servicetest.Analyst, id: ours.GetId(), want: refusal{code: connect.CodePermissionDenied}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := e.as(tc.token).GetBooking(ctx, &placementv1.GetBookingRequest{Id: tc.id})
			checkRefusal(t, err, tc.want)
		})
	}
	_, err := e.as(servicetest.HubAdmin).ListBookings(ctx, &placementv1.ListBookingsRequest{})
	checkRefusal(t, err, refusal{code: connect.CodeInvalidArgument})
}

func TestRecordAttendanceRefusals(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	emp := createEmployer(t, e, smallEmployer()).GetId()
	o := createOpportunity(t, e, opportunity(emp, placementv1.Kind_KIND_PLACEMENT, 10, day("2026-07-06", false), day("2026-07-07", false)))
	live := book(t, e, o.GetId(), e.pupilAt(t, "100001"))
	cancelled := book(t, e, o.GetId(), e.pupilAt(t, "100001"))
	if _, err := e.as(servicetest.HubAdmin).CancelBooking(ctx, &placementv1.CancelBookingRequest{Id: cancelled.GetId(), Version: 1}); err != nil {
		t.Fatal(err)
	}
	elsewhere := book(t, e, o.GetId(), e.pupilAt(t, "100002"))
	nextYear := time.Now().AddDate(1, 0, 0).Format(time.DateOnly)
	future := book(t, e, createOpportunity(t, e, opportunity(emp, placementv1.Kind_KIND_PLACEMENT, 10, day(nextYear, false))).GetId(), e.pupilAt(t, "100001"))

	cases := map[string]struct {
		token   string
		records []*placementv1.AttendanceRecord
		want    refusal
	}{
		"a day the opportunity does not run": {token: servicetest.HubAdmin,
			records: []*placementv1.AttendanceRecord{mark(live.GetId(), "2026-07-06", full), mark(live.GetId(), "2026-07-08", full)},
			want:    refusal{code: connect.CodeInvalidArgument, fields: []string{"records.date"}}},
		"a date not in the calendar": {token: servicetest.HubAdmin,
			records: []*placementv1.AttendanceRecord{mark(live.GetId(), "2026-07-32", full)},
			want:    refusal{code: connect.CodeInvalidArgument, fields: []string{"records.date"}}},
		"a day still to come": {token: servicetest.HubAdmin,
			records: []*placementv1.AttendanceRecord{mark(future.GetId(), nextYear, full)},
			want:    refusal{code: connect.CodeInvalidArgument, fields: []string{"records.date"}}},
		"the same day twice": {token: servicetest.HubAdmin,
			records: []*placementv1.AttendanceRecord{mark(live.GetId(), "2026-07-06", full), mark(live.GetId(), "2026-07-06", placementv1.Mark_MARK_ABSENT)},
			want:    refusal{code: connect.CodeInvalidArgument, fields: []string{"records"}}},
		"a cancelled booking": {token: servicetest.HubAdmin,
			records: []*placementv1.AttendanceRecord{mark(cancelled.GetId(), "2026-07-06", full)},
			want:    refusal{code: connect.CodeFailedPrecondition, reason: refusalv1.Reason_REASON_BOOKING_CANCELLED}},
		"no such booking": {token: servicetest.HubAdmin,
			records: []*placementv1.AttendanceRecord{mark(newID(), "2026-07-06", full)},
			want:    refusal{code: connect.CodeNotFound}},
		"another school's booking": {token: servicetest.CareersLeader,
			records: []*placementv1.AttendanceRecord{mark(live.GetId(), "2026-07-06", full), mark(elsewhere.GetId(), "2026-07-06", full)},
			want:    refusal{code: connect.CodeNotFound}},
		"no mark": {token: servicetest.HubAdmin,
			records: []*placementv1.AttendanceRecord{mark(live.GetId(), "2026-07-06", placementv1.Mark_MARK_UNSPECIFIED)},
			want:    refusal{code: connect.CodeInvalidArgument, fields: []string{"records.mark"}}},
		"no records": {token: servicetest.HubAdmin, want: refusal{code: connect.CodeInvalidArgument, fields: []string{"records"}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := e.as(tc.token).RecordAttendance(ctx, &placementv1.RecordAttendanceRequest{Records: tc.records})
			checkRefusal(t, err, tc.want)
		})
	}
	// One refused record refuses the whole register.
	var n int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM placement.attendance`).Scan(&n); err != nil || n != 0 {
		t.Errorf("marks stored after refusals = %d (%v), want 0", n, err)
	}
}

func TestRecordAttendanceIsIdempotent(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	emp := createEmployer(t, e, smallEmployer()).GetId()
	o := createOpportunity(t, e, opportunity(emp, placementv1.Kind_KIND_PLACEMENT, 10, day("2026-07-06", false), day("2026-07-07", false)))
	b := book(t, e, o.GetId(), e.pupilAt(t, "100001"))
	leader := e.as(servicetest.CareersLeader)

	register := &placementv1.RecordAttendanceRequest{Records: []*placementv1.AttendanceRecord{
		mark(b.GetId(), "2026-07-06", full), mark(b.GetId(), "2026-07-07", absent),
	}}
	corrected := &placementv1.RecordAttendanceRequest{Records: []*placementv1.AttendanceRecord{
		mark(b.GetId(), "2026-07-06", full), mark(b.GetId(), "2026-07-07", half),
	}}
	for i, step := range []struct {
		req          *placementv1.RecordAttendanceRequest
		wantRecorded int32
		wantCredited int32
	}{
		{req: register, wantRecorded: 2, wantCredited: 2},
		{req: register, wantRecorded: 0, wantCredited: 2},  // sent again: nothing changes
		{req: corrected, wantRecorded: 1, wantCredited: 3}, // the absence corrected to a half day
	} {
		res, err := leader.RecordAttendance(ctx, step.req)
		if err != nil {
			t.Fatalf("step %d: RecordAttendance: %v", i, err)
		}
		got, err := leader.GetBooking(ctx, &placementv1.GetBookingRequest{Id: b.GetId()})
		if err != nil {
			t.Fatal(err)
		}
		if res.GetRecorded() != step.wantRecorded || got.GetBooking().GetCreditedHalfDays() != step.wantCredited {
			t.Errorf("step %d: recorded %d, credited %d; want %d, %d", i,
				res.GetRecorded(), got.GetBooking().GetCreditedHalfDays(), step.wantRecorded, step.wantCredited)
		}
	}
}

func TestListBookingsOfAPupilPages(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	emp := createEmployer(t, e, smallEmployer()).GetId()
	p := e.pupilAt(t, "100001")
	var want []string
	for _, date := range []string{"2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"} {
		o := createOpportunity(t, e, opportunity(emp, placementv1.Kind_KIND_WORKPLACE_VISIT, 5, day(date, true)))
		want = append(want, book(t, e, o.GetId(), p).GetId())
		book(t, e, o.GetId(), e.pupilAt(t, "100001")) // someone else
	}
	// A cancelled booking is listed only when asked for.
	if _, err := e.as(servicetest.HubAdmin).CancelBooking(ctx, &placementv1.CancelBookingRequest{Id: want[4], Version: 1}); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		includeCancelled bool
		want             []string
	}{
		"live":           {want: want[:4]},
		"with cancelled": {includeCancelled: true, want: want},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var got []string
			token := ""
			for {
				res, err := e.as(servicetest.Caseworker).ListBookings(ctx, &placementv1.ListBookingsRequest{
					Of: &placementv1.ListBookingsRequest_PupilId{PupilId: p.id}, PageSize: 2, PageToken: token, IncludeCancelled: tc.includeCancelled,
				})
				if err != nil {
					t.Fatalf("ListBookings: %v", err)
				}
				for _, b := range res.GetBookings() {
					got = append(got, b.GetId())
				}
				if token = res.GetNextPageToken(); token == "" {
					break
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("the pupil's bookings (-want +got):\n%s", diff)
			}
		})
	}
}
