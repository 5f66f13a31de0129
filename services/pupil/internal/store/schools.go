package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

// School is a row of pupil.schools.
type School struct {
	URN    string
	Name   string
	LACode string
	Phase  string
	Open   bool
}

// ErrNotFound is returned when no row matches.
var ErrNotFound = errors.New("not found")

// InsertSchool inserts s unless a school with its URN exists, and returns the
// stored row either way; created says which.
func InsertSchool(ctx context.Context, db DB, s School) (stored School, created bool, err error) {
	err = db.QueryRow(ctx, `
		WITH ins AS (
			INSERT INTO pupil.schools (urn, name, la_code, phase, open)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (urn) DO NOTHING
			RETURNING urn, name, la_code, phase, open, true AS created
		)
		SELECT * FROM ins
		UNION ALL
		SELECT urn, name, la_code, phase, open, false FROM pupil.schools WHERE urn = $1
		LIMIT 1`,
		s.URN, s.Name, s.LACode, s.Phase, s.Open,
	).Scan(&stored.URN, &stored.Name, &stored.LACode, &stored.Phase, &stored.Open, &created)
	return stored, created, err
}

// GetSchool returns the school with urn.
func GetSchool(ctx context.Context, db DB, urn string) (School, error) {
	var s School
	err := db.QueryRow(ctx, `SELECT urn, name, la_code, phase, open FROM pupil.schools WHERE urn = $1`, urn).
		Scan(&s.URN, &s.Name, &s.LACode, &s.Phase, &s.Open)
	if errors.Is(err, pgx.ErrNoRows) {
		return School{}, ErrNotFound
	}
	return s, err
}
