package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/placement/internal/credit"
)

// The reasons one attendance record is refused.
var (
	ErrBookingCancelled = errors.New("the booking is cancelled")
	ErrDayNotScheduled  = errors.New("the opportunity does not run on this day")
	ErrRecordRepeated   = errors.New("the booking and day appear earlier in the request")
)

// RecordError says which record of a request was refused and why.
type RecordError struct {
	Index int // from 0
	Err   error
}

func (e *RecordError) Error() string { return fmt.Sprintf("record %d: %v", e.Index+1, e.Err) }
func (e *RecordError) Unwrap() error { return e.Err }

// AttendanceRecord is one mark to record.
type AttendanceRecord struct {
	BookingID string
	Date      time.Time
	Mark      credit.Mark
}

// RecordAttendance writes marks in one transaction: every record's booking
// must be in scope (else ErrNotFound) and live, and its day one the
// opportunity runs; one refused record refuses them all. The marks are
// copied into a staging table and upserted with one statement. It returns
// how many marks were new or changed and the pupils whose bookings they are.
func RecordAttendance(ctx context.Context, db DB, scope Scope, records []AttendanceRecord, recordedBy string) (recorded int64, pupilIDs []string, err error) {
	type key struct {
		booking string
		day     time.Time
	}
	seen := make(map[key]bool, len(records))
	ids := make([]string, 0, len(records))
	for i, r := range records {
		k := key{r.BookingID, r.Date}
		if seen[k] {
			return 0, nil, &RecordError{Index: i, Err: ErrRecordRepeated}
		}
		seen[k] = true
		ids = append(ids, r.BookingID)
	}
	err = pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		bookings, err := bookingsForAttendance(ctx, tx, ids)
		if err != nil {
			return err
		}
		days, err := scheduledDays(ctx, tx, bookings)
		if err != nil {
			return err
		}
		pupils := map[string]bool{}
		rows := make([][]any, len(records))
		for i, r := range records {
			b, ok := bookings[r.BookingID]
			switch {
			case !ok || !scope.Covers(b.SchoolURN, b.LACode):
				return &RecordError{Index: i, Err: ErrNotFound}
			case b.Cancelled:
				return &RecordError{Index: i, Err: ErrBookingCancelled}
			case !days[scheduledDay{b.OpportunityID, r.Date}]:
				return &RecordError{Index: i, Err: ErrDayNotScheduled}
			}
			if !pupils[b.PupilID] {
				pupils[b.PupilID] = true
				pupilIDs = append(pupilIDs, b.PupilID)
			}
			rows[i] = []any{r.BookingID, b.OpportunityID, r.Date, int16(r.Mark)}
		}
		recorded, err = upsertAttendance(ctx, tx, rows, recordedBy)
		return err
	})
	return recorded, pupilIDs, err
}

type attendanceBooking struct {
	OpportunityID, PupilID, SchoolURN, LACode string
	Cancelled                                 bool
}

// bookingsForAttendance reads the bookings by id, locking them against a
// concurrent cancellation until the marks are written.
func bookingsForAttendance(ctx context.Context, tx pgx.Tx, ids []string) (map[string]attendanceBooking, error) {
	rows, err := tx.Query(ctx, `SELECT id::text, opportunity_id::text, pupil_id::text, school_urn, la_code, cancelled_at IS NOT NULL
		FROM placement.bookings WHERE id = ANY($1::uuid[]) FOR SHARE`, ids)
	if err != nil {
		return nil, err
	}
	out := map[string]attendanceBooking{}
	var id string
	var b attendanceBooking
	_, err = pgx.ForEachRow(rows, []any{&id, &b.OpportunityID, &b.PupilID, &b.SchoolURN, &b.LACode, &b.Cancelled}, func() error {
		out[id] = b
		return nil
	})
	return out, err
}

type scheduledDay struct {
	opportunityID string
	day           time.Time
}

func scheduledDays(ctx context.Context, tx pgx.Tx, bookings map[string]attendanceBooking) (map[scheduledDay]bool, error) {
	var opportunities []string
	for _, b := range bookings {
		opportunities = append(opportunities, b.OpportunityID)
	}
	rows, err := tx.Query(ctx, `SELECT opportunity_id::text, day FROM placement.opportunity_days
		WHERE opportunity_id = ANY($1::uuid[])`, opportunities)
	if err != nil {
		return nil, err
	}
	out := map[scheduledDay]bool{}
	var d scheduledDay
	_, err = pgx.ForEachRow(rows, []any{&d.opportunityID, &d.day}, func() error {
		out[d] = true
		return nil
	})
	return out, err
}

// upsertAttendance copies rows (booking_id, opportunity_id, day, half_days)
// into a staging table and merges them in one statement; a mark that is
// already recorded as given is left alone and not counted.
func upsertAttendance(ctx context.Context, tx pgx.Tx, rows [][]any, recordedBy string) (int64, error) {
	if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE attendance_staging (
			booking_id uuid NOT NULL, opportunity_id uuid NOT NULL, day date NOT NULL, half_days smallint NOT NULL
		) ON COMMIT DROP`); err != nil {
		return 0, err
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"attendance_staging"},
		[]string{"booking_id", "opportunity_id", "day", "half_days"}, pgx.CopyFromRows(rows)); err != nil {
		return 0, err
	}
	tag, err := tx.Exec(ctx, `
		INSERT INTO placement.attendance (booking_id, opportunity_id, day, half_days, recorded_by)
		SELECT booking_id, opportunity_id, day, half_days, $1 FROM attendance_staging
		ON CONFLICT (booking_id, day) DO UPDATE
			SET half_days = excluded.half_days, recorded_by = excluded.recorded_by, recorded_at = now()
			WHERE placement.attendance.half_days <> excluded.half_days`, recordedBy)
	return tag.RowsAffected(), err
}
