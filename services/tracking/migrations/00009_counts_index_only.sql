-- +goose Up
-- CountTasks for a local authority, a hub or a school reads only its queue
-- index: the index carries every column the count reads. Migration 00006
-- made cohort-level tasks (pupil_id IS NULL), which CountTasks counts apart,
-- and since then it read each active task's row from the table as well: at
-- a million tasks an LA's 30,000 active tasks sit on some 14,000 pages, more
-- than shared_buffers keeps beside the rest, so the count took 90-290 ms
-- where the index alone takes about 10, and under the queue's load
-- (make bench-queue) it was most of PostgreSQL's time. The indexes gain
-- pupil_id so the count is index-only again.
DROP INDEX tracking.tasks_queue_la_idx;
CREATE INDEX tasks_queue_la_idx ON tracking.tasks (la_code, queue_rank, due_date, id)
    INCLUDE (reason_code, priority, assignee, pupil_id)
    WHERE status IN ('open', 'assigned', 'in_progress');
DROP INDEX tracking.tasks_queue_school_idx;
CREATE INDEX tasks_queue_school_idx ON tracking.tasks (school_urn, queue_rank, due_date, id)
    INCLUDE (reason_code, priority, assignee, pupil_id)
    WHERE status IN ('open', 'assigned', 'in_progress');

-- +goose Down
DROP INDEX tracking.tasks_queue_la_idx;
CREATE INDEX tasks_queue_la_idx ON tracking.tasks (la_code, queue_rank, due_date, id)
    INCLUDE (reason_code, priority, assignee)
    WHERE status IN ('open', 'assigned', 'in_progress');
DROP INDEX tracking.tasks_queue_school_idx;
CREATE INDEX tasks_queue_school_idx ON tracking.tasks (school_urn, queue_rank, due_date, id)
    INCLUDE (reason_code, priority, assignee)
    WHERE status IN ('open', 'assigned', 'in_progress');
