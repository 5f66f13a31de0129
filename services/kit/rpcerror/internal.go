package rpcerror

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5/pgconn"
)

// Internal logs an unexpected failure of op and returns an Internal error
// that says nothing of the request. PostgreSQL's own messages can quote the
// values that failed ("invalid input syntax for type date: ..."), so for a
// *pgconn.PgError only its SQLSTATE, constraint, table and column are
// logged, never its message or detail.
func Internal(ctx context.Context, logger *slog.Logger, op string, err error) error {
	logger.ErrorContext(ctx, op, "error", Loggable(err))
	return connect.NewError(connect.CodeInternal, fmt.Errorf("%s failed", op))
}

// Loggable is err in a form safe for a log line: a PostgreSQL error is
// reduced to its code and the names of what it concerns.
func Loggable(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return fmt.Sprintf("postgres error %s (constraint %q, table %q, column %q)", pg.Code, pg.ConstraintName, pg.TableName, pg.ColumnName)
	}
	return err.Error()
}
