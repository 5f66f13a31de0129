-- The queries of store.Counter, which answers CountTasks from each
-- cohort's counts of its active tasks, kept in memory and brought up to
-- date from the cohorts' tasks revisions (migrations 00007 and 00008).
-- Each row is one cohort's active tasks in one school and local authority
-- (a task sits in the queue of the LA its pupil lives in, so one cohort's
-- tasks can be in several) with one reason and priority.

-- name: AllActiveTaskCounts :many
-- Every cohort's counts: the counter's first read, and each day's. A
-- statement of its own, not the one below with an optional filter, so each
-- keeps a plan of its own (a scan of the table; the cohorts' index), as
-- store's where explains.
SELECT cohort_key, la_code, school_urn, reason_code, priority,
    count(*)::int AS open,
    (count(*) FILTER (WHERE due_date < @today::date))::int AS overdue,
    (count(*) FILTER (WHERE assignee = ''))::int AS unassigned,
    (count(*) FILTER (WHERE pupil_id IS NULL))::int AS cohort_level
FROM tracking.tasks
WHERE status IN ('open', 'assigned', 'in_progress')
GROUP BY cohort_key, la_code, school_urn, reason_code, priority;

-- name: CountChangedCohorts :many
-- A round of the counter after its first, in one statement, so in one
-- snapshot and one round trip (a transaction of the reads above took five,
-- each a wait for the cores under load; make bench-queue): the snapshot it read in
-- (position), each cohort whose tasks revision moved in a transaction the
-- position after could not see (at most max_rows; kit/changefeed), and that
-- cohort's counts, a row per group, read from the cohorts' index one cohort
-- at a time (LATERAL). A changed cohort with no active task left is one
-- row with no group (reason_code ''); no change at all is one row with
-- neither (cohort_key '').
SELECT pg_current_snapshot()::text AS position, coalesce(ch.cohort_key, '')::text AS cohort_key,
    coalesce(c.la_code, '')::text AS la_code, coalesce(c.school_urn, '')::text AS school_urn,
    coalesce(c.reason_code, '')::text AS reason_code, coalesce(c.priority, 0)::smallint AS priority,
    coalesce(c.open, 0)::int AS open, coalesce(c.overdue, 0)::int AS overdue,
    coalesce(c.unassigned, 0)::int AS unassigned, coalesce(c.cohort_level, 0)::int AS cohort_level
FROM (SELECT 1) AS one
LEFT JOIN (
    SELECT r.cohort_key FROM tracking.cohort_revisions r
    WHERE r.changed_xact >= pg_snapshot_xmin((@after::text)::pg_snapshot)
      AND NOT pg_visible_in_snapshot(r.changed_xact, (@after::text)::pg_snapshot)
    LIMIT @max_rows
) AS ch ON true
LEFT JOIN LATERAL (
    SELECT t.la_code, t.school_urn, t.reason_code, t.priority,
        count(*)::int AS open,
        (count(*) FILTER (WHERE t.due_date < @today::date))::int AS overdue,
        (count(*) FILTER (WHERE t.assignee = ''))::int AS unassigned,
        (count(*) FILTER (WHERE t.pupil_id IS NULL))::int AS cohort_level
    FROM tracking.tasks t
    WHERE t.cohort_key = ch.cohort_key
      AND t.status IN ('open', 'assigned', 'in_progress')
    GROUP BY t.la_code, t.school_urn, t.reason_code, t.priority
) AS c ON true;
