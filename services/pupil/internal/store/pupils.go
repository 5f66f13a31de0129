package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/nextstep-uk/nextstep/services/kit/idempotency"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
)

// Pupil is a row of pupil.pupils.
type Pupil struct {
	ID     string
	Record intake.Record
	// SchoolLACode is the local authority of the pupil's school, for scope.
	SchoolLACode string
	Version      int64
	UpdatedAt    time.Time
}

var (
	// ErrUPNExists is returned when another pupil has the UPN.
	ErrUPNExists = errors.New("a pupil with this UPN exists")
	// ErrStaleVersion is returned when an update carries an old version.
	ErrStaleVersion = errors.New("the pupil has changed since it was read")
	// ErrUnknownSchool is returned when a record names no registered school.
	ErrUnknownSchool = errors.New("no such school")
	// ErrInconsistent is returned when a record merged with the stored
	// pupil breaks a rule (a kept joining date after a new leaving date).
	ErrInconsistent = errors.New("the record contradicts the stored pupil")
	// ErrKeyReused is returned when an idempotency key comes back with a
	// different request.
	ErrKeyReused = errors.New("the idempotency key was used for a different request")
)

// pupilSelect reads Pupil rows: p is pupil.pupils, s its school.
var pupilSelect = `SELECT p.id, s.la_code, p.version, p.updated_at, ` + columnList("p") + `
	FROM pupil.pupils p JOIN pupil.schools s ON s.urn = p.school_urn`

func scanPupil(row pgx.Row) (Pupil, error) {
	var p Pupil
	var rs recordScan
	err := row.Scan(append([]any{&p.ID, &p.SchoolLACode, &p.Version, &p.UpdatedAt}, rs.targets()...)...)
	p.Record = rs.record()
	return p, err
}

// GetPupil returns the pupil with id.
func GetPupil(ctx context.Context, db DB, id string) (Pupil, error) {
	p, err := scanPupil(db.QueryRow(ctx, pupilSelect+` WHERE p.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Pupil{}, ErrNotFound
	}
	return p, err
}

// InsertPupil creates a pupil under an idempotency key: a retry with the
// same key and request fingerprint returns the pupil the first call
// created; the key with another fingerprint is ErrKeyReused.
func InsertPupil(ctx context.Context, db DB, key string, fingerprint []byte, id [16]byte, r intake.Record) (Pupil, error) {
	placeholders := ""
	for i := range recordColumns {
		placeholders += fmt.Sprintf(", $%d", i+4)
	}
	_, err := db.Exec(ctx, `INSERT INTO pupil.pupils (id, idempotency_key, request_hash, `+columnList("")+`)
		VALUES ($1, $2, $3`+placeholders+`) ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING`,
		append([]any{id, key, fingerprint}, recordValues(r)...)...)
	if err := constraintError(err); err != nil {
		return Pupil{}, err
	}
	var stored []byte
	if err := db.QueryRow(ctx, `SELECT request_hash FROM pupil.pupils WHERE idempotency_key = $1`, key).Scan(&stored); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Pupil{}, ErrNotFound
		}
		return Pupil{}, err
	}
	if !idempotency.Matches(stored, fingerprint) {
		return Pupil{}, ErrKeyReused
	}
	p, err := scanPupil(db.QueryRow(ctx, pupilSelect+` WHERE p.idempotency_key = $1`, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return Pupil{}, ErrNotFound
	}
	return p, err
}

// PupilByUPN returns the pupil with upn.
func PupilByUPN(ctx context.Context, db DB, upn string) (Pupil, error) {
	p, err := scanPupil(db.QueryRow(ctx, pupilSelect+` WHERE p.upn = $1`, upn))
	if errors.Is(err, pgx.ErrNoRows) {
		return Pupil{}, ErrNotFound
	}
	return p, err
}

// Location is where a pupil is on roll.
type Location struct {
	PupilID, SchoolURN, LACode string
}

// LocatePupils returns the school and local authority of each pupil of ids
// in scope, in the order of ids; unknown ids are left out. One query.
func LocatePupils(ctx context.Context, db DB, scope Scope, ids []string) ([]Location, error) {
	rows, err := db.Query(ctx, `
		SELECT p.id::text, p.school_urn, s.la_code
		FROM unnest($4::uuid[]) WITH ORDINALITY AS want(id, n)
		JOIN pupil.pupils p ON p.id = want.id
		JOIN pupil.schools s ON s.urn = p.school_urn
		WHERE `+scopeSQL+`
		ORDER BY want.n`, append(scopeArgs(scope), ids)...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Location, error) {
		var l Location
		return l, r.Scan(&l.PupilID, &l.SchoolURN, &l.LACode)
	})
}

// constraintError maps the violations a caller can cause to errors it can
// act on; the rest pass through.
func constraintError(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "23505" && pgErr.ConstraintName == "pupils_upn_key":
			return ErrUPNExists
		case pgErr.Code == "23503" && pgErr.ConstraintName == "pupils_school_urn_fkey":
			return ErrUnknownSchool
		case pgErr.Code == "23514" && pgErr.TableName == "pupils":
			return ErrInconsistent
		}
	}
	return err
}

// UpdatePupil replaces the record of pupil id if its version is still
// version. A change of school writes the old enrolment to the school
// history and counts a school move (on the new joining date, or today), in
// the same transaction (tx).
func UpdatePupil(ctx context.Context, tx pgx.Tx, id string, version int64, r intake.Record, today time.Time) (Pupil, error) {
	var current Pupil
	current, err := scanPupil(tx.QueryRow(ctx, pupilSelect+` WHERE p.id = $1 FOR UPDATE OF p`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Pupil{}, ErrNotFound
	}
	if err != nil {
		return Pupil{}, err
	}
	if current.Version != version {
		return Pupil{}, ErrStaleVersion
	}
	old := current.Record
	if old.SchoolURN != r.SchoolURN {
		moved := r.JoinedOn
		if moved.IsZero() {
			moved = today
		}
		if err := recordMove(ctx, tx, id, old, moved); err != nil {
			return Pupil{}, err
		}
		if r.Risk.SchoolMoves == nil || r.Risk.SchoolMoves.AsAt.Before(moved) {
			n := 1
			if old.Risk.SchoolMoves != nil {
				n = old.Risk.SchoolMoves.Value + 1
			}
			r.Risk.SchoolMoves = &risk.Count{Value: n, AsAt: moved}
		}
	}
	sets := ""
	for i, c := range recordColumns {
		sets += fmt.Sprintf("%s = $%d, ", c, i+2)
	}
	_, err = tx.Exec(ctx, `UPDATE pupil.pupils SET `+sets+`version = version + 1, updated_at = now() WHERE id = $1`,
		append([]any{id}, recordValues(r)...)...)
	if err := constraintError(err); err != nil {
		return Pupil{}, err
	}
	return GetPupil(ctx, tx, id)
}

// recordMove keeps the enrolment a pupil is leaving in the school history.
func recordMove(ctx context.Context, db DB, id string, old intake.Record, moved time.Time) error {
	left, reason := old.LeftOn, old.LeavingReason
	if left.IsZero() {
		left, reason = moved, intake.LeftTransferred
	}
	_, err := db.Exec(ctx, `INSERT INTO pupil.school_history (pupil_id, school_urn, joined_on, left_on, leaving_reason)
		VALUES ($1, $2, $3, $4, $5)`, id, old.SchoolURN, date(old.JoinedOn), date(left), string(reason))
	return err
}
