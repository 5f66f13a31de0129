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

-- name: PupilChanges :many
-- The pupils whose revision moved in a transaction that the position
-- after (a pg_snapshot; kit/changefeed) could not see, at most max_rows of
-- them. The order is what makes PostgreSQL read the index on changed_xact:
-- it has no statistics to tell how few rows an xid8 range holds, takes it
-- for a third of the table, and without an order scans the whole table
-- for the first max_rows of them (60 ms a call at a region's 280,000
-- pupils, most often to find none); in order, the index stops at once.
SELECT pupil_id FROM tracking.pupil_revisions
WHERE changed_xact >= pg_snapshot_xmin((@after::text)::pg_snapshot)
  AND NOT pg_visible_in_snapshot(changed_xact, (@after::text)::pg_snapshot)
ORDER BY changed_xact
LIMIT @max_rows;

-- name: CohortChanges :many
-- The cohorts whose tasks revision or last pass token moved in a
-- transaction the position after could not see, at most max_rows of them,
-- with both as they are now (0 for none, as CohortRevision answers).
SELECT k.cohort_key,
       COALESCE(r.revision, 0)::bigint AS tasks_revision,
       COALESCE(c.last_pass_token, 0)::bigint AS last_pass_token
FROM (SELECT cohort_key FROM tracking.cohort_revisions WHERE changed_xact >= pg_snapshot_xmin((@after::text)::pg_snapshot)
        AND NOT pg_visible_in_snapshot(changed_xact, (@after::text)::pg_snapshot)
      UNION
      SELECT cohort_key FROM tracking.cohorts WHERE changed_xact >= pg_snapshot_xmin((@after::text)::pg_snapshot)
        AND NOT pg_visible_in_snapshot(changed_xact, (@after::text)::pg_snapshot)) AS k
LEFT JOIN tracking.cohort_revisions r ON r.cohort_key = k.cohort_key
LEFT JOIN tracking.cohorts c ON c.cohort_key = k.cohort_key
LIMIT @max_rows;
