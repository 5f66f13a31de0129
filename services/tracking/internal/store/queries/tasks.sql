-- name: GetTask :one
SELECT * FROM tracking.tasks WHERE id = @id;

-- name: LockTask :one
-- LockTask reads a task to change it, locking it until the transaction
-- ends.
SELECT * FROM tracking.tasks WHERE id = @id FOR UPDATE;

-- name: SetTaskState :one
-- SetTaskState stores a task's lifecycle state after a move, bumping its
-- version.
UPDATE tracking.tasks
SET status = @status, assignee = @assignee, outcome = @outcome, dismiss_reason = @dismiss_reason,
    snooze_until = sqlc.narg(snooze_until), version = version + 1, updated_at = now()
WHERE id = @id
RETURNING *;

-- name: TaskEvents :many
-- TaskEvents is a task's history, oldest first.
SELECT kind, at, actor, status, action, text FROM tracking.task_events
WHERE task_id = @task_id
ORDER BY id;

-- name: InsertTaskEvent :exec
INSERT INTO tracking.task_events (task_id, actor, kind, status, text)
VALUES (@task_id, @actor, @kind, @status, @text);

-- name: AddTaskNote :one
-- AddTaskNote appends a note or a logged action to the task's history,
-- with the task's status at the time.
INSERT INTO tracking.task_events (task_id, actor, kind, status, action, text)
SELECT t.id, @actor, @kind, t.status, @action, @text FROM tracking.tasks t WHERE t.id = @task_id
RETURNING at, status;
