package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store/dbsqlc"
)

// School is a row of pupil.schools.
type School struct {
	URN    string
	Name   string
	LACode string
	Phase  string
	Open   bool
	// UKPRN is the provider's UK Provider Reference Number, and
	// EstablishmentType its GIAS type code (package establishment); each
	// empty when not known.
	UKPRN             string
	EstablishmentType string
	// Latitude and Longitude are where it is, in WGS84 degrees; both NULL
	// when not known.
	Latitude, Longitude pgtype.Float8
}

// ErrNotFound is returned when no row matches.
var ErrNotFound = errors.New("not found")

// ErrUKPRNExists is returned when another institution has the UKPRN.
var ErrUKPRNExists = errors.New("another institution has this UKPRN")

// InsertSchool inserts s unless a school with its URN exists, and returns the
// stored row either way; created says which.
func InsertSchool(ctx context.Context, db DB, s School) (stored School, created bool, err error) {
	row, err := queries.InsertSchool(ctx, db, dbsqlc.InsertSchoolParams(s))
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "schools_ukprn_idx" {
		return School{}, false, ErrUKPRNExists
	}
	stored = School{URN: row.URN, Name: row.Name, LACode: row.LACode, Phase: row.Phase, Open: row.Open,
		UKPRN: row.UKPRN, EstablishmentType: row.EstablishmentType, Latitude: row.Latitude, Longitude: row.Longitude}
	return stored, row.Created, err
}

// GetSchool returns the school with urn.
func GetSchool(ctx context.Context, db DB, urn string) (School, error) {
	row, err := queries.GetSchool(ctx, db, urn)
	if errors.Is(err, pgx.ErrNoRows) {
		return School{}, ErrNotFound
	}
	return School(row), err
}

// ListSchools returns up to limit schools in scope after the URN after, in
// URN order, of one local authority if laCode is not empty.
func ListSchools(ctx context.Context, db DB, scope auth.Scope, laCode, after string, limit int) ([]School, error) {
	rows, err := queries.ListSchools(ctx, db, dbsqlc.ListSchoolsParams{
		ScopeAll:       scope.All,
		ScopeLACodes:   scope.LACodes,
		ScopeSchoolURN: scope.SchoolURN,
		LACode:         laCode,
		After:          after,
		MaxSchools:     int32(limit),
	})
	if err != nil {
		return nil, err
	}
	schools := make([]School, len(rows))
	for i, r := range rows {
		schools[i] = School(r)
	}
	return schools, nil
}

// SchoolsInScope returns the URNs of the open schools in scope: the schools
// an import may put pupils into.
func SchoolsInScope(ctx context.Context, db DB, scope auth.Scope) (map[string]bool, error) {
	urns, err := queries.SchoolsInScope(ctx, db, dbsqlc.SchoolsInScopeParams{
		ScopeAll:       scope.All,
		ScopeLACodes:   scope.LACodes,
		ScopeSchoolURN: scope.SchoolURN,
	})
	if err != nil {
		return nil, err
	}
	set := make(map[string]bool, len(urns))
	for _, u := range urns {
		set[u] = true
	}
	return set, nil
}

// SchoolRevision returns the revision of the school with urn: a counter
// every write to what GetSchool or a cohort snapshot of the school reads
// moves on, in the write's transaction (migrations/00010_school_revisions.sql).
// It is 0 for a school nothing was ever written about, and for one outside
// scope or not registered alike.
func SchoolRevision(ctx context.Context, db DB, scope auth.Scope, urn string) (int64, error) {
	return queries.SchoolRevision(ctx, db, dbsqlc.SchoolRevisionParams{
		URN:            urn,
		ScopeAll:       scope.All,
		ScopeLACodes:   scope.LACodes,
		ScopeSchoolURN: scope.SchoolURN,
	})
}
