package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
	"github.com/nextstep-uk/nextstep/services/placement/internal/credit"
	"github.com/nextstep-uk/nextstep/services/placement/internal/store/dbsqlc"
)

// Booking is a row of placement.bookings with its attendance.
type Booking struct {
	ID            string
	OpportunityID string
	PupilID       string
	SchoolURN     string
	LACode        string
	Cancelled     bool
	Version       int64
	CreatedAt     time.Time
	// Kind is the opportunity's, which decides what attendance credits.
	Kind       credit.Kind
	Attendance []DayMark // in date order
}

// DayMark is one day's attendance on a booking, with the session it was for.
type DayMark struct {
	Date    time.Time
	Mark    credit.Mark
	Session credit.Session
}

// CreditedHalfDays is what the booking earns towards the guarantee.
func (b Booking) CreditedHalfDays() credit.HalfDays {
	var total credit.HalfDays
	for _, m := range b.Attendance {
		total += credit.Credit(credit.Day{Kind: b.Kind, Session: m.Session, Mark: m.Mark, Cancelled: b.Cancelled})
	}
	return total
}

// bookingFrom makes a Booking, without its attendance, of a row and its
// opportunity's kind.
func bookingFrom(r dbsqlc.PlacementBooking, kind string) Booking {
	return Booking{
		ID:            r.ID,
		OpportunityID: r.OpportunityID,
		PupilID:       r.PupilID,
		SchoolURN:     r.SchoolURN,
		LACode:        r.LACode,
		Cancelled:     r.CancelledAt != nil,
		Version:       r.Version,
		CreatedAt:     r.CreatedAt,
		Kind:          credit.Kind(kind),
	}
}

// BookPlace books b.PupilID a place on b.OpportunityID under an idempotency
// key. It first locks the opportunity's row, so bookings of one opportunity
// take turns: a retry racing its first call then finds the first call's
// booking (and returns it), and of two bookings racing for the last place
// the second finds none left (ErrOpportunityFull).
func BookPlace(ctx context.Context, db DB, key string, requestHash []byte, b Booking) (Booking, error) {
	var id string
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		free, err := lockOpportunity(ctx, tx, b.OpportunityID)
		if err != nil {
			return err
		}
		// Found (a retry: nothing more to do), refused, or failed.
		if id, err = bookingByKey(ctx, tx, key, requestHash); !errors.Is(err, ErrNotFound) {
			return err
		}
		booked, err := firstAlreadyBooked(ctx, tx, b.OpportunityID, []Booking{b})
		if err != nil {
			return err
		}
		if booked >= 0 {
			return ErrAlreadyBooked
		}
		if free < 1 {
			return ErrOpportunityFull
		}
		if err := takePlaces(ctx, tx, b.OpportunityID, 1); err != nil {
			return err
		}
		id, err = queries.InsertBooking(ctx, tx, dbsqlc.InsertBookingParams{
			IdempotencyKey: key,
			RequestHash:    requestHash,
			OpportunityID:  b.OpportunityID,
			PupilID:        b.PupilID,
			SchoolURN:      b.SchoolURN,
			LACode:         b.LACode,
		})
		return err
	})
	if uniqueViolation(err) == "bookings_idempotency_key_key" {
		// The key was used for a booking of another opportunity, which
		// took another lock: a mistake, which bookingByKey reports.
		id, err = bookingByKey(ctx, db, key, requestHash)
	}
	if err != nil {
		return Booking{}, err
	}
	return GetBooking(ctx, db, id)
}

// lockOpportunity locks the opportunity's row until the transaction ends
// and returns its free places.
func lockOpportunity(ctx context.Context, tx pgx.Tx, id string) (free int, err error) {
	n, err := queries.LockOpportunity(ctx, tx, id)
	return int(n), notFound(err)
}

// takePlaces counts n more places booked on a locked opportunity. The
// table's CHECK refuses more places than its capacity whatever the caller
// checked.
func takePlaces(ctx context.Context, tx pgx.Tx, id string, n int) error {
	return queries.TakePlaces(ctx, tx, dbsqlc.TakePlacesParams{ID: id, Places: int32(n)})
}

// firstAlreadyBooked returns the index of the first pupil in group with a
// live booking on the opportunity, or -1. With the opportunity locked, none
// can be booked between this check and the insert.
func firstAlreadyBooked(ctx context.Context, tx pgx.Tx, opportunityID string, group []Booking) (int, error) {
	pupils := make([]string, len(group))
	for i, b := range group {
		pupils[i] = b.PupilID
	}
	position, err := queries.FirstAlreadyBooked(ctx, tx, dbsqlc.FirstAlreadyBookedParams{OpportunityID: opportunityID, PupilIDs: pupils})
	return int(position) - 1, err
}

func bookingByKey(ctx context.Context, db DB, key string, requestHash []byte) (string, error) {
	b, err := queries.BookingByKey(ctx, db, key)
	switch {
	case err != nil:
		return "", notFound(err)
	case !sameRequest(b.RequestHash, requestHash):
		return "", ErrKeyReused
	}
	return b.ID, nil
}

// GetBooking returns the booking with id and its attendance.
func GetBooking(ctx context.Context, db DB, id string) (Booking, error) {
	r, err := queries.GetBooking(ctx, db, id)
	if err != nil {
		return Booking{}, notFound(err)
	}
	bs := []Booking{bookingFrom(r.PlacementBooking, r.Kind)}
	if err := withAttendance(ctx, db, bs); err != nil {
		return Booking{}, err
	}
	return bs[0], nil
}

// withAttendance fills in the attendance of bookings, in one query.
func withAttendance(ctx context.Context, db DB, bookings []Booking) error {
	if len(bookings) == 0 {
		return nil
	}
	index := make(map[string]int, len(bookings))
	ids := make([]string, len(bookings))
	for i, b := range bookings {
		index[b.ID], ids[i] = i, b.ID
	}
	marks, err := queries.AttendanceOfBookings(ctx, db, ids)
	if err != nil {
		return err
	}
	for _, m := range marks {
		b := &bookings[index[m.BookingID]]
		b.Attendance = append(b.Attendance, DayMark{Date: m.Day, Mark: credit.Mark(m.Mark), Session: credit.Session(m.Session)})
	}
	return nil
}

// BookingFilter chooses whose bookings to list: one opportunity's or one
// pupil's.
type BookingFilter struct {
	OpportunityID    string
	PupilID          string
	IncludeCancelled bool
}

// BookingCursor is where a page of bookings ends.
type BookingCursor struct {
	CreatedAt time.Time `json:"c"`
	ID        string    `json:"i"`
}

// Valid implements pagetoken.Cursor.
func (c *BookingCursor) Valid() bool { return !c.CreatedAt.IsZero() && pagetoken.UUID(c.ID) }

// ListBookings returns up to limit bookings in scope after the cursor,
// oldest first, with their attendance.
func ListBookings(ctx context.Context, db DB, scope auth.Scope, f BookingFilter, after BookingCursor, limit int) ([]Booking, error) {
	if after.ID == "" {
		after.ID = zeroUUID
	}
	rows, err := queries.ListBookings(ctx, db, dbsqlc.ListBookingsParams{
		OpportunityID:    f.OpportunityID,
		PupilID:          f.PupilID,
		IncludeCancelled: f.IncludeCancelled,
		ScopeAll:         scope.All,
		ScopeLACodes:     scope.LACodes,
		ScopeSchoolURN:   scope.SchoolURN,
		AfterCreatedAt:   after.CreatedAt,
		AfterID:          after.ID,
		MaxRows:          int32(limit),
	})
	if err != nil {
		return nil, err
	}
	bookings := make([]Booking, len(rows))
	for i, r := range rows {
		bookings[i] = bookingFrom(r.PlacementBooking, r.Kind)
	}
	return bookings, withAttendance(ctx, db, bookings)
}

// CancelBooking cancels the booking with id if its version is still
// version, and gives its place back. Cancelling a cancelled booking at its
// current version changes nothing.
func CancelBooking(ctx context.Context, db DB, id string, version int64) (Booking, error) {
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		current, err := queries.LockBooking(ctx, tx, id)
		switch {
		case err != nil:
			return notFound(err)
		case current.Version != version:
			return ErrStaleVersion
		case current.Cancelled:
			return nil
		}
		if err := queries.CancelBooking(ctx, tx, id); err != nil {
			return err
		}
		return queries.GiveBackPlace(ctx, tx, current.OpportunityID)
	})
	if err != nil {
		return Booking{}, err
	}
	return GetBooking(ctx, db, id)
}
