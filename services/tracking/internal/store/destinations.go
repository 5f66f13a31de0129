package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/idempotency"
	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store/dbsqlc"
)

// Destination is a row of tracking.destinations.
type Destination struct {
	ID            string
	PupilID       string
	SchoolURN     string
	LACode        string
	Kind          string // intended, offer or confirmed
	ActivityCode  string
	EffectiveDate time.Time
	Source        string
	RecordedBy    string
	RecordedAt    time.Time
	// ReviewOn is when the activity should be reviewed; zero for none.
	ReviewOn time.Time
	// Provider is the place's provider (URN or UKPRN), or "".
	Provider string
	// EarlyLeaver marks a provider's notification that the young person
	// left their course early.
	EarlyLeaver bool
}

func destinationOf(r dbsqlc.TrackingDestination) Destination {
	d := Destination{
		ID: r.ID, PupilID: r.PupilID, SchoolURN: r.SchoolURN, LACode: r.LACode, Kind: r.Kind,
		ActivityCode: r.ActivityCode, EffectiveDate: r.EffectiveDate, Source: r.Source,
		RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt, Provider: r.Provider, EarlyLeaver: r.EarlyLeaver,
	}
	if r.ReviewOn != nil {
		d.ReviewOn = *r.ReviewOn
	}
	return d
}

// optionalDate is NULL for the zero time.
func optionalDate(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Located is where a pupil is on roll, for a write that records it.
type Located struct {
	PupilID, SchoolURN, LACode string
}

// ConfirmCurrency records again, as ascertained at now, the latest
// confirmed activity of each pupil (at the school and LA they are on roll
// at now), by actor from source, and returns the new records by pupil id. A pupil
// with no confirmed activity is left out. One statement.
func ConfirmCurrency(ctx context.Context, db DB, pupils []Located, source, actor string, now time.Time) (map[string]Destination, error) {
	arg := dbsqlc.ConfirmCurrencyParams{Source: source, RecordedBy: actor, RecordedAt: now}
	for _, p := range pupils {
		arg.PupilIDs = append(arg.PupilIDs, p.PupilID)
		arg.SchoolUrns = append(arg.SchoolUrns, p.SchoolURN)
		arg.LACodes = append(arg.LACodes, p.LACode)
	}
	rows, err := queries.ConfirmCurrency(ctx, db, arg)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Destination, len(rows))
	for _, r := range rows {
		out[r.PupilID] = destinationOf(r)
	}
	return out, nil
}

// ErrKeyReused refuses an idempotency key that comes back with a different
// request.
var ErrKeyReused = errors.New("the idempotency key was used for a different request")

// InsertDestination records d unless a destination with idempotencyKey
// exists, and returns the stored row either way; a stored row whose request
// fingerprint is not fingerprint is ErrKeyReused.
func InsertDestination(ctx context.Context, db DB, idempotencyKey string, fingerprint []byte, d Destination) (Destination, error) {
	row, err := queries.InsertDestination(ctx, db, dbsqlc.InsertDestinationParams{
		IdempotencyKey: idempotencyKey, RequestHash: fingerprint,
		PupilID: d.PupilID, SchoolURN: d.SchoolURN, LACode: d.LACode, Kind: d.Kind,
		ActivityCode: d.ActivityCode, EffectiveDate: d.EffectiveDate, Source: d.Source, RecordedBy: d.RecordedBy,
		ReviewOn: optionalDate(d.ReviewOn), RecordedAt: d.RecordedAt, Provider: d.Provider, EarlyLeaver: d.EarlyLeaver,
	})
	if err != nil {
		return Destination{}, err
	}
	if !idempotency.Matches(row.RequestHash, fingerprint) {
		return Destination{}, ErrKeyReused
	}
	// The statement returns every column of the table, as its model does.
	return destinationOf(dbsqlc.TrackingDestination(row)), nil
}

// DestinationCursor is the position after the last destination of a page,
// newest first.
type DestinationCursor struct {
	RecordedAt time.Time `json:"r"`
	ID         string    `json:"i"`
}

// Valid implements pagetoken.Cursor.
func (c *DestinationCursor) Valid() bool { return !c.RecordedAt.IsZero() && pagetoken.UUID(c.ID) }

// ListDestinations returns a pupil's destinations in scope, newest recorded
// first, after the cursor (nil for the first page).
func ListDestinations(ctx context.Context, db DB, pupilID string, s auth.Scope, after *DestinationCursor, limit int) ([]Destination, error) {
	arg := dbsqlc.ListDestinationsParams{
		PupilID: pupilID, SeesAll: s.All, SchoolURN: s.SchoolURN, LACodes: s.LACodes, MaxRows: int32(limit),
	}
	if after != nil {
		arg.AfterRecordedAt, arg.AfterID = &after.RecordedAt, &after.ID
	}
	rows, err := queries.ListDestinations(ctx, db, arg)
	if err != nil {
		return nil, err
	}
	out := make([]Destination, len(rows))
	for i, r := range rows {
		out[i] = destinationOf(r)
	}
	return out, nil
}

// LatestDestinations returns the latest destination of each of pupilIDs
// that has one and whose latest record is in scope, by pupil id. One query.
func LatestDestinations(ctx context.Context, db DB, pupilIDs []string, s auth.Scope) (map[string]Destination, error) {
	rows, err := queries.LatestDestinations(ctx, db, pupilIDs)
	if err != nil {
		return nil, err
	}
	latest := make(map[string]Destination, len(pupilIDs))
	for _, r := range rows {
		// auth.Scope is applied to the latest record: a pupil who has moved out
		// of the caller's area shows as having none, not an older one.
		if s.Covers(r.SchoolURN, r.LACode) {
			latest[r.PupilID] = destinationOf(r)
		}
	}
	return latest, nil
}

// latestOrder puts each pupil's latest destination first: the firmest kind
// held, then the latest effective date, then the latest recorded. It is
// LatestDestinations' order (queries/destinations.sql), for the export.
const latestOrder = `pupil_id, firmness DESC, effective_date DESC, recorded_at DESC, id DESC`

// EachLatestDestination calls fn with the latest destination of every pupil
// with a record in scope that matches the optional local authority and
// school filters, and of every pupil in also, in pupil id order, streaming
// the rows.
//
// The records' areas are where the young people were when each was
// written, so the set is a superset: also names those the pupil service
// says are in an LA's caseload now, whose records may all be under the LA
// they lived in before, and the caller decides from where each young
// person is now whether they belong in what it returns.
//
// It is built here rather than generated: its filters are optional and
// choose the index the export walks (where explains why that needs SQL
// built per combination), and it streams a whole area's rows to fn where a
// generated :many query would hold them all in memory first.
func EachLatestDestination(ctx context.Context, db DB, s auth.Scope, laCode, schoolURN string, also []string, fn func(Destination) error) error {
	var w where
	w.scope(s, "")
	if laCode != "" {
		w.add("la_code = ?", laCode)
	}
	if schoolURN != "" {
		w.add("school_urn = ?", schoolURN)
	}
	candidates := fmt.Sprintf("pupil_id IN (SELECT pupil_id FROM tracking.destinations WHERE %s)", w.sql())
	args := w.args
	if len(also) > 0 {
		args = append(args, also)
		candidates = fmt.Sprintf("(%s OR pupil_id = ANY(($%d::text[])::uuid[]))", candidates, len(args))
	}
	rows, err := db.Query(ctx, fmt.Sprintf(`
		SELECT DISTINCT ON (pupil_id) * FROM tracking.destinations
		WHERE %s
		ORDER BY %s`, candidates, latestOrder), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		// By name: the generated model is the table's row.
		r, err := pgx.RowToStructByName[dbsqlc.TrackingDestination](rows)
		if err != nil {
			return err
		}
		if err := fn(destinationOf(r)); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Activity is a confirmed activity: its code and effective date.
type Activity struct {
	Code          string
	EffectiveDate time.Time
}

// ConfirmedActivities returns the confirmed activities of pupilIDs by
// pupil, newest first. One query.
func ConfirmedActivities(ctx context.Context, db DB, pupilIDs []string) (map[string][]Activity, error) {
	rows, err := queries.ConfirmedActivities(ctx, db, pupilIDs)
	if err != nil {
		return nil, err
	}
	out := map[string][]Activity{}
	for _, r := range rows {
		out[r.PupilID] = append(out[r.PupilID], Activity{Code: r.ActivityCode, EffectiveDate: r.EffectiveDate})
	}
	return out, nil
}

// Confirmation is a confirmed activity as the measures read it: when it
// began, when it was recorded (ascertained) and its review date, if any.
type Confirmation struct {
	Code          string
	EffectiveDate time.Time
	RecordedAt    time.Time
	ReviewOn      time.Time
}

// measureBatch bounds the pupil ids of one MeasureActivities query.
const measureBatch = 20_000

// MeasureActivities returns the confirmed activities of pupilIDs by pupil,
// each pupil's oldest first: one query per 20,000 pupils.
func MeasureActivities(ctx context.Context, db DB, pupilIDs []string) (map[string][]Confirmation, error) {
	out := make(map[string][]Confirmation, len(pupilIDs))
	for start := 0; start < len(pupilIDs); start += measureBatch {
		rows, err := queries.MeasureActivities(ctx, db, pupilIDs[start:min(start+measureBatch, len(pupilIDs))])
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			c := Confirmation{Code: r.ActivityCode, EffectiveDate: r.EffectiveDate, RecordedAt: r.RecordedAt}
			if r.ReviewOn != nil {
				c.ReviewOn = *r.ReviewOn
			}
			out[r.PupilID] = append(out[r.PupilID], c)
		}
	}
	return out, nil
}
