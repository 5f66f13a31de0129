-- name: LockActiveTasks :many
-- LockActiveTasks reads the cohort's active tasks and locks them, so a
-- caseworker's update made meanwhile waits rather than being closed under
-- them. The statements of a sync (store.Sync) run in one transaction under
-- the cohort's lock; each writes out the partial indexes' predicate,
-- status IN ('open', 'assigned', 'in_progress'), so the planner can use
-- them.
-- A cohort-level task's pupil is '' (store.CohortLevel). In id order, as
-- BulkUpdate locks tasks, so a sync and a bulk update cannot deadlock.
SELECT id, COALESCE(pupil_id::text, '')::text AS pupil_id, reason_code, priority, due_date, summary, evidence, la_code
FROM tracking.tasks
WHERE cohort_key = @cohort_key AND status IN ('open', 'assigned', 'in_progress')
ORDER BY id
FOR UPDATE;

-- name: SnoozedKeys :many
-- SnoozedKeys are the (pupil, reason) keys of the cohort dismissed with a
-- snooze still running on today, which the sync does not raise again.
SELECT DISTINCT COALESCE(pupil_id::text, '')::text AS pupil_id, reason_code FROM tracking.tasks
WHERE cohort_key = @cohort_key AND status = 'dismissed' AND snooze_until > @today::date;

-- name: StageInterventions :copyfrom
INSERT INTO pg_temp.sync_staging (task_id, pupil_id, reason_code, priority, due_date, summary, evidence, la_code)
VALUES (@task_id, @pupil_id, @reason_code, @priority, @due_date, @summary, @evidence, @la_code);

-- name: CreateStagedTasks :exec
-- CreateStagedTasks creates the staged tasks without a task_id, each with
-- its "created" event. ON CONFLICT DO NOTHING is a backstop: the plan was
-- made under the cohort's lock, so no active task can have appeared since.
-- Each task is in the queue of the LA its young person lives in (the
-- staged la_code), which need not be the school's.
WITH created AS (
    INSERT INTO tracking.tasks (cohort_key, school_urn, la_code, pupil_id, reason_code, priority, due_date, summary, evidence)
    SELECT @cohort_key, @school_urn, la_code, NULLIF(pupil_id, '')::uuid, reason_code, priority, due_date, summary, evidence
    FROM pg_temp.sync_staging WHERE task_id IS NULL
    ON CONFLICT (cohort_key, pupil_id, reason_code) WHERE status IN ('open', 'assigned', 'in_progress') DO NOTHING
    RETURNING id
)
INSERT INTO tracking.task_events (task_id, actor, kind, status, text)
SELECT id, @actor, 'created', 'open', '' FROM created;

-- name: UpdateStagedTasks :exec
-- UpdateStagedTasks moves the staged tasks with a task_id to their new
-- priority, due date, summary, evidence and LA (the young person moved),
-- each with an event.
WITH updated AS (
    UPDATE tracking.tasks t
    SET priority = s.priority, due_date = s.due_date, summary = s.summary, evidence = s.evidence, la_code = s.la_code,
        version = t.version + 1, updated_at = now()
    FROM pg_temp.sync_staging s
    WHERE s.task_id IS NOT NULL AND t.id = s.task_id
    RETURNING t.id, t.status
)
INSERT INTO tracking.task_events (task_id, actor, kind, status, text)
SELECT id, @actor, 'updated_by_sync', status, 'priority, due date, evidence or local authority changed' FROM updated;

-- name: CloseTasks :many
-- CloseTasks closes the tasks still active among task_ids, each with an
-- event saying why ("condition cleared", or grouped into the cohort's
-- task), and returns their pupils ('' for a cohort-level task).
WITH closed AS (
    UPDATE tracking.tasks SET status = 'closed', version = version + 1, updated_at = now()
    WHERE id = ANY((@task_ids::text[])::uuid[]) AND status IN ('open', 'assigned', 'in_progress')
    RETURNING id, pupil_id
), logged AS (
    INSERT INTO tracking.task_events (task_id, actor, kind, status, text)
    SELECT id, @actor, 'closed', 'closed', @why::text FROM closed
)
SELECT COALESCE(pupil_id::text, '')::text AS pupil_id FROM closed;

-- name: CohortOpenCounts :many
-- CohortOpenCounts counts the cohort's active tasks, and those due before
-- today, by reason and priority.
SELECT reason_code, priority, count(*) AS open, count(*) FILTER (WHERE due_date < @today) AS overdue
FROM tracking.tasks
WHERE cohort_key = @cohort_key AND status IN ('open', 'assigned', 'in_progress')
GROUP BY reason_code, priority
ORDER BY reason_code, priority DESC;
