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

// ListSchools returns up to limit schools in scope after the URN after, in
// URN order, of one local authority if laCode is not empty.
func ListSchools(ctx context.Context, db DB, scope Scope, laCode, after string, limit int) ([]School, error) {
	rows, err := db.Query(ctx, `
		SELECT s.urn, s.name, s.la_code, s.phase, s.open FROM pupil.schools s
		WHERE `+scopeSQL+` AND ($4 = '' OR s.la_code = $4) AND s.urn > $5
		ORDER BY s.urn LIMIT $6`,
		append(scopeArgs(scope), laCode, after, limit)...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (School, error) {
		var s School
		err := row.Scan(&s.URN, &s.Name, &s.LACode, &s.Phase, &s.Open)
		return s, err
	})
}

// SchoolsInScope returns the URNs of the open schools in scope: the schools
// an import may put pupils into.
func SchoolsInScope(ctx context.Context, db DB, scope Scope) (map[string]bool, error) {
	rows, err := db.Query(ctx, `SELECT s.urn FROM pupil.schools s WHERE s.open AND `+scopeSQL, scopeArgs(scope)...)
	if err != nil {
		return nil, err
	}
	urns, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	set := make(map[string]bool, len(urns))
	for _, u := range urns {
		set[u] = true
	}
	return set, nil
}
