-- +goose Up
-- Each pupil's revision: a counter that every write to what the query
-- CreditedDays (internal/store/queries/credits.sql) reads of the pupil
-- bumps by 1, in the write's own transaction: their bookings, the
-- attendance on those bookings, and the days and kind of the opportunities
-- they are booked on. GetPupilsRevision sums a cohort's counters; the
-- reconciler passes over a cohort whose sum has not moved since its last
-- full pass.
--
-- Counters per pupil, not a sequence: a sequence number is taken when a
-- write starts, not when it commits, so a reader keeping the max it saw
-- could read 7, then see a write numbered 6 commit later and never notice
-- it. A per-pupil +1 is seen only once its transaction commits, and then
-- by every read that follows, added to whatever the row held: the sum a
-- reader takes after a change committed differs from any sum taken before,
-- however late it committed, so no change is missed. Two writes to one
-- pupil take turns on the pupil's row, so neither +1 is lost.
--
-- A pupil with no row (or a row at 0, which RecordAttendance makes to lock
-- it: see below) has had nothing written since this table was created:
-- they count 0, and their first change makes them 1.
CREATE TABLE placement.pupil_revisions (
    pupil_id uuid PRIMARY KEY,
    revision bigint NOT NULL
);

-- The triggers are AFTER ... FOR EACH STATEMENT, with transition tables
-- (the rows the statement inserted, and the old and new rows it updated or
-- deleted): a statement writing many rows (a register of 30 marks taken in
-- one upsert, a group booking copied in) bumps each pupil it touches once,
-- not once per row. An INSERT ... ON CONFLICT DO UPDATE fires both the
-- INSERT and the UPDATE statement triggers, each with its own rows, so a
-- register that both adds and changes a pupil's marks bumps them by 2: the
-- sum still moves, which is all a reader needs. Those two triggers lock
-- their pupils one after the other, so RecordAttendance takes all of its
-- register's counters first, in id order (LockPupilRevisions in
-- internal/store/queries/attendance.sql), or two registers could deadlock.
-- Every other write of the service's bumps in one statement. TRUNCATE has
-- no transition tables and is not covered; the service never truncates.

-- bump_pupil_revisions adds 1 to each pupil's counter, once however often
-- they appear, creating it at 1. The pupils are taken in id order, so two
-- statements bumping overlapping pupils lock their rows in the same order
-- and cannot deadlock on them.
-- +goose StatementBegin
CREATE FUNCTION placement.bump_pupil_revisions(pupil_ids uuid[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO placement.pupil_revisions (pupil_id, revision)
    SELECT DISTINCT p.pupil_id, 1 FROM unnest(pupil_ids) AS p(pupil_id)
    WHERE p.pupil_id IS NOT NULL
    ORDER BY p.pupil_id
    ON CONFLICT (pupil_id) DO UPDATE SET revision = placement.pupil_revisions.revision + 1
$$;
-- +goose StatementEnd

-- A booking: its pupil (before and after, should an update move it). A new
-- booking has no marks yet, but a cancellation drops its marks' credit and
-- its school and local authority decide who sees it.
-- +goose StatementBegin
CREATE FUNCTION placement.bookings_bump_revisions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM placement.bump_pupil_revisions(ARRAY(SELECT n.pupil_id FROM new_rows n));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM placement.bump_pupil_revisions(ARRAY(
            SELECT o.pupil_id FROM old_rows o UNION SELECT n.pupil_id FROM new_rows n));
    ELSE
        PERFORM placement.bump_pupil_revisions(ARRAY(SELECT o.pupil_id FROM old_rows o));
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER bookings_bump_revisions_insert AFTER INSERT ON placement.bookings
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION placement.bookings_bump_revisions();
CREATE TRIGGER bookings_bump_revisions_update AFTER UPDATE ON placement.bookings
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION placement.bookings_bump_revisions();
CREATE TRIGGER bookings_bump_revisions_delete AFTER DELETE ON placement.bookings
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION placement.bookings_bump_revisions();

-- A mark: the pupil of the booking it is on (before and after). A mark's
-- booking outlives it (the foreign key), so it is there to join.
-- +goose StatementBegin
CREATE FUNCTION placement.attendance_bump_revisions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM placement.bump_pupil_revisions(ARRAY(
            SELECT b.pupil_id FROM placement.bookings b WHERE b.id IN (SELECT n.booking_id FROM new_rows n)));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM placement.bump_pupil_revisions(ARRAY(
            SELECT b.pupil_id FROM placement.bookings b
            WHERE b.id IN (SELECT o.booking_id FROM old_rows o UNION SELECT n.booking_id FROM new_rows n)));
    ELSE
        PERFORM placement.bump_pupil_revisions(ARRAY(
            SELECT b.pupil_id FROM placement.bookings b WHERE b.id IN (SELECT o.booking_id FROM old_rows o)));
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER attendance_bump_revisions_insert AFTER INSERT ON placement.attendance
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION placement.attendance_bump_revisions();
CREATE TRIGGER attendance_bump_revisions_update AFTER UPDATE ON placement.attendance
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION placement.attendance_bump_revisions();
CREATE TRIGGER attendance_bump_revisions_delete AFTER DELETE ON placement.attendance
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION placement.attendance_bump_revisions();

-- An opportunity's day (its session caps the marks of that day): every
-- pupil booked on the opportunity, cancelled bookings included. The service
-- writes days only when it creates the opportunity, before any booking, so
-- in practice this finds no one; it keeps a correction made by hand honest.
-- +goose StatementBegin
CREATE FUNCTION placement.opportunity_days_bump_revisions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM placement.bump_pupil_revisions(ARRAY(
            SELECT b.pupil_id FROM placement.bookings b
            WHERE b.opportunity_id IN (SELECT n.opportunity_id FROM new_rows n)));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM placement.bump_pupil_revisions(ARRAY(
            SELECT b.pupil_id FROM placement.bookings b
            WHERE b.opportunity_id IN (SELECT o.opportunity_id FROM old_rows o UNION SELECT n.opportunity_id FROM new_rows n)));
    ELSE
        PERFORM placement.bump_pupil_revisions(ARRAY(
            SELECT b.pupil_id FROM placement.bookings b
            WHERE b.opportunity_id IN (SELECT o.opportunity_id FROM old_rows o)));
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER opportunity_days_bump_revisions_insert AFTER INSERT ON placement.opportunity_days
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION placement.opportunity_days_bump_revisions();
CREATE TRIGGER opportunity_days_bump_revisions_update AFTER UPDATE ON placement.opportunity_days
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION placement.opportunity_days_bump_revisions();
CREATE TRIGGER opportunity_days_bump_revisions_delete AFTER DELETE ON placement.opportunity_days
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION placement.opportunity_days_bump_revisions();

-- An opportunity: every pupil booked on it, cancelled bookings included.
-- CreditedDays reads only its id and kind, so an update bumps the pupils
-- of the opportunities whose kind (or id) it changed, and no others: every
-- booking and cancellation updates the opportunity's booked count, and an
-- edit its title or capacity, none of which moves anyone's credit. Were
-- those to bump every pupil booked, one booking would rewrite (and lock)
-- the counters of the whole class, in a second statement of its
-- transaction. (UPDATE OF kind cannot say this: a trigger with transition
-- tables takes no column list.) A new opportunity has no bookings yet, and
-- one with bookings cannot be deleted (their foreign key): those two find
-- no one, and are here so that no write is left out.
-- +goose StatementBegin
CREATE FUNCTION placement.opportunities_bump_revisions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM placement.bump_pupil_revisions(ARRAY(
            SELECT b.pupil_id FROM placement.bookings b WHERE b.opportunity_id IN (SELECT n.id FROM new_rows n)));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM placement.bump_pupil_revisions(ARRAY(
            SELECT b.pupil_id FROM placement.bookings b
            WHERE b.opportunity_id IN (
                SELECT coalesce(o.id, n.id)
                FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
                WHERE o.id IS NULL OR n.id IS NULL OR o.kind IS DISTINCT FROM n.kind)));
    ELSE
        PERFORM placement.bump_pupil_revisions(ARRAY(
            SELECT b.pupil_id FROM placement.bookings b WHERE b.opportunity_id IN (SELECT o.id FROM old_rows o)));
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER opportunities_bump_revisions_insert AFTER INSERT ON placement.opportunities
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION placement.opportunities_bump_revisions();
CREATE TRIGGER opportunities_bump_revisions_update AFTER UPDATE ON placement.opportunities
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION placement.opportunities_bump_revisions();
CREATE TRIGGER opportunities_bump_revisions_delete AFTER DELETE ON placement.opportunities
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION placement.opportunities_bump_revisions();

-- +goose Down
DROP TRIGGER opportunities_bump_revisions_delete ON placement.opportunities;
DROP TRIGGER opportunities_bump_revisions_update ON placement.opportunities;
DROP TRIGGER opportunities_bump_revisions_insert ON placement.opportunities;
DROP TRIGGER opportunity_days_bump_revisions_delete ON placement.opportunity_days;
DROP TRIGGER opportunity_days_bump_revisions_update ON placement.opportunity_days;
DROP TRIGGER opportunity_days_bump_revisions_insert ON placement.opportunity_days;
DROP TRIGGER attendance_bump_revisions_delete ON placement.attendance;
DROP TRIGGER attendance_bump_revisions_update ON placement.attendance;
DROP TRIGGER attendance_bump_revisions_insert ON placement.attendance;
DROP TRIGGER bookings_bump_revisions_delete ON placement.bookings;
DROP TRIGGER bookings_bump_revisions_update ON placement.bookings;
DROP TRIGGER bookings_bump_revisions_insert ON placement.bookings;
DROP FUNCTION placement.opportunities_bump_revisions();
DROP FUNCTION placement.opportunity_days_bump_revisions();
DROP FUNCTION placement.attendance_bump_revisions();
DROP FUNCTION placement.bookings_bump_revisions();
DROP FUNCTION placement.bump_pupil_revisions(uuid[]);
DROP TABLE placement.pupil_revisions;
