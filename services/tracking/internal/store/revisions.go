package store

import (
	"context"

	"github.com/nextstep-uk/nextstep/services/tracking/internal/store/dbsqlc"
)

// Revision is a cohort's revision as GetCohortRevision answers it.
type Revision struct {
	// Pupils is the sum of the revisions of the cohort's pupils: a counter
	// per pupil that every write to their destinations bumps
	// (migrations/00007), 0 for a pupil never written. An id given twice
	// counts once.
	Pupils int64
	// Tasks is the cohort's tasks revision (CohortTasksRevision).
	Tasks int64
	// LastPassToken is the pass token of the cohort's last applied sync,
	// 0 for a cohort never synced.
	LastPassToken int64
}

// CohortRevision reads the cohort's revision in one statement.
func CohortRevision(ctx context.Context, db DB, cohortKey string, pupilIDs []string) (Revision, error) {
	if pupilIDs == nil {
		pupilIDs = []string{}
	}
	r, err := queries.CohortRevision(ctx, db, dbsqlc.CohortRevisionParams{PupilIDs: pupilIDs, CohortKey: cohortKey})
	if err != nil {
		return Revision{}, err
	}
	return Revision{Pupils: r.PupilsRevision, Tasks: r.TasksRevision, LastPassToken: r.LastPassToken}, nil
}

// CohortTasksRevision is the cohort's tasks revision: a counter that every
// write to its tasks bumps (migrations/00007), 0 for a cohort never synced.
func CohortTasksRevision(ctx context.Context, db DB, cohortKey string) (int64, error) {
	return queries.CohortTasksRevision(ctx, db, cohortKey)
}
