package store

import "context"

// PupilsRevision is the sum of the revisions of pupilIDs: a counter per
// pupil that every write to their destinations bumps (migrations/00007),
// 0 for a pupil never written. An id given twice counts once.
func PupilsRevision(ctx context.Context, db DB, pupilIDs []string) (int64, error) {
	if len(pupilIDs) == 0 {
		return 0, nil
	}
	return queries.PupilsRevision(ctx, db, pupilIDs)
}

// CohortTasksRevision is the cohort's tasks revision: a counter that every
// write to its tasks bumps (migrations/00007), 0 for a cohort never synced.
func CohortTasksRevision(ctx context.Context, db DB, cohortKey string) (int64, error) {
	return queries.CohortTasksRevision(ctx, db, cohortKey)
}

// CohortLastPassToken is the pass token of the cohort's last applied sync,
// 0 for a cohort never synced.
func CohortLastPassToken(ctx context.Context, db DB, cohortKey string) (int64, error) {
	return queries.CohortLastPassToken(ctx, db, cohortKey)
}
