package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
	"github.com/nextstep-uk/nextstep/services/placement/internal/credit"
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

const bookingColumns = `b.id::text, b.opportunity_id::text, b.pupil_id::text, b.school_urn, b.la_code,
	b.cancelled_at IS NOT NULL, b.version, b.created_at, o.kind`

const bookingFrom = ` FROM placement.bookings b JOIN placement.opportunities o ON o.id = b.opportunity_id `

func (b *Booking) fields() []any {
	return []any{&b.ID, &b.OpportunityID, &b.PupilID, &b.SchoolURN, &b.LACode, &b.Cancelled, &b.Version, &b.CreatedAt, &b.Kind}
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
		err = tx.QueryRow(ctx, `
			INSERT INTO placement.bookings (idempotency_key, request_hash, opportunity_id, pupil_id, school_urn, la_code)
			VALUES ($1, $2, $3, $4, $5, $6)
			RETURNING id::text`,
			key, requestHash, b.OpportunityID, b.PupilID, b.SchoolURN, b.LACode).Scan(&id)
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
	err = tx.QueryRow(ctx, `SELECT capacity - booked FROM placement.opportunities WHERE id = $1 FOR UPDATE`, id).Scan(&free)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrNotFound
	}
	return free, err
}

// takePlaces counts n more places booked on a locked opportunity. The
// table's CHECK refuses more places than its capacity whatever the caller
// checked.
func takePlaces(ctx context.Context, tx pgx.Tx, id string, n int) error {
	_, err := tx.Exec(ctx, `UPDATE placement.opportunities SET booked = booked + $2 WHERE id = $1`, id, n)
	return err
}

// firstAlreadyBooked returns the index of the first pupil in group with a
// live booking on the opportunity, or -1. With the opportunity locked, none
// can be booked between this check and the insert.
func firstAlreadyBooked(ctx context.Context, tx pgx.Tx, opportunityID string, group []Booking) (int, error) {
	pupils := make([]string, len(group))
	for i, b := range group {
		pupils[i] = b.PupilID
	}
	var n int
	err := tx.QueryRow(ctx, `
		SELECT coalesce(min(p.n), 0)
		FROM unnest($2::uuid[]) WITH ORDINALITY AS p(pupil_id, n)
		JOIN placement.bookings b ON b.pupil_id = p.pupil_id
		WHERE b.opportunity_id = $1 AND b.cancelled_at IS NULL`, opportunityID, pupils).Scan(&n)
	return n - 1, err
}

func bookingByKey(ctx context.Context, db DB, key string, requestHash []byte) (string, error) {
	var id string
	var hash []byte
	err := db.QueryRow(ctx, `SELECT id::text, request_hash FROM placement.bookings WHERE idempotency_key = $1`, key).Scan(&id, &hash)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", ErrNotFound
	case err != nil:
		return "", err
	case !sameRequest(hash, requestHash):
		return "", ErrKeyReused
	}
	return id, nil
}

// GetBooking returns the booking with id and its attendance.
func GetBooking(ctx context.Context, db DB, id string) (Booking, error) {
	var b Booking
	err := db.QueryRow(ctx, `SELECT `+bookingColumns+bookingFrom+`WHERE b.id = $1`, id).Scan(b.fields()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return Booking{}, ErrNotFound
	}
	if err != nil {
		return Booking{}, err
	}
	bs := []Booking{b}
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
	rows, err := db.Query(ctx, `
		SELECT a.booking_id::text, a.day, a.half_days, d.half_days
		FROM placement.attendance a
		JOIN placement.opportunity_days d ON d.opportunity_id = a.opportunity_id AND d.day = a.day
		WHERE a.booking_id = ANY($1::uuid[])
		ORDER BY a.booking_id, a.day`, ids)
	if err != nil {
		return err
	}
	var id string
	var m DayMark
	_, err = pgx.ForEachRow(rows, []any{&id, &m.Date, &m.Mark, &m.Session}, func() error {
		b := &bookings[index[id]]
		b.Attendance = append(b.Attendance, m)
		return nil
	})
	return err
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
func ListBookings(ctx context.Context, db DB, scope Scope, f BookingFilter, after BookingCursor, limit int) ([]Booking, error) {
	if after.ID == "" {
		after.ID = zeroUUID
	}
	rows, err := db.Query(ctx, `SELECT `+bookingColumns+bookingFrom+`
		WHERE (@opportunity_id = '' OR b.opportunity_id = NULLIF(@opportunity_id, '')::uuid)
		  AND (@pupil_id = '' OR b.pupil_id = NULLIF(@pupil_id, '')::uuid)
		  AND (@include_cancelled OR b.cancelled_at IS NULL)
		  AND `+scopeFilter+`
		  AND (b.created_at, b.id) > (@after_created_at, @after_id::uuid)
		ORDER BY b.created_at, b.id LIMIT @limit`,
		addScope(scope, pgx.NamedArgs{
			"opportunity_id": f.OpportunityID, "pupil_id": f.PupilID, "include_cancelled": f.IncludeCancelled,
			"after_created_at": after.CreatedAt, "after_id": after.ID, "limit": limit,
		}))
	if err != nil {
		return nil, err
	}
	return collectBookings(ctx, db, rows)
}

// collectBookings reads rows of bookingColumns and adds each booking's
// attendance.
func collectBookings(ctx context.Context, db DB, rows pgx.Rows) ([]Booking, error) {
	bookings, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Booking, error) {
		var b Booking
		return b, r.Scan(b.fields()...)
	})
	if err != nil {
		return nil, err
	}
	return bookings, withAttendance(ctx, db, bookings)
}

// CancelBooking cancels the booking with id if its version is still
// version, and gives its place back. Cancelling a cancelled booking at its
// current version changes nothing.
func CancelBooking(ctx context.Context, db DB, id string, version int64) (Booking, error) {
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		var current int64
		var cancelled bool
		var opportunityID string
		err := tx.QueryRow(ctx, `SELECT version, cancelled_at IS NOT NULL, opportunity_id::text
			FROM placement.bookings WHERE id = $1 FOR UPDATE`, id).Scan(&current, &cancelled, &opportunityID)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return ErrNotFound
		case err != nil:
			return err
		case current != version:
			return ErrStaleVersion
		case cancelled:
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE placement.bookings SET cancelled_at = now(), version = version + 1, updated_at = now()
			WHERE id = $1`, id); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE placement.opportunities SET booked = booked - 1 WHERE id = $1`, opportunityID)
		return err
	})
	if err != nil {
		return Booking{}, err
	}
	return GetBooking(ctx, db, id)
}
