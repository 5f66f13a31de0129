-- +goose Up
-- Revisions: counters the reconciler reads (GetCohortRevision) to pass over
-- a cohort none of whose inputs moved since its last full pass. Each is
-- bumped by a trigger in the transaction of the write itself, so no code
-- path can change the data and forget the counter, and the bump commits or
-- rolls back with it.
--
-- They are counters per key, +1 per statement that touched the key, never
-- a sequence or a high-water mark: a writer that drew a sequence number
-- before another but committed after it could leave a reader that compares
-- a maximum having seen the later number and never the earlier change. A
-- key's counter only moves under its row lock and a sum of counters only
-- grows, so a change the reader did not see when it read the revision (one
-- committed late, even) moves the revision on its next read. A reader reads
-- the revision before the data it passes over, so a change committed in
-- between costs one pass more, never one less.
--
-- A key without a row has revision 0: rows written before this migration
-- count nothing, which is harmless as every reader's first full pass comes
-- after it. Statement triggers see the statement's rows through transition
-- tables, so a statement that touched no row bumps nothing, and each
-- upsert takes its keys' row locks in key order, so two statements bumping
-- the same keys cannot deadlock over them. The locks hold until the
-- commit: a transaction that writes several cohorts' tasks in several
-- statements must write them in cohort order, after locking every task it
-- writes (store.BulkUpdate; a sync writes one cohort's). TRUNCATE fires
-- none: nothing truncates these tables.

-- A pupil's revision moves with every write to their destinations, all
-- that GetLatestDestinations reads of them (the latest, and the confirmed
-- activities before a NEET one).
CREATE TABLE tracking.pupil_revisions (
    pupil_id uuid PRIMARY KEY,
    revision bigint NOT NULL
);

-- A cohort's tasks revision moves with every write to its tasks, by the
-- sync or by caseworkers. Their history (task_events) does not count: it
-- changes nothing a sync reads or answers unless the task row changes too.
CREATE TABLE tracking.cohort_revisions (
    cohort_key text PRIMARY KEY,
    revision   bigint NOT NULL
);

-- Transition tables are allowed only on a trigger of one event, so each
-- table has three triggers sharing a function, which reads the transition
-- tables its event has (a plpgsql statement is planned when first run, so
-- a branch naming a table its trigger lacks is never planned). An update
-- counts the old and the new key: a row that moved is a change to both.

-- +goose StatementBegin
CREATE FUNCTION tracking.bump_pupil_revisions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO tracking.pupil_revisions AS t (pupil_id, revision)
        SELECT DISTINCT pupil_id, 1 FROM new_rows ORDER BY pupil_id
        ON CONFLICT (pupil_id) DO UPDATE SET revision = t.revision + 1;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO tracking.pupil_revisions AS t (pupil_id, revision)
        SELECT DISTINCT pupil_id, 1
        FROM (SELECT pupil_id FROM old_rows UNION ALL SELECT pupil_id FROM new_rows) AS changed
        ORDER BY pupil_id
        ON CONFLICT (pupil_id) DO UPDATE SET revision = t.revision + 1;
    ELSE
        INSERT INTO tracking.pupil_revisions AS t (pupil_id, revision)
        SELECT DISTINCT pupil_id, 1 FROM old_rows ORDER BY pupil_id
        ON CONFLICT (pupil_id) DO UPDATE SET revision = t.revision + 1;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER destinations_inserted_bump_revisions
    AFTER INSERT ON tracking.destinations REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tracking.bump_pupil_revisions();
CREATE TRIGGER destinations_updated_bump_revisions
    AFTER UPDATE ON tracking.destinations REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tracking.bump_pupil_revisions();
CREATE TRIGGER destinations_deleted_bump_revisions
    AFTER DELETE ON tracking.destinations REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tracking.bump_pupil_revisions();

-- +goose StatementBegin
CREATE FUNCTION tracking.bump_cohort_revisions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO tracking.cohort_revisions AS t (cohort_key, revision)
        SELECT DISTINCT cohort_key, 1 FROM new_rows ORDER BY cohort_key
        ON CONFLICT (cohort_key) DO UPDATE SET revision = t.revision + 1;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO tracking.cohort_revisions AS t (cohort_key, revision)
        SELECT DISTINCT cohort_key, 1
        FROM (SELECT cohort_key FROM old_rows UNION ALL SELECT cohort_key FROM new_rows) AS changed
        ORDER BY cohort_key
        ON CONFLICT (cohort_key) DO UPDATE SET revision = t.revision + 1;
    ELSE
        INSERT INTO tracking.cohort_revisions AS t (cohort_key, revision)
        SELECT DISTINCT cohort_key, 1 FROM old_rows ORDER BY cohort_key
        ON CONFLICT (cohort_key) DO UPDATE SET revision = t.revision + 1;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER tasks_inserted_bump_revisions
    AFTER INSERT ON tracking.tasks REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tracking.bump_cohort_revisions();
CREATE TRIGGER tasks_updated_bump_revisions
    AFTER UPDATE ON tracking.tasks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tracking.bump_cohort_revisions();
CREATE TRIGGER tasks_deleted_bump_revisions
    AFTER DELETE ON tracking.tasks REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tracking.bump_cohort_revisions();

-- +goose Down
DROP TRIGGER tasks_deleted_bump_revisions ON tracking.tasks;
DROP TRIGGER tasks_updated_bump_revisions ON tracking.tasks;
DROP TRIGGER tasks_inserted_bump_revisions ON tracking.tasks;
DROP FUNCTION tracking.bump_cohort_revisions();
DROP TRIGGER destinations_deleted_bump_revisions ON tracking.destinations;
DROP TRIGGER destinations_updated_bump_revisions ON tracking.destinations;
DROP TRIGGER destinations_inserted_bump_revisions ON tracking.destinations;
DROP FUNCTION tracking.bump_pupil_revisions();
DROP TABLE tracking.cohort_revisions;
DROP TABLE tracking.pupil_revisions;
