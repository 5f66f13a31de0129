-- +goose Up

-- Destinations: a pupil's post-16 intentions, offers and confirmed
-- activities. Rows are only ever added, so the table is the full history.
CREATE TABLE tracking.destinations (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- A retried RecordDestination returns the row its key first made.
    idempotency_key uuid NOT NULL UNIQUE,
    pupil_id        uuid NOT NULL,
    school_urn      text NOT NULL CHECK (school_urn ~ '^[0-9]{6}$'),
    la_code         text NOT NULL CHECK (la_code ~ '^[0-9]{3}$'),
    kind            text NOT NULL CHECK (kind IN ('intended', 'offer', 'confirmed')),
    activity_code   text NOT NULL CHECK (activity_code ~ '^[0-9]{3}$'),
    effective_date  date NOT NULL,
    source          text NOT NULL CHECK (length(source) BETWEEN 1 AND 100),
    recorded_by     text NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    -- Confirmed outranks offer outranks intended when choosing the latest.
    firmness        smallint NOT NULL GENERATED ALWAYS AS (
        CASE kind WHEN 'confirmed' THEN 3 WHEN 'offer' THEN 2 ELSE 1 END) STORED
);

-- The latest destination per pupil is the first row in this order.
CREATE INDEX destinations_latest_idx ON tracking.destinations
    (pupil_id, firmness DESC, effective_date DESC, recorded_at DESC, id DESC);
-- Exports walk a local authority's or a school's pupils.
CREATE INDEX destinations_la_idx ON tracking.destinations (la_code, pupil_id);
CREATE INDEX destinations_school_idx ON tracking.destinations (school_urn, pupil_id);

-- One row per Cohort resource the reconciler syncs: the fencing token of
-- its last applied pass. SyncInterventions locks the row, so syncs of one
-- cohort serialise.
CREATE TABLE tracking.cohorts (
    cohort_key      text PRIMARY KEY,
    school_urn      text NOT NULL CHECK (school_urn ~ '^[0-9]{6}$'),
    la_code         text NOT NULL CHECK (la_code ~ '^[0-9]{3}$'),
    last_pass_token bigint NOT NULL DEFAULT 0,
    last_synced_at  timestamptz
);

CREATE TABLE tracking.tasks (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    cohort_key     text NOT NULL REFERENCES tracking.cohorts (cohort_key),
    school_urn     text NOT NULL CHECK (school_urn ~ '^[0-9]{6}$'),
    la_code        text NOT NULL CHECK (la_code ~ '^[0-9]{3}$'),
    pupil_id       uuid NOT NULL,
    reason_code    text NOT NULL CHECK (reason_code ~ '^[A-Z][A-Z0-9_]{2,63}$'),
    priority       smallint NOT NULL CHECK (priority BETWEEN 1 AND 4),
    -- The queue's order is most urgent first: queue_rank ascending (1 is
    -- urgent), then due date, then id as a tie-break for stable pages.
    queue_rank     smallint NOT NULL GENERATED ALWAYS AS (5 - priority) STORED,
    due_date       date NOT NULL,
    summary        text NOT NULL CHECK (length(summary) BETWEEN 1 AND 500),
    evidence       jsonb NOT NULL DEFAULT '{}',
    status         text NOT NULL DEFAULT 'open'
                   CHECK (status IN ('open', 'assigned', 'in_progress', 'resolved', 'dismissed', 'closed')),
    assignee       text NOT NULL DEFAULT '',
    outcome        text NOT NULL DEFAULT '',
    dismiss_reason text NOT NULL DEFAULT '',
    snooze_until   date,
    version        bigint NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'dismissed') = (snooze_until IS NOT NULL))
);

-- At most one active task per (cohort, pupil, reason); the sync relies on it.
CREATE UNIQUE INDEX tasks_one_active_idx ON tracking.tasks (cohort_key, pupil_id, reason_code)
    WHERE status IN ('open', 'assigned', 'in_progress');
-- The queue by scope, each in queue order, active tasks only (the queue's
-- real reads; final tasks are read by cohort or pupil). The included
-- columns let a dashboard's counts for an LA or a school be index-only.
CREATE INDEX tasks_queue_la_idx ON tracking.tasks (la_code, queue_rank, due_date, id)
    INCLUDE (reason_code, priority, assignee)
    WHERE status IN ('open', 'assigned', 'in_progress');
CREATE INDEX tasks_queue_school_idx ON tracking.tasks (school_urn, queue_rank, due_date, id)
    INCLUDE (reason_code, priority, assignee)
    WHERE status IN ('open', 'assigned', 'in_progress');
CREATE INDEX tasks_queue_assignee_idx ON tracking.tasks (assignee, queue_rank, due_date, id)
    WHERE status IN ('open', 'assigned', 'in_progress');
CREATE INDEX tasks_queue_all_idx ON tracking.tasks (queue_rank, due_date, id)
    WHERE status IN ('open', 'assigned', 'in_progress');
-- The sync's snooze check and reads of a cohort's or a pupil's history.
CREATE INDEX tasks_cohort_idx ON tracking.tasks (cohort_key, pupil_id, reason_code, status);
CREATE INDEX tasks_pupil_idx ON tracking.tasks (pupil_id);

-- A task's history: every change, note and action, append-only.
CREATE TABLE tracking.task_events (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id uuid NOT NULL REFERENCES tracking.tasks (id),
    at      timestamptz NOT NULL DEFAULT now(),
    actor   text NOT NULL,
    kind    text NOT NULL CHECK (kind IN ('created', 'updated_by_sync', 'assigned', 'started',
                                          'resolved', 'dismissed', 'closed', 'note', 'action')),
    status  text NOT NULL,
    action  text NOT NULL DEFAULT '',
    text    text NOT NULL DEFAULT ''
);
CREATE INDEX task_events_task_idx ON tracking.task_events (task_id, id);

-- +goose Down
DROP TABLE tracking.task_events;
DROP TABLE tracking.tasks;
DROP TABLE tracking.cohorts;
DROP TABLE tracking.destinations;
