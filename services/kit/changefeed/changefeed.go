// Package changefeed answers the reconciler's change feeds (pupil's
// ListSchoolChanges, placement's ListPupilChanges, tracking's
// ListCohortChanges): what moved since a position the caller was given,
// so that it can pass over an unchanged cohort without asking.
//
// A position is a PostgreSQL transaction id (xid8). Each revision row
// keeps the id of the transaction that last moved it (changed_xact, set by
// a row trigger, see each service's migration), and an answer lists the
// rows with changed_xact at or after the position asked from, then gives
// as the next position the oldest transaction still running when it read
// them (pg_snapshot_xmin of its snapshot). Every transaction that commits
// later has an id at or after that, so its rows are listed by the next
// answer, however late it commits: the feed misses nothing, where a
// high-water mark of ids or of a sequence would skip a transaction that
// drew its number early and committed late. A row a long transaction
// holds the position behind is listed again until it ends, which costs a
// repeated name, never a missed one.
package changefeed

import (
	"context"
	"fmt"
	"strconv"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
)

// Limit is the most an answer lists. More moved than that, the answer says
// it is truncated and lists nothing: the caller takes everything as
// changed, which a change that large (an import, a day's registers) makes
// true of most of it anyway.
const Limit = 10_000

// Unrestricted refuses a caller whose scope is restricted: a feed names
// changes anywhere, so only a caller that may see everything follows it.
func Unrestricted(ctx context.Context) error {
	if !auth.Caller(ctx).Scope.All {
		return rpcerror.New(connect.CodePermissionDenied, refusalv1.Reason_REASON_OUT_OF_SCOPE,
			"the change feed is for a caller whose scope is unrestricted")
	}
	return nil
}

// List reads a feed: in one read-only snapshot, the next position and,
// when after is not 0, what list finds moved at or after it. list is
// given the position as text (for `(@after::text)::xid8`) and the most
// rows to return, Limit+1, and returns how many it found; more than Limit
// and the answer is truncated, and the caller should send none of them.
// After 0 lists nothing: it asks only where to start.
func List(ctx context.Context, pool *pgxpool.Pool, after uint64, list func(ctx context.Context, tx pgx.Tx, after string, maxRows int32) (int, error)) (position uint64, truncated bool, err error) {
	// Repeatable read: the position and the rows come from one snapshot.
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return 0, false, fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	var xmin string
	if err := tx.QueryRow(ctx, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text").Scan(&xmin); err != nil {
		return 0, false, fmt.Errorf("read position: %w", err)
	}
	if position, err = strconv.ParseUint(xmin, 10, 64); err != nil {
		return 0, false, fmt.Errorf("read position: %w", err)
	}
	if after == 0 {
		return position, false, nil
	}
	n, err := list(ctx, tx, strconv.FormatUint(after, 10), Limit+1)
	if err != nil {
		return 0, false, err
	}
	return position, n > Limit, nil
}

// Keys is List for a feed of keys alone (schools, pupils), which query
// returns: none when truncated.
func Keys(ctx context.Context, pool *pgxpool.Pool, after uint64, query func(ctx context.Context, tx pgx.Tx, after string, maxRows int32) ([]string, error)) (keys []string, position uint64, truncated bool, err error) {
	position, truncated, err = List(ctx, pool, after, func(ctx context.Context, tx pgx.Tx, after string, maxRows int32) (int, error) {
		var err error
		keys, err = query(ctx, tx, after, maxRows)
		return len(keys), err
	})
	if err != nil || truncated {
		return nil, position, truncated, err
	}
	return keys, position, false, nil
}
