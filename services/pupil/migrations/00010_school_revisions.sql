-- +goose Up
-- Each school's revision (GetSchoolRevision): a counter that every write to
-- what GetSchool or a cohort snapshot of the school reads moves on by one,
-- in the write's own transaction. The reconciler reads it before a pass and
-- passes over a cohort none of whose schools' revisions moved since its last
-- full pass, so a write that could change what a snapshot returns must never
-- leave it where it was (one that changes nothing may move it: harmless).
--
-- A counter per school rather than a sequence or a max: a transaction that
-- takes a sequence number and commits after a later one has committed would
-- land below the max a reader has already seen, and its change would be
-- missed. A counter is moved by +1 under its row's lock, so a change
-- committed late still moves it past any value read before, and a reader
-- that sums the counters of several schools sees every change too. A school
-- nothing was ever written about has no row (revision 0); a key starts at 1.
CREATE TABLE pupil.school_revisions (
    school_urn text PRIMARY KEY,
    revision   bigint NOT NULL
);

-- bump_school_revisions moves the revision of each school in urns on by
-- one, once however often it is named. In URN order, so that transactions
-- bumping the same schools lock their rows in the same order. The lock is
-- held to commit: writes about one school's pupils wait for each other
-- from their first bump on, and two transactions that bump overlapping
-- schools over several statements each can still deadlock (PostgreSQL
-- then aborts one, which its caller sees as an error to retry).
-- +goose StatementBegin
CREATE FUNCTION pupil.bump_school_revisions(urns text[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO pupil.school_revisions AS r (school_urn, revision)
    SELECT DISTINCT u.urn, 1 FROM unnest(urns) AS u(urn) WHERE u.urn IS NOT NULL
    ORDER BY u.urn
    ON CONFLICT (school_urn) DO UPDATE SET revision = r.revision + 1
$$;
-- +goose StatementEnd

-- The triggers are per statement, with the rows written as transition
-- tables (old_rows, new_rows), so an import of 300,000 pupils bumps each of
-- its schools once per statement, not once per row. PostgreSQL allows
-- transition tables on triggers of one event only: each table has one
-- trigger for INSERT, one for UPDATE and one for DELETE, on one function.
-- The schools are found with DISTINCT over UNION ALL rather than UNION:
-- PostgreSQL takes a UNION of 600,000 rows to be as many distinct ones and
-- sorts them on disk, where a hash of the few schools they name is enough.

-- pupil.schools: GetSchool's row, and the cohort query's scope (its LA):
-- the school itself, before and after.
-- +goose StatementBegin
CREATE FUNCTION pupil.school_revisions_on_schools() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM pupil.bump_school_revisions(ARRAY(SELECT urn FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM pupil.bump_school_revisions(ARRAY(
            SELECT DISTINCT w.urn FROM (SELECT urn FROM old_rows UNION ALL SELECT urn FROM new_rows) AS w));
    ELSE
        PERFORM pupil.bump_school_revisions(ARRAY(SELECT urn FROM old_rows));
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- pupil.pupils: a pupil is a member of the cohorts of the school they are
-- on roll at and of every school in their history (a snapshot includes
-- pupils who have since left), so a pupil's row written bumps all of those:
-- the school before and after, and the schools of their history as it is
-- once the statement has run. Only an update needs the history: an
-- inserted pupil has none yet, a deleted one can have none left (its rows
-- reference the pupil), and a history row written in the same statement
-- bumps its own school.
-- +goose StatementBegin
CREATE FUNCTION pupil.school_revisions_on_pupils() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM pupil.bump_school_revisions(ARRAY(SELECT DISTINCT school_urn FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        -- A pupil's id never changes while history references it, so the
        -- new rows' ids find all of it.
        PERFORM pupil.bump_school_revisions(ARRAY(
            SELECT DISTINCT w.school_urn FROM (
                SELECT school_urn FROM old_rows
                UNION ALL SELECT school_urn FROM new_rows
                -- A join, not IN: ids are unique, and the history (the
                -- smaller side, usually) is then what is hashed.
                UNION ALL SELECT h.school_urn FROM new_rows n JOIN pupil.school_history h ON h.pupil_id = n.id) AS w));
    ELSE
        PERFORM pupil.bump_school_revisions(ARRAY(SELECT DISTINCT school_urn FROM old_rows));
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- pupil.school_history: a past enrolment puts the pupil in that school's
-- cohorts (and only that school's): its school, before and after.
-- +goose StatementBegin
CREATE FUNCTION pupil.school_revisions_on_school_history() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM pupil.bump_school_revisions(ARRAY(SELECT DISTINCT school_urn FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM pupil.bump_school_revisions(ARRAY(
            SELECT DISTINCT w.school_urn FROM (SELECT school_urn FROM old_rows UNION ALL SELECT school_urn FROM new_rows) AS w));
    ELSE
        PERFORM pupil.bump_school_revisions(ARRAY(SELECT DISTINCT school_urn FROM old_rows));
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- A table of rows keyed by pupil (pupil_id): every school the pupil is or
-- was on roll at, for the pupils of the old and new rows, read once the
-- statement has run. With the argument 'lock_pupils' the pupils' rows are
-- locked first (FOR SHARE, in id order), in a statement of its own so the
-- schools are read after any move of the pupil committed meanwhile: a
-- review written while the pupil moves school then bumps the school they
-- moved to, or the move waits for the review's commit and bumps it itself.
-- Without it (residence_history, which no snapshot reads, so a race there
-- loses nothing; its writes come with an update of the pupil that bumps
-- the same schools) nothing is locked, so two imports cannot deadlock on a
-- pupil's lock upgraded from share.
-- +goose StatementBegin
CREATE FUNCTION pupil.school_revisions_on_pupil_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    ids uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY(SELECT DISTINCT pupil_id FROM new_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        ids := ARRAY(SELECT DISTINCT w.pupil_id FROM (SELECT pupil_id FROM old_rows UNION ALL SELECT pupil_id FROM new_rows) AS w);
    ELSE
        ids := ARRAY(SELECT DISTINCT pupil_id FROM old_rows);
    END IF;
    IF cardinality(ids) = 0 THEN
        RETURN NULL;
    END IF;
    IF TG_NARGS > 0 AND TG_ARGV[0] = 'lock_pupils' THEN
        PERFORM 1 FROM pupil.pupils p WHERE p.id = ANY(ids) ORDER BY p.id FOR SHARE;
    END IF;
    PERFORM pupil.bump_school_revisions(ARRAY(
        SELECT p.school_urn FROM pupil.pupils p WHERE p.id = ANY(ids)
        UNION SELECT h.school_urn FROM pupil.school_history h WHERE h.pupil_id = ANY(ids)));
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER school_revisions_insert AFTER INSERT ON pupil.schools
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pupil.school_revisions_on_schools();
CREATE TRIGGER school_revisions_update AFTER UPDATE ON pupil.schools
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pupil.school_revisions_on_schools();
CREATE TRIGGER school_revisions_delete AFTER DELETE ON pupil.schools
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pupil.school_revisions_on_schools();

CREATE TRIGGER school_revisions_insert AFTER INSERT ON pupil.pupils
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pupil.school_revisions_on_pupils();
CREATE TRIGGER school_revisions_update AFTER UPDATE ON pupil.pupils
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pupil.school_revisions_on_pupils();
CREATE TRIGGER school_revisions_delete AFTER DELETE ON pupil.pupils
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pupil.school_revisions_on_pupils();

CREATE TRIGGER school_revisions_insert AFTER INSERT ON pupil.school_history
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pupil.school_revisions_on_school_history();
CREATE TRIGGER school_revisions_update AFTER UPDATE ON pupil.school_history
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pupil.school_revisions_on_school_history();
CREATE TRIGGER school_revisions_delete AFTER DELETE ON pupil.school_history
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pupil.school_revisions_on_school_history();

-- pupil.risk_reviews: staff's review, returned with each member of a
-- snapshot. ReviewRisk writes it without updating the pupil, so the trigger
-- locks them.
CREATE TRIGGER school_revisions_insert AFTER INSERT ON pupil.risk_reviews
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pupil.school_revisions_on_pupil_rows('lock_pupils');
CREATE TRIGGER school_revisions_update AFTER UPDATE ON pupil.risk_reviews
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pupil.school_revisions_on_pupil_rows('lock_pupils');
CREATE TRIGGER school_revisions_delete AFTER DELETE ON pupil.risk_reviews
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pupil.school_revisions_on_pupil_rows('lock_pupils');

-- pupil.residence_history: not read by a snapshot today (GetPupil's LA at
-- Year 11 reads it), but part of the pupil's record the revision covers;
-- every write to it comes with an update of the pupil's residence.
CREATE TRIGGER school_revisions_insert AFTER INSERT ON pupil.residence_history
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pupil.school_revisions_on_pupil_rows();
CREATE TRIGGER school_revisions_update AFTER UPDATE ON pupil.residence_history
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pupil.school_revisions_on_pupil_rows();
CREATE TRIGGER school_revisions_delete AFTER DELETE ON pupil.residence_history
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pupil.school_revisions_on_pupil_rows();

-- +goose Down
DROP TRIGGER school_revisions_insert ON pupil.residence_history;
DROP TRIGGER school_revisions_update ON pupil.residence_history;
DROP TRIGGER school_revisions_delete ON pupil.residence_history;
DROP TRIGGER school_revisions_insert ON pupil.risk_reviews;
DROP TRIGGER school_revisions_update ON pupil.risk_reviews;
DROP TRIGGER school_revisions_delete ON pupil.risk_reviews;
DROP TRIGGER school_revisions_insert ON pupil.school_history;
DROP TRIGGER school_revisions_update ON pupil.school_history;
DROP TRIGGER school_revisions_delete ON pupil.school_history;
DROP TRIGGER school_revisions_insert ON pupil.pupils;
DROP TRIGGER school_revisions_update ON pupil.pupils;
DROP TRIGGER school_revisions_delete ON pupil.pupils;
DROP TRIGGER school_revisions_insert ON pupil.schools;
DROP TRIGGER school_revisions_update ON pupil.schools;
DROP TRIGGER school_revisions_delete ON pupil.schools;
DROP FUNCTION pupil.school_revisions_on_pupil_rows();
DROP FUNCTION pupil.school_revisions_on_school_history();
DROP FUNCTION pupil.school_revisions_on_pupils();
DROP FUNCTION pupil.school_revisions_on_schools();
DROP FUNCTION pupil.bump_school_revisions(text[]);
DROP TABLE pupil.school_revisions;
