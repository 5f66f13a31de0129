package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/placement/internal/store/dbsqlc"
)

// PlaceError says which pupil of a group booking was refused and why.
type PlaceError struct {
	Index int // from 0
	Err   error
}

func (e *PlaceError) Error() string { return fmt.Sprintf("pupil %d: %v", e.Index+1, e.Err) }
func (e *PlaceError) Unwrap() error { return e.Err }

// ErrPupilRepeated refuses a group booking that names a pupil twice.
var ErrPupilRepeated = errors.New("the pupil appears earlier in the request")

// BookPlaces books every pupil in group a place on opportunityID, or none
// of them. Like BookPlace it first locks the opportunity's row, so other
// bookings of it wait until this one commits; the bookings are then copied
// into placement.bookings in one COPY. Each booking's idempotency key is
// derived from the group's key and its position, so a retry finds all of
// them. The bookings come back in group order.
func BookPlaces(ctx context.Context, db DB, key string, requestHash []byte, opportunityID string, group []Booking) ([]Booking, error) {
	keys := make([]string, len(group))
	seen := make(map[string]bool, len(group))
	for i, b := range group {
		if seen[b.PupilID] {
			return nil, &PlaceError{Index: i, Err: ErrPupilRepeated}
		}
		seen[b.PupilID] = true
		keys[i] = MemberKey(key, i)
	}
	var ids []string
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		free, err := lockOpportunity(ctx, tx, opportunityID)
		if err != nil {
			return err
		}
		// Found (a retry: nothing more to do), refused, or failed.
		if ids, err = bookingsByKeys(ctx, tx, keys, requestHash); err != nil || ids != nil {
			return err
		}
		booked, err := firstAlreadyBooked(ctx, tx, opportunityID, group)
		if err != nil {
			return err
		}
		if booked >= 0 {
			return &PlaceError{Index: booked, Err: ErrAlreadyBooked}
		}
		if free < len(group) {
			return ErrOpportunityFull
		}
		if err := takePlaces(ctx, tx, opportunityID, len(group)); err != nil {
			return err
		}
		rows := make([]dbsqlc.InsertBookingsParams, len(group))
		for i, b := range group {
			rows[i] = dbsqlc.InsertBookingsParams{
				IdempotencyKey: keys[i],
				RequestHash:    requestHash,
				OpportunityID:  opportunityID,
				PupilID:        b.PupilID,
				SchoolURN:      b.SchoolURN,
				LACode:         b.LACode,
			}
		}
		if _, err := queries.InsertBookings(ctx, tx, rows); err != nil {
			return err
		}
		// COPY returns no ids: they are read back by key, in group order.
		ids, err = bookingsByKeys(ctx, tx, keys, requestHash)
		return err
	})
	if uniqueViolation(err) == "bookings_idempotency_key_key" {
		// The key was used for a group booking of another opportunity,
		// which took another lock: a mistake, which bookingsByKeys reports.
		ids, err = bookingsByKeys(ctx, db, keys, requestHash)
	}
	if err != nil {
		return nil, err
	}
	return getBookings(ctx, db, ids)
}

// MemberKey is the idempotency key of the booking at index in a group
// booking (or a confirmed allocation, placementapi's): a UUID (version 8, RFC 9562's custom layout) made from the
// SHA-256 of the group's key and the index. It depends on the position,
// not the pupil, so that the group's key reused for another group finds
// the first group's bookings and is refused.
func MemberKey(groupKey string, index int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%d", groupKey, index))
	sum[6] = sum[6]&0x0f | 0x80
	sum[8] = sum[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}

// bookingsByKeys returns the ids of the bookings with keys, in key order,
// or nil when there are none; a group booking stores all of its bookings
// or none, so finding some means finding all.
func bookingsByKeys(ctx context.Context, db DB, keys []string, requestHash []byte) ([]string, error) {
	found, err := queries.BookingsByKeys(ctx, db, keys)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, b := range found {
		if !sameRequest(b.RequestHash, requestHash) {
			return nil, ErrKeyReused
		}
		ids = append(ids, b.ID)
	}
	if ids != nil && len(ids) != len(keys) {
		return nil, ErrKeyReused
	}
	return ids, nil
}

// getBookings returns the bookings with ids, in the same order, with their
// attendance.
func getBookings(ctx context.Context, db DB, ids []string) ([]Booking, error) {
	rows, err := queries.GetBookings(ctx, db, ids)
	if err != nil {
		return nil, err
	}
	bookings := make([]Booking, len(rows))
	for i, r := range rows {
		bookings[i] = bookingFrom(r.PlacementBooking, r.Kind)
	}
	return bookings, withAttendance(ctx, db, bookings)
}
