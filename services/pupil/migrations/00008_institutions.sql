-- +goose Up
-- Post-16 institutions are registered as schools are (GIAS gives sixth-form
-- colleges and FE colleges URNs too), with what the 16-18 cohort needs to
-- tell them apart: the UK Provider Reference Number (8 digits, from 1)
-- under which providers are funded and send their returns, and GIAS's
-- establishment type code (internal/establishment). Empty when not known.
ALTER TABLE pupil.schools
    ADD COLUMN ukprn              text NOT NULL DEFAULT '' CHECK (ukprn ~ '^(1[0-9]{7})?$'),
    ADD COLUMN establishment_type text NOT NULL DEFAULT '' CHECK (establishment_type ~ '^([0-9]{2})?$');

CREATE UNIQUE INDEX schools_ukprn_idx ON pupil.schools (ukprn) WHERE ukprn <> '';

-- +goose Down
DROP INDEX pupil.schools_ukprn_idx;
ALTER TABLE pupil.schools DROP COLUMN ukprn, DROP COLUMN establishment_type;
