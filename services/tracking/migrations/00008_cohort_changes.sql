-- +goose Up
-- The change feed (ListCohortChanges; services/kit/changefeed says how it
-- works): each row of what GetCohortRevision reads (pupils' and cohorts'
-- revisions, and the cohort's last pass token) keeps the id of the
-- transaction that last moved it, set by a row trigger whichever
-- statement moves it, so what moved since a position is an index scan.
ALTER TABLE tracking.pupil_revisions ADD COLUMN changed_xact xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE tracking.cohort_revisions ADD COLUMN changed_xact xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE tracking.cohorts ADD COLUMN changed_xact xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX pupil_revisions_changed_xact ON tracking.pupil_revisions (changed_xact);
CREATE INDEX cohort_revisions_changed_xact ON tracking.cohort_revisions (changed_xact);
CREATE INDEX cohorts_changed_xact ON tracking.cohorts (changed_xact);
-- +goose StatementBegin
CREATE FUNCTION tracking.set_changed_xact() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.changed_xact := pg_current_xact_id();
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER pupil_revisions_changed_xact BEFORE UPDATE ON tracking.pupil_revisions
    FOR EACH ROW EXECUTE FUNCTION tracking.set_changed_xact();
CREATE TRIGGER cohort_revisions_changed_xact BEFORE UPDATE ON tracking.cohort_revisions
    FOR EACH ROW EXECUTE FUNCTION tracking.set_changed_xact();
-- Only a change to the token counts: the sync's other writes to the row
-- (last_synced_at) come with a new token.
CREATE TRIGGER cohorts_changed_xact BEFORE UPDATE OF last_pass_token ON tracking.cohorts
    FOR EACH ROW EXECUTE FUNCTION tracking.set_changed_xact();

-- +goose Down
DROP TRIGGER cohorts_changed_xact ON tracking.cohorts;
DROP TRIGGER cohort_revisions_changed_xact ON tracking.cohort_revisions;
DROP TRIGGER pupil_revisions_changed_xact ON tracking.pupil_revisions;
DROP FUNCTION tracking.set_changed_xact();
DROP INDEX tracking.cohorts_changed_xact;
DROP INDEX tracking.cohort_revisions_changed_xact;
DROP INDEX tracking.pupil_revisions_changed_xact;
ALTER TABLE tracking.cohorts DROP COLUMN changed_xact;
ALTER TABLE tracking.cohort_revisions DROP COLUMN changed_xact;
ALTER TABLE tracking.pupil_revisions DROP COLUMN changed_xact;
