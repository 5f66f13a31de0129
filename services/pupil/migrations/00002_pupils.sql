-- +goose Up
-- One row per pupil, keyed by an id this service issues; the UPN is the
-- natural key imports upsert by. Risk-factor inputs live on the row (one
-- each, with its as-at date; NULL when not known) because they are read
-- and written with the pupil, and a cohort snapshot is then one query.
CREATE TABLE pupil.pupils (
    id                  uuid PRIMARY KEY,
    upn                 text NOT NULL UNIQUE CHECK (upn ~ '^[A-Z][0-9]{11}[0-9A-Z]$'),
    legal_surname       text NOT NULL CHECK (length(legal_surname) BETWEEN 1 AND 100),
    legal_forename      text NOT NULL CHECK (length(legal_forename) BETWEEN 1 AND 100),
    preferred_surname   text NOT NULL DEFAULT '' CHECK (length(preferred_surname) <= 100),
    preferred_forename  text NOT NULL DEFAULT '' CHECK (length(preferred_forename) <= 100),
    date_of_birth       date NOT NULL,
    school_urn          text NOT NULL REFERENCES pupil.schools (urn),
    joined_on           date,
    left_on             date CHECK (left_on >= joined_on),
    leaving_reason      text CHECK ((leaving_reason IS NULL) = (left_on IS NULL)),
    year_group_offset   smallint NOT NULL DEFAULT 0 CHECK (year_group_offset BETWEEN -2 AND 2),
    -- The year this pupil's year group counts from (yeargroup.Entry): in
    -- the academic year starting in September of Y they are in Y - entry_year.
    entry_year          smallint NOT NULL,

    attendance_percent        numeric(4,1) CHECK (attendance_percent BETWEEN 0 AND 100),
    attendance_as_at          date,
    suspensions               integer CHECK (suspensions >= 0),
    suspensions_as_at         date,
    permanent_exclusions      integer CHECK (permanent_exclusions >= 0),
    permanent_exclusions_as_at date,
    sen_status                text CHECK (sen_status IN ('none', 'sen_support', 'ehc_plan')),
    sen_as_at                 date,
    fsm_eligible              boolean,
    fsm_as_at                 date,
    looked_after              text CHECK (looked_after IN ('none', 'looked_after', 'previously_looked_after')),
    looked_after_as_at        date,
    young_carer               boolean,
    young_carer_as_at         date,
    eal                       boolean,
    eal_as_at                 date,
    school_moves              integer CHECK (school_moves >= 0),
    school_moves_as_at        date,

    -- CreatePupil's retry key (NULL for imported pupils).
    idempotency_key     uuid,
    version             bigint NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- Partial, so that imported pupils (no key) cost the index nothing.
CREATE UNIQUE INDEX pupils_idempotency_key_idx ON pupil.pupils (idempotency_key) WHERE idempotency_key IS NOT NULL;

-- Cohort reads: a school's pupils of one year group, in id order.
CREATE INDEX pupils_cohort_idx ON pupil.pupils (school_urn, entry_year, id);

-- Past enrolments: a row is written when a pupil moves school, so a cohort
-- snapshot still finds pupils who left during the year and moves count
-- towards risk.
CREATE TABLE pupil.school_history (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pupil_id       uuid NOT NULL REFERENCES pupil.pupils (id),
    school_urn     text NOT NULL REFERENCES pupil.schools (urn),
    joined_on      date,
    left_on        date NOT NULL,
    leaving_reason text NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX school_history_school_idx ON pupil.school_history (school_urn, pupil_id);
CREATE INDEX school_history_pupil_idx ON pupil.school_history (pupil_id);

-- +goose Down
DROP TABLE pupil.school_history;
DROP TABLE pupil.pupils;
