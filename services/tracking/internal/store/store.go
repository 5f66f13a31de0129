// Package store is the tracking service's SQL. Every function takes the
// database handle as an argument, so the same query runs on the pool or
// inside a transaction; the few that must be one transaction take the pool
// and open it themselves.
package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/database"
)

// DB is a pool, a connection or a transaction.
type DB = database.DB

// TxDB is a DB that can begin a transaction: the pool.
type TxDB interface {
	DB
	Begin(ctx context.Context) (pgx.Tx, error)
}

// ErrNotFound is returned when no row matches, or none the caller may see.
var ErrNotFound = errors.New("not found")

// Scope is what the caller may see, from their principal: every record, the
// schools of some local authorities, or one school.
type Scope = auth.Filter

// where accumulates the conditions and arguments of a query built from
// optional filters. A condition marks its arguments with ?, numbered as $n
// when added (no condition here uses PostgreSQL's ? operators).
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
func (w *where) scope(s Scope, alias string) {
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
