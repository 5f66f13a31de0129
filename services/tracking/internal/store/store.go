// Package store is the tracking service's SQL. Its queries are SQL files in
// queries/, from which sqlc generates the Go that runs them (dbsqlc, never
// edited: `make generate`); this package maps their rows to the service's
// types and holds the few statements that must be built at run time (the
// queue's and the export's optional filters, and the audit log's). Every
// function takes the database handle as an argument, so the same query runs
// on the pool or inside a transaction; the few that must be one transaction
// take the pool and open it themselves.
package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store/dbsqlc"
)

// DB is a pool, a connection or a transaction: what the generated queries
// take (the sync's COPY needs CopyFrom too).
type DB = dbsqlc.DBTX

// TxDB is a DB that can begin a transaction: the pool.
type TxDB interface {
	DB
	Begin(ctx context.Context) (pgx.Tx, error)
}

// queries runs the generated queries; it holds nothing, as each method
// takes the database handle.
var queries = dbsqlc.New()

// ErrNotFound is returned when no row matches, or none the caller may see.
var ErrNotFound = errors.New("not found")

// where accumulates the conditions and arguments of a query built from
// optional filters. It is for the reads whose filters are all optional (the
// queue, the export, the audit log): building each combination's SQL puts
// only the predicates that apply in the statement, in the form that matches
// an index (a partial index's own predicate, an equality on one local
// authority), and so each statement's cached plan fits every call that
// shares it. One static query whose filters switch off as `$n IS NULL OR
// ...` cannot do that: PostgreSQL may settle on a generic plan that walks
// the wrong index, or none. A condition marks its arguments with ?,
// numbered as $n when added (no condition here uses PostgreSQL's ?
// operators).
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	var b strings.Builder
	for _, arg := range args {
		// A missing ? leaves PostgreSQL to refuse the argument count.
		before, after, _ := strings.Cut(cond, "?")
		w.args = append(w.args, arg)
		fmt.Fprintf(&b, "%s$%d", before, len(w.args))
		cond = after
	}
	b.WriteString(cond)
	w.conds = append(w.conds, b.String())
}

// scope adds the scope's condition on the table's school_urn and la_code
// columns. One local authority is an equality, so the planner can walk an
// index in queue order.
func (w *where) scope(s auth.Scope, alias string) {
	switch {
	case s.All:
	case s.SchoolURN != "":
		w.add(alias+"school_urn = ?", s.SchoolURN)
	case len(s.LACodes) == 1:
		w.add(alias+"la_code = ?", s.LACodes[0])
	default:
		// An empty list matches nothing, as it must.
		w.add(alias+"la_code = ANY(?)", s.LACodes)
	}
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return "true"
	}
	return strings.Join(w.conds, " AND ")
}
