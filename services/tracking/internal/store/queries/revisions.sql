-- name: PupilsRevision :one
-- PupilsRevision sums the revisions of pupil_ids (migrations/00007): a
-- pupil without a row counts 0, and an id given twice counts once.
SELECT COALESCE(sum(revision), 0)::bigint AS revision
FROM tracking.pupil_revisions
WHERE pupil_id = ANY(@pupil_ids::uuid[]);

-- name: CohortTasksRevision :one
-- CohortTasksRevision is the cohort's tasks revision (migrations/00007),
-- 0 for a cohort whose tasks were never written.
SELECT COALESCE((SELECT revision FROM tracking.cohort_revisions WHERE cohort_key = @cohort_key), 0)::bigint AS revision;

-- name: CohortLastPassToken :one
-- CohortLastPassToken is the pass token of the cohort's last applied sync,
-- 0 for a cohort never synced.
SELECT COALESCE((SELECT last_pass_token FROM tracking.cohorts WHERE cohort_key = @cohort_key), 0)::bigint AS last_pass_token;
