// Package changefeed answers the reconciler's change feeds (pupil's
// ListSchoolChanges, placement's ListPupilChanges, tracking's
// ListCohortChanges): what moved since a position the caller was given,
// so that it can pass over an unchanged cohort without asking.
//
// A position is a PostgreSQL snapshot (pg_snapshot, as text:
// "xmin:xmax:in-progress ids"): the snapshot the answer that gave it was
// read in. Each revision row keeps the id of the transaction that last
// moved it (changed_xact, set by a row trigger, see each service's
// migration), and an answer lists, read in a snapshot of its own, the
// rows whose changed_xact the position's snapshot could not see
// (pg_visible_in_snapshot): moved by a transaction that had not committed
// when the last answer was read. Each committed change is so listed by
// exactly one answer, the first whose snapshot sees it, however late it
// commits: the feed misses nothing, where a high-water mark of ids or of a
// sequence would skip a transaction that drew its number early and
// committed late, and a long transaction elsewhere on the server makes no
// answer list again what an earlier one listed. Only rows moved at or
// after the snapshot's xmin can be invisible to it, so an answer reads the
// changed_xact index from there, in changed_xact order: PostgreSQL has no
// statistics for an xid8 range, and without the order it scans the whole
// table for the first rows a LIMIT asks for.
package changefeed

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

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

// Admit refuses a request to follow a feed: a caller whose scope is
// restricted (a feed names changes anywhere, so only a caller that may see
// everything follows it), or a position no answer gave (InvalidArgument,
// field "after").
func Admit(ctx context.Context, after string) error {
	if !auth.Caller(ctx).Scope.All {
		return rpcerror.New(connect.CodePermissionDenied, refusalv1.Reason_REASON_OUT_OF_SCOPE,
			"the change feed is for a caller whose scope is unrestricted")
	}
	if err := checkPosition(after); err != nil {
		return rpcerror.InvalidArgument(rpcerror.Violation{Field: "after", RuleID: "after.position", Message: err.Error()})
	}
	return nil
}

// checkPosition accepts "" and what PostgreSQL accepts as a pg_snapshot
// (xid8funcs.c, parse_snapshot): "xmin:xmax:" then in-progress ids,
// comma-separated, with 0 < xmin <= xmax and each id in [xmin, xmax), in
// ascending order. An answer's positions are all of that form; a position
// checked here cannot make the statement fail.
func checkPosition(s string) error {
	if s == "" {
		return nil
	}
	invalid := errors.New("is not a position an answer gave")
	parts := strings.SplitN(s, ":", 3)
	if len(parts) != 3 {
		return invalid
	}
	id := func(s string) (uint64, bool) {
		if s == "" || s[0] == '+' {
			return 0, false
		}
		v, err := strconv.ParseUint(s, 10, 64)
		return v, err == nil
	}
	xmin, ok1 := id(parts[0])
	xmax, ok2 := id(parts[1])
	if !ok1 || !ok2 || xmin == 0 || xmax < xmin {
		return invalid
	}
	if parts[2] == "" {
		return nil
	}
	last := xmin
	for x := range strings.SplitSeq(parts[2], ",") {
		v, ok := id(x)
		if !ok || v < last || v >= xmax {
			return invalid
		}
		last = v
	}
	return nil
}

// List reads a feed: in one read-only snapshot, the next position (that
// snapshot) and, when after is not empty, what list finds moved that
// after's snapshot could not see. list is given after (for
// `(@after::text)::pg_snapshot`, checked by Admit) and the most rows to
// return, Limit+1, and returns how many it found; more than Limit and the
// answer is truncated, and the caller should send none of them. An empty
// after lists nothing: it asks only where to start.
func List(ctx context.Context, pool *pgxpool.Pool, after string, list func(ctx context.Context, tx pgx.Tx, after string, maxRows int32) (int, error)) (position string, truncated bool, err error) {
	// Repeatable read: the position and the rows come from one snapshot.
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return "", false, fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if err := tx.QueryRow(ctx, "SELECT pg_current_snapshot()::text").Scan(&position); err != nil {
		return "", false, fmt.Errorf("read position: %w", err)
	}
	if after == "" {
		return position, false, nil
	}
	n, err := list(ctx, tx, after, Limit+1)
	if err != nil {
		return "", false, err
	}
	return position, n > Limit, nil
}

// Keys is List for a feed of keys alone (schools, pupils), which query
// returns: none when truncated.
func Keys(ctx context.Context, pool *pgxpool.Pool, after string, query func(ctx context.Context, tx pgx.Tx, after string, maxRows int32) ([]string, error)) (keys []string, position string, truncated bool, err error) {
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
