package placementapi

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"connectrpc.com/connect"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/enrolment"
	"github.com/nextstep-uk/nextstep/services/kit/idempotency"
	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/placement/internal/schedule"
	"github.com/nextstep-uk/nextstep/services/placement/internal/store"
)

// pupilsInScope returns where each pupil of ids is on roll, from the pupil
// service, refusing the call if one is unknown or outside the caller's
// scope (NotFound either way, naming its position when there are several).
func (s *Server) pupilsInScope(ctx context.Context, ids []string) ([]enrolment.Enrolment, error) {
	enrolments, refused, err := enrolment.InScope(ctx, s.pupils, auth.Caller(ctx).Scope, ids)
	switch {
	case err != nil:
		return nil, enrolment.Unavailable(ctx, s.logger, err)
	case refused >= 0 && len(ids) == 1:
		return nil, rpcerror.NotFound("pupil")
	case refused >= 0:
		return nil, rpcerror.New(connect.CodeNotFound, refusalv1.Reason_REASON_NOT_FOUND, "pupil %d not found", refused+1)
	}
	return enrolments, nil
}

// BookPlace implements PlacementService.
func (s *Server) BookPlace(ctx context.Context, req *placementv1.BookPlaceRequest) (*placementv1.BookPlaceResponse, error) {
	pupilID := strings.ToLower(req.GetPupilId())
	enrolled, err := s.pupilsInScope(ctx, []string{pupilID})
	if err != nil {
		return nil, err
	}
	audit.Touch(ctx, "pupil", pupilID)
	b, err := store.BookPlace(ctx, s.pool, req.GetIdempotencyKey(), idempotency.Fingerprint(req), store.Booking{
		OpportunityID: req.GetOpportunityId(),
		PupilID:       pupilID,
		SchoolURN:     enrolled[0].SchoolURN,
		LACode:        enrolled[0].LACode,
	})
	if err != nil {
		return nil, s.refusal(ctx, "book place", "opportunity", err)
	}
	return &placementv1.BookPlaceResponse{Booking: bookingToProto(b)}, nil
}

// GetBooking implements PlacementService.
func (s *Server) GetBooking(ctx context.Context, req *placementv1.GetBookingRequest) (*placementv1.GetBookingResponse, error) {
	b, err := s.bookingInScope(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &placementv1.GetBookingResponse{Booking: bookingToProto(b)}, nil
}

// bookingInScope reads a booking the caller may see; one outside their
// scope is NotFound, so scope cannot be probed.
func (s *Server) bookingInScope(ctx context.Context, id string) (store.Booking, error) {
	b, err := store.GetBooking(ctx, s.pool, id)
	if err == nil && !auth.Caller(ctx).Scope.Covers(b.SchoolURN, b.LACode) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Booking{}, s.refusal(ctx, "get booking", "booking", err)
	}
	audit.Touch(ctx, "pupil", b.PupilID)
	return b, nil
}

// ListBookings implements PlacementService.
func (s *Server) ListBookings(ctx context.Context, req *placementv1.ListBookingsRequest) (*placementv1.ListBookingsResponse, error) {
	var after store.BookingCursor
	if err := pagetoken.Decode(req.GetPageToken(), &after); err != nil {
		return nil, err
	}
	size := pagetoken.Size(req.GetPageSize(), defaultPageSize, maxPageSize)
	bookings, err := store.ListBookings(ctx, s.pool, auth.Caller(ctx).Scope, store.BookingFilter{
		OpportunityID:    req.GetOpportunityId(),
		PupilID:          req.GetPupilId(),
		IncludeCancelled: req.GetIncludeCancelled(),
	}, after, size+1)
	if err != nil {
		return nil, s.refusal(ctx, "list bookings", "booking", err)
	}
	res := &placementv1.ListBookingsResponse{}
	if len(bookings) > size {
		bookings = bookings[:size]
		last := bookings[size-1]
		res.NextPageToken = pagetoken.Encode(store.BookingCursor{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	for _, b := range bookings {
		audit.Touch(ctx, "pupil", b.PupilID)
		res.Bookings = append(res.Bookings, bookingToProto(b))
	}
	return res, nil
}

// CancelBooking implements PlacementService.
func (s *Server) CancelBooking(ctx context.Context, req *placementv1.CancelBookingRequest) (*placementv1.CancelBookingResponse, error) {
	if _, err := s.bookingInScope(ctx, req.GetId()); err != nil {
		return nil, err
	}
	b, err := store.CancelBooking(ctx, s.pool, req.GetId(), req.GetVersion())
	if err != nil {
		return nil, s.refusal(ctx, "cancel booking", "booking", err)
	}
	return &placementv1.CancelBookingResponse{Booking: bookingToProto(b)}, nil
}

// RecordAttendance implements PlacementService.
func (s *Server) RecordAttendance(ctx context.Context, req *placementv1.RecordAttendanceRequest) (*placementv1.RecordAttendanceResponse, error) {
	records := make([]store.AttendanceRecord, len(req.GetRecords()))
	now := s.today()
	for i, r := range req.GetRecords() {
		d, problem := schedule.MarkedDay(r.GetDate(), now)
		if problem != nil {
			return nil, rpcerror.InvalidArgument(rpcerror.Violation{Field: "records." + problem.Field, RuleID: problem.Rule,
				Message: fmt.Sprintf("record %d: %s", i+1, problem.Message)})
		}
		// Ids are compared as the database writes them: lower case.
		records[i] = store.AttendanceRecord{BookingID: strings.ToLower(r.GetBookingId()), Date: d, Mark: marks[r.GetMark()]}
	}
	recorded, pupils, err := store.RecordAttendance(ctx, s.pool, auth.Caller(ctx).Scope, records, auth.Caller(ctx).Subject)
	for _, id := range pupils {
		audit.Touch(ctx, "pupil", id)
	}
	var rerr *store.RecordError
	if errors.As(err, &rerr) {
		return nil, recordRefusal(rerr)
	}
	if err != nil {
		return nil, s.refusal(ctx, "record attendance", "booking", err)
	}
	return &placementv1.RecordAttendanceResponse{Recorded: int32(recorded)}, nil
}

// recordRefusal says which record of a register was refused, by its
// position: the message names no pupil.
func recordRefusal(e *store.RecordError) error {
	n := e.Index + 1
	switch {
	case errors.Is(e.Err, store.ErrNotFound):
		return rpcerror.New(connect.CodeNotFound, refusalv1.Reason_REASON_NOT_FOUND, "record %d: booking not found", n)
	case errors.Is(e.Err, store.ErrBookingCancelled):
		return rpcerror.New(connect.CodeFailedPrecondition, refusalv1.Reason_REASON_BOOKING_CANCELLED, "record %d: the booking is cancelled", n)
	case errors.Is(e.Err, store.ErrDayNotScheduled):
		return rpcerror.InvalidArgument(rpcerror.Violation{Field: "records.date", RuleID: "attendance.day_scheduled",
			Message: fmt.Sprintf("record %d: the opportunity does not run on this day", n)})
	default: // store.ErrRecordRepeated
		return rpcerror.InvalidArgument(rpcerror.Violation{Field: "records", RuleID: "attendance.unique",
			Message: fmt.Sprintf("record %d: the booking and day appear in an earlier record", n)})
	}
}

// BookPlaces implements PlacementService.
func (s *Server) BookPlaces(ctx context.Context, req *placementv1.BookPlacesRequest) (*placementv1.BookPlacesResponse, error) {
	ids := make([]string, len(req.GetPupils()))
	for i, pp := range req.GetPupils() {
		// Ids are compared as the database writes them: lower case.
		ids[i] = strings.ToLower(pp.GetPupilId())
	}
	enrolled, err := s.pupilsInScope(ctx, ids)
	if err != nil {
		return nil, err
	}
	group := make([]store.Booking, len(ids))
	for i, id := range ids {
		group[i] = store.Booking{PupilID: id, SchoolURN: enrolled[i].SchoolURN, LACode: enrolled[i].LACode}
		audit.Touch(ctx, "pupil", id)
	}
	bookings, err := store.BookPlaces(ctx, s.pool, req.GetIdempotencyKey(), idempotency.Fingerprint(req), req.GetOpportunityId(), group)
	var perr *store.PlaceError
	switch {
	case errors.As(err, &perr) && errors.Is(perr.Err, store.ErrAlreadyBooked):
		return nil, rpcerror.New(connect.CodeAlreadyExists, refusalv1.Reason_REASON_ALREADY_BOOKED, "pupil %d already has a place on this opportunity", perr.Index+1)
	case errors.As(err, &perr):
		return nil, rpcerror.InvalidArgument(rpcerror.Violation{Field: "pupils.pupil_id", RuleID: "pupils.unique",
			Message: fmt.Sprintf("pupil %d appears earlier in the request", perr.Index+1)})
	case err != nil:
		return nil, s.refusal(ctx, "book places", "opportunity", err)
	}
	res := &placementv1.BookPlacesResponse{Bookings: make([]*placementv1.Booking, len(bookings))}
	for i, b := range bookings {
		res.Bookings[i] = bookingToProto(b)
	}
	return res, nil
}
