-- +goose Up
-- The change feed (ListSchoolChanges; services/kit/changefeed says how it
-- works): each school's revision row keeps the id of the transaction that
-- last moved it, set by a row trigger whichever statement moves it, so the
-- schools moved since a position are an index scan.
ALTER TABLE pupil.school_revisions ADD COLUMN changed_xact xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX school_revisions_changed_xact ON pupil.school_revisions (changed_xact);
-- +goose StatementBegin
CREATE FUNCTION pupil.set_changed_xact() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.changed_xact := pg_current_xact_id();
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER school_revisions_changed_xact BEFORE UPDATE ON pupil.school_revisions
    FOR EACH ROW EXECUTE FUNCTION pupil.set_changed_xact();

-- +goose Down
DROP TRIGGER school_revisions_changed_xact ON pupil.school_revisions;
DROP FUNCTION pupil.set_changed_xact();
DROP INDEX pupil.school_revisions_changed_xact;
ALTER TABLE pupil.school_revisions DROP COLUMN changed_xact;
