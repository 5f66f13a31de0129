-- name: CohortTasksRevision :one
-- CohortTasksRevision is the cohort's tasks revision (migrations/00007),
-- 0 for a cohort whose tasks were never written.
SELECT COALESCE((SELECT revision FROM tracking.cohort_revisions WHERE cohort_key = @cohort_key), 0)::bigint AS revision;

-- name: CohortRevision :one
-- CohortRevision is what GetCohortRevision answers, in one statement (one
-- round trip, one snapshot): the sum of the revisions of pupil_ids
-- (migrations/00007; a pupil without a row counts 0, an id given twice
-- counts once), the cohort's tasks revision and the pass token of its last
-- applied sync (0 for a cohort never synced). Ids arrive as text[] (kit/database).
SELECT
    (SELECT COALESCE(sum(revision), 0) FROM tracking.pupil_revisions
     WHERE pupil_id = ANY((@pupil_ids::text[])::uuid[]))::bigint AS pupils_revision,
    COALESCE((SELECT revision FROM tracking.cohort_revisions WHERE cohort_key = @cohort_key::text), 0)::bigint AS tasks_revision,
    COALESCE((SELECT last_pass_token FROM tracking.cohorts WHERE cohort_key = @cohort_key::text), 0)::bigint AS last_pass_token;
