-- The queries of store.Counter, which answers CountTasks from each
-- cohort's counts of its active tasks, kept in memory and brought up to
-- date from the cohorts' tasks revisions (migrations 00007 and 00008).
-- Each row is one cohort's active tasks in one school and local authority
-- (a task sits in the queue of the LA its pupil lives in, so one cohort's
-- tasks can be in several) with one reason and priority.

-- name: AllActiveTaskCounts :many
-- Every cohort's counts: the counter's first read, and each day's.
SELECT cohort_key, la_code, school_urn, reason_code, priority,
    count(*)::int AS open,
    (count(*) FILTER (WHERE due_date < @today::date))::int AS overdue,
    (count(*) FILTER (WHERE assignee = ''))::int AS unassigned,
    (count(*) FILTER (WHERE pupil_id IS NULL))::int AS cohort_level
FROM tracking.tasks
WHERE status IN ('open', 'assigned', 'in_progress')
GROUP BY cohort_key, la_code, school_urn, reason_code, priority;

-- name: CohortActiveTaskCounts :many
-- The counts of the cohorts whose tasks changed. The same counts as above,
-- not one statement with an optional filter, so each keeps a plan of its
-- own (a scan of the table; the cohorts' index), as store's where explains.
SELECT cohort_key, la_code, school_urn, reason_code, priority,
    count(*)::int AS open,
    (count(*) FILTER (WHERE due_date < @today::date))::int AS overdue,
    (count(*) FILTER (WHERE assignee = ''))::int AS unassigned,
    (count(*) FILTER (WHERE pupil_id IS NULL))::int AS cohort_level
FROM tracking.tasks
WHERE cohort_key = ANY(@cohort_keys::text[])
  AND status IN ('open', 'assigned', 'in_progress')
GROUP BY cohort_key, la_code, school_urn, reason_code, priority;

-- name: CohortTaskChanges :many
-- The cohorts whose tasks revision moved in a transaction the position
-- after (a pg_snapshot; kit/changefeed) could not see, at most max_rows.
SELECT cohort_key FROM tracking.cohort_revisions
WHERE changed_xact >= pg_snapshot_xmin((@after::text)::pg_snapshot)
  AND NOT pg_visible_in_snapshot(changed_xact, (@after::text)::pg_snapshot)
LIMIT @max_rows;
