-- The desired interventions of one sync, staged by COPY (StageInterventions)
-- so that creating and updating tasks is one statement each. A task_id
-- marks an update of that task; NULL, a task to create. A cohort-level
-- task's pupil_id is '' (NULL in tracking.tasks).
--
-- This file is both sqlc's declaration of the table, against which the
-- staging queries are checked, and the statement store.Sync runs (it embeds
-- the file) to create the table, dropped when the sync's transaction ends.
CREATE TEMPORARY TABLE pg_temp.sync_staging (
    task_id     uuid,
    pupil_id    text NOT NULL,
    reason_code text NOT NULL,
    priority    smallint NOT NULL,
    due_date    date NOT NULL,
    summary     text NOT NULL,
    evidence    jsonb NOT NULL,
    la_code     text NOT NULL
) ON COMMIT DROP;
