package store

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nextstep-uk/nextstep/services/kit/changefeed"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store/dbsqlc"
)

// Changes are what moved of what GetCohortRevision reads.
type Changes struct {
	// PupilIDs are the pupils whose revision moved.
	PupilIDs []string
	// Cohorts are the cohorts whose tasks revision or last pass token
	// moved, with both as they are now.
	Cohorts []CohortChange
}

// CohortChange is a cohort's tasks revision and last pass token now.
type CohortChange struct {
	CohortKey     string
	TasksRevision int64
	LastPassToken int64
}

// CohortChanges reads the change feed (kit/changefeed): what moved in a
// transaction position after could not see (nothing for "", or when more
// moved than an answer lists, which truncated says), and the position to
// ask from next.
func CohortChanges(ctx context.Context, pool *pgxpool.Pool, after string) (c Changes, position string, truncated bool, err error) {
	position, truncated, err = changefeed.List(ctx, pool, after, func(ctx context.Context, tx pgx.Tx, after string, maxRows int32) (int, error) {
		ids, err := queries.PupilChanges(ctx, tx, dbsqlc.PupilChangesParams{After: after, MaxRows: maxRows})
		if err != nil || len(ids) >= int(maxRows) {
			return len(ids), err
		}
		rows, err := queries.CohortChanges(ctx, tx, dbsqlc.CohortChangesParams{After: after, MaxRows: maxRows - int32(len(ids))})
		if err != nil {
			return 0, err
		}
		c.PupilIDs = ids
		for _, r := range rows {
			c.Cohorts = append(c.Cohorts, CohortChange{CohortKey: r.CohortKey, TasksRevision: r.TasksRevision, LastPassToken: r.LastPassToken})
		}
		return len(ids) + len(rows), nil
	})
	if err != nil || truncated {
		return Changes{}, position, truncated, err
	}
	return c, position, false, nil
}
