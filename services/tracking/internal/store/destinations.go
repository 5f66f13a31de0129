package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/kit/idempotency"
	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
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
}

const destinationColumns = `id, pupil_id, school_urn, la_code, kind, activity_code, effective_date, source, recorded_by, recorded_at`

// scanDestination reads a row of destinationColumns, then into more any
// columns the query adds after them.
func scanDestination(row pgx.Row, more ...any) (Destination, error) {
	var d Destination
	err := row.Scan(append([]any{&d.ID, &d.PupilID, &d.SchoolURN, &d.LACode, &d.Kind, &d.ActivityCode, &d.EffectiveDate, &d.Source, &d.RecordedBy, &d.RecordedAt}, more...)...)
	return d, err
}

// ErrKeyReused refuses an idempotency key that comes back with a different
// request.
var ErrKeyReused = errors.New("the idempotency key was used for a different request")

// InsertDestination records d unless a destination with idempotencyKey
// exists, and returns the stored row either way; a stored row whose request
// fingerprint is not fingerprint is ErrKeyReused.
func InsertDestination(ctx context.Context, db DB, idempotencyKey string, fingerprint []byte, d Destination) (Destination, error) {
	var stored []byte
	out, err := scanDestination(db.QueryRow(ctx, `
		WITH ins AS (
			INSERT INTO tracking.destinations (idempotency_key, request_hash, pupil_id, school_urn, la_code, kind, activity_code, effective_date, source, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (idempotency_key) DO NOTHING
			RETURNING `+destinationColumns+`, request_hash
		)
		SELECT * FROM ins
		UNION ALL
		SELECT `+destinationColumns+`, request_hash FROM tracking.destinations WHERE idempotency_key = $1
		LIMIT 1`,
		idempotencyKey, fingerprint, d.PupilID, d.SchoolURN, d.LACode, d.Kind, d.ActivityCode, d.EffectiveDate, d.Source, d.RecordedBy), &stored)
	if err == nil && !idempotency.Matches(stored, fingerprint) {
		return Destination{}, ErrKeyReused
	}
	return out, err
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
func ListDestinations(ctx context.Context, db DB, pupilID string, s Scope, after *DestinationCursor, limit int) ([]Destination, error) {
	var w where
	w.add("pupil_id = ?", pupilID)
	w.scope(s, "")
	if after != nil {
		w.add("(recorded_at, id) < (?, ?)", after.RecordedAt, after.ID)
	}
	rows, err := db.Query(ctx, fmt.Sprintf(`SELECT %s FROM tracking.destinations WHERE %s ORDER BY recorded_at DESC, id DESC LIMIT %d`,
		destinationColumns, w.sql(), limit), w.args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Destination, error) { return scanDestination(r) })
}

// latestSQL picks each pupil's latest destination: the firmest kind held,
// then the latest effective date, then the latest recorded.
const latestSQL = `SELECT DISTINCT ON (pupil_id) ` + destinationColumns + `
	FROM tracking.destinations
	WHERE %s
	ORDER BY pupil_id, firmness DESC, effective_date DESC, recorded_at DESC, id DESC`

// LatestDestinations returns the latest destination of each of pupilIDs
// that has one and whose latest record is in scope, by pupil id. One query.
func LatestDestinations(ctx context.Context, db DB, pupilIDs []string, s Scope) (map[string]Destination, error) {
	rows, err := db.Query(ctx, fmt.Sprintf(latestSQL, "pupil_id = ANY($1)"), pupilIDs)
	if err != nil {
		return nil, err
	}
	latest := make(map[string]Destination, len(pupilIDs))
	for rows.Next() {
		d, err := scanDestination(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		// Scope is applied to the latest record: a pupil who has moved out
		// of the caller's area shows as having none, not an older one.
		if s.Covers(d.SchoolURN, d.LACode) {
			latest[d.PupilID] = d
		}
	}
	return latest, rows.Err()
}

// EachLatestDestination calls fn with the latest destination of every pupil
// whose latest record is in scope and matches the optional local authority
// and school filters, in pupil id order, streaming the rows.
func EachLatestDestination(ctx context.Context, db DB, s Scope, laCode, schoolURN string, fn func(Destination) error) error {
	// The filters narrow the pupils first (by their records' school or LA),
	// then the latest record itself must match, so a pupil who moved is
	// exported by the area they are in now.
	var w where
	w.scope(s, "")
	if laCode != "" {
		w.add("la_code = ?", laCode)
	}
	if schoolURN != "" {
		w.add("school_urn = ?", schoolURN)
	}
	inner := fmt.Sprintf(latestSQL, fmt.Sprintf("pupil_id IN (SELECT pupil_id FROM tracking.destinations WHERE %s)", w.sql()))
	rows, err := db.Query(ctx, fmt.Sprintf(`SELECT * FROM (%s) latest WHERE %s`, inner, w.sql()), w.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDestination(rows)
		if err != nil {
			return err
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	return rows.Err()
}
