package store

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nextstep-uk/nextstep/services/kit/changefeed"
	"github.com/nextstep-uk/nextstep/services/placement/internal/store/dbsqlc"
)

// PupilChanges reads the change feed (kit/changefeed): the pupils whose
// revision moved in a transaction position after could not see (none
// for "", or when more moved than an answer lists, which truncated says),
// and the position to ask from next.
func PupilChanges(ctx context.Context, pool *pgxpool.Pool, after string) (ids []string, position string, truncated bool, err error) {
	return changefeed.Keys(ctx, pool, after, func(ctx context.Context, tx pgx.Tx, after string, maxRows int32) ([]string, error) {
		return queries.PupilChanges(ctx, tx, dbsqlc.PupilChangesParams{After: after, MaxRows: maxRows})
	})
}
