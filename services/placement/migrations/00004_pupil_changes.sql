-- +goose Up
-- The change feed (ListPupilChanges; services/kit/changefeed says how it
-- works): each pupil's revision row keeps the id of the transaction that
-- last moved it, set by a row trigger whichever statement moves it, so the
-- pupils moved since a position are an index scan.
ALTER TABLE placement.pupil_revisions ADD COLUMN changed_xact xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX pupil_revisions_changed_xact ON placement.pupil_revisions (changed_xact);
-- +goose StatementBegin
CREATE FUNCTION placement.set_changed_xact() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.changed_xact := pg_current_xact_id();
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER pupil_revisions_changed_xact BEFORE UPDATE ON placement.pupil_revisions
    FOR EACH ROW EXECUTE FUNCTION placement.set_changed_xact();

-- +goose Down
DROP TRIGGER pupil_revisions_changed_xact ON placement.pupil_revisions;
DROP FUNCTION placement.set_changed_xact();
DROP INDEX placement.pupil_revisions_changed_xact;
ALTER TABLE placement.pupil_revisions DROP COLUMN changed_xact;
