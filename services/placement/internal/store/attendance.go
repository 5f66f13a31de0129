package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/placement/internal/credit"
	"github.com/nextstep-uk/nextstep/services/placement/internal/store/dbsqlc"
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
func RecordAttendance(ctx context.Context, db DB, scope auth.Scope, records []AttendanceRecord, recordedBy string) (recorded int64, pupilIDs []string, err error) {
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
		marks := make([]dbsqlc.CopyAttendanceStagingParams, len(records))
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
			marks[i] = dbsqlc.CopyAttendanceStagingParams{
				BookingID:     r.BookingID,
				OpportunityID: b.OpportunityID,
				PupilID:       b.PupilID,
				Day:           r.Date,
				HalfDays:      int16(r.Mark),
			}
		}
		// The pupils' revision counters, in id order, before the upsert's
		// triggers bump them in two rounds (queries/attendance.sql).
		if err := queries.LockPupilRevisions(ctx, tx, pupilIDs); err != nil {
			return err
		}
		recorded, err = upsertAttendance(ctx, tx, marks, recordedBy)
		return err
	})
	return recorded, pupilIDs, err
}

// bookingsForAttendance reads the bookings by id, locking them against a
// concurrent cancellation until the marks are written.
func bookingsForAttendance(ctx context.Context, tx pgx.Tx, ids []string) (map[string]dbsqlc.BookingsForAttendanceRow, error) {
	rows, err := queries.BookingsForAttendance(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]dbsqlc.BookingsForAttendanceRow, len(rows))
	for _, b := range rows {
		out[b.ID] = b
	}
	return out, nil
}

type scheduledDay struct {
	opportunityID string
	day           time.Time
}

func scheduledDays(ctx context.Context, tx pgx.Tx, bookings map[string]dbsqlc.BookingsForAttendanceRow) (map[scheduledDay]bool, error) {
	var opportunities []string
	for _, b := range bookings {
		opportunities = append(opportunities, b.OpportunityID)
	}
	rows, err := queries.ScheduledDays(ctx, tx, opportunities)
	if err != nil {
		return nil, err
	}
	out := make(map[scheduledDay]bool, len(rows))
	for _, d := range rows {
		out[scheduledDay{d.OpportunityID, d.Day}] = true
	}
	return out, nil
}

// upsertAttendance copies marks into a staging table made for this
// transaction and merges them in one statement; a mark that is already
// recorded as given is left alone and not counted.
func upsertAttendance(ctx context.Context, tx pgx.Tx, marks []dbsqlc.CopyAttendanceStagingParams, recordedBy string) (int64, error) {
	if err := queries.CreateAttendanceStaging(ctx, tx); err != nil {
		return 0, err
	}
	if _, err := queries.CopyAttendanceStaging(ctx, tx, marks); err != nil {
		return 0, err
	}
	return queries.UpsertAttendance(ctx, tx, recordedBy)
}
