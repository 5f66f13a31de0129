// Package store is the placement service's SQL. The queries are SQL files
// in queries/, from which sqlc generates the Go in dbsqlc (sqlc.yaml at the
// module's root; make generate runs it); this package calls them and turns
// their rows into the service's types. Every function takes the database
// handle as an argument, so the same query runs on the pool or inside a
// transaction; functions that must be atomic open their own transaction on
// it.
package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/nextstep-uk/nextstep/services/kit/database"
	"github.com/nextstep-uk/nextstep/services/placement/internal/store/dbsqlc"
)

// DB is a pool, a connection or a transaction.
type DB interface {
	database.DB
	Begin(ctx context.Context) (pgx.Tx, error)
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
}

// queries are the generated queries; each takes the DB to run on.
var queries = dbsqlc.New()

// The store's refusals; the handler turns each into its reason.
var (
	ErrNotFound            = errors.New("not found")
	ErrStaleVersion        = errors.New("the record has changed since the version given")
	ErrKeyReused           = errors.New("the idempotency key was used for a different request")
	ErrEmployerExists      = errors.New("an employer with this Companies House number exists")
	ErrEmployerNotFound    = errors.New("no such employer")
	ErrOpportunityFull     = errors.New("every place is booked")
	ErrAlreadyBooked       = errors.New("the pupil already has a place on this opportunity")
	ErrFixedField          = errors.New("employer, kind and days cannot change")
	ErrCapacityBelowBooked = errors.New("capacity is below the places already booked")
)

// notFound turns a query's "no rows" into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// The caller's scope (an auth.Scope) is the part of the records they may
// see, as SQL filters on a booking's school and local authority: the
// queries that read bookings take its fields as scope_all, scope_la_codes
// and scope_school_urn.

// SQLSTATEs the store tells apart.
const (
	uniqueViolationCode     = "23505"
	foreignKeyViolationCode = "23503"
)

// uniqueViolation returns the constraint a unique violation broke, or "".
func uniqueViolation(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == uniqueViolationCode {
		return pgErr.ConstraintName
	}
	return ""
}

// foreignKeyViolation returns the constraint a foreign key violation broke,
// or "".
func foreignKeyViolation(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == foreignKeyViolationCode {
		return pgErr.ConstraintName
	}
	return ""
}

// zeroUUID sorts before every id: the cursor of a first page.
const zeroUUID = "00000000-0000-0000-0000-000000000000"
