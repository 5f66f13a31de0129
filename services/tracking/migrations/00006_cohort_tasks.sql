-- +goose Up
-- Interventions at the right level: when most of a cohort has the same
-- reason, the reconciler raises one task for the cohort (its school's
-- careers leader and the hub work it as a group placement, say) in place
-- of a task per pupil. A cohort-level task names no pupil: its pupil_id is
-- NULL. At most one active task per (cohort, pupil or none, reason) still
-- holds: NULLS NOT DISTINCT makes the cohort's own task one key too.
ALTER TABLE tracking.tasks ALTER COLUMN pupil_id DROP NOT NULL;
DROP INDEX tracking.tasks_one_active_idx;
CREATE UNIQUE INDEX tasks_one_active_idx ON tracking.tasks (cohort_key, pupil_id, reason_code) NULLS NOT DISTINCT
    WHERE status IN ('open', 'assigned', 'in_progress');

-- +goose Down
DELETE FROM tracking.task_events WHERE task_id IN (SELECT id FROM tracking.tasks WHERE pupil_id IS NULL);
DELETE FROM tracking.tasks WHERE pupil_id IS NULL;
DROP INDEX tracking.tasks_one_active_idx;
CREATE UNIQUE INDEX tasks_one_active_idx ON tracking.tasks (cohort_key, pupil_id, reason_code)
    WHERE status IN ('open', 'assigned', 'in_progress');
ALTER TABLE tracking.tasks ALTER COLUMN pupil_id SET NOT NULL;
