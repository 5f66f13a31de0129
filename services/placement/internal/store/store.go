// Package store is the placement service's SQL. Every function takes the
// database handle as an argument, so the same query runs on the pool or
// inside a transaction; functions that must be atomic open their own
// transaction on it.
package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/database"
)

// DB is a pool, a connection or a transaction.
type DB interface {
	database.DB
	Begin(ctx context.Context) (pgx.Tx, error)
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
}

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

// Scope is the part of the records a caller may see, as SQL filters on a
// booking's school and local authority.
type Scope = auth.Filter

// scopeFilter is the filter on the bookings aliased b; addScope gives its
// arguments.
const scopeFilter = `(@scope_all OR b.la_code = ANY(@scope_la_codes) OR b.school_urn = @scope_school_urn)`

func addScope(s Scope, args pgx.NamedArgs) pgx.NamedArgs {
	args["scope_all"] = s.All
	args["scope_la_codes"] = s.LACodes
	args["scope_school_urn"] = s.SchoolURN
	return args
}

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
