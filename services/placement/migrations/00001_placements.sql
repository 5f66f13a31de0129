-- +goose Up
-- Employers, their opportunities, pupils' bookings and attendance. A pupil is
-- only the pupil service's id; the school URN and LA code on a booking decide
-- who may see it. Credited days are never stored: they are summed from
-- attendance when asked for.

CREATE TABLE placement.employers (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- A retried create finds the first call's row by its key; the hash of the
    -- request tells a retry from a different request reusing the key.
    idempotency_key        uuid NOT NULL UNIQUE,
    request_hash           bytea NOT NULL,
    name                   text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    companies_house_number text NOT NULL DEFAULT '' CHECK (companies_house_number ~ '^([0-9]{8}|[A-Z]{2}[0-9]{6})?$'),
    sector                 text NOT NULL CHECK (sector IN ('life_sciences', 'advanced_manufacturing', 'digital', 'construction',
                               'health_and_care', 'creative', 'energy', 'logistics', 'public_services',
                               'retail_and_hospitality', 'finance_and_professional_services', 'other')),
    size_band              text NOT NULL CHECK (size_band IN ('micro', 'small', 'medium', 'large')),
    cornerstone            boolean NOT NULL DEFAULT false,
    contact_name           text NOT NULL DEFAULT '',
    contact_email          text NOT NULL DEFAULT '',
    contact_phone          text NOT NULL DEFAULT '',
    version                bigint NOT NULL DEFAULT 1,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);

-- A registered company is one employer.
CREATE UNIQUE INDEX employers_companies_house_number_key ON placement.employers (companies_house_number)
    WHERE companies_house_number <> '';
CREATE INDEX employers_name_idx ON placement.employers (name, id);

CREATE TABLE placement.opportunities (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    idempotency_key uuid NOT NULL UNIQUE,
    request_hash    bytea NOT NULL,
    employer_id     uuid NOT NULL REFERENCES placement.employers (id),
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    kind            text NOT NULL CHECK (kind IN ('placement', 'workplace_visit', 'job_shadowing', 'virtual_experience',
                        'talk', 'careers_fair', 'mentoring')),
    -- booked counts bookings not cancelled. A booking locks this row first
    -- (SELECT ... FOR UPDATE), so bookings of one opportunity take turns and
    -- of two racing for the last place the second finds none left.
    capacity        integer NOT NULL CHECK (capacity BETWEEN 1 AND 1000),
    booked          integer NOT NULL DEFAULT 0 CHECK (booked BETWEEN 0 AND capacity),
    year_groups     smallint[] NOT NULL CHECK (cardinality(year_groups) > 0 AND year_groups <@ '{7,8,9,10,11,12,13}'),
    sectors         text[] NOT NULL DEFAULT '{}' CHECK (sectors <@ ARRAY['life_sciences', 'advanced_manufacturing', 'digital',
                        'construction', 'health_and_care', 'creative', 'energy', 'logistics', 'public_services',
                        'retail_and_hospitality', 'finance_and_professional_services', 'other']),
    location        text NOT NULL DEFAULT '' CHECK (length(location) <= 300),
    virtual         boolean NOT NULL DEFAULT false,
    -- The first of its days, which are fixed once created: lists sort by it.
    starts_on       date NOT NULL,
    version         bigint NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX opportunities_employer_idx ON placement.opportunities (employer_id);
CREATE INDEX opportunities_starts_on_idx ON placement.opportunities (starts_on, id);

CREATE TABLE placement.opportunity_days (
    opportunity_id uuid NOT NULL REFERENCES placement.opportunities (id),
    day            date NOT NULL,
    -- How long it runs that day, in half days: 1 or 2.
    half_days      smallint NOT NULL CHECK (half_days IN (1, 2)),
    PRIMARY KEY (opportunity_id, day)
);

CREATE TABLE placement.bookings (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    idempotency_key uuid NOT NULL UNIQUE,
    request_hash    bytea NOT NULL,
    opportunity_id  uuid NOT NULL REFERENCES placement.opportunities (id),
    pupil_id        uuid NOT NULL,
    school_urn      text NOT NULL CHECK (school_urn ~ '^[0-9]{6}$'),
    la_code         text NOT NULL CHECK (la_code ~ '^[0-9]{3}$'),
    cancelled_at    timestamptz,
    version         bigint NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- Attendance names the booking and its opportunity; this lets a foreign
    -- key hold the two together.
    UNIQUE (id, opportunity_id)
);

-- One live booking per pupil per opportunity.
CREATE UNIQUE INDEX bookings_live_pupil_key ON placement.bookings (opportunity_id, pupil_id) WHERE cancelled_at IS NULL;
-- An opportunity's register lists its bookings oldest first.
CREATE INDEX bookings_opportunity_idx ON placement.bookings (opportunity_id, created_at, id);
-- Credited days are summed by pupil.
CREATE INDEX bookings_pupil_idx ON placement.bookings (pupil_id);
-- Scoped lists and dashboards filter by school and local authority.
CREATE INDEX bookings_school_idx ON placement.bookings (school_urn);
CREATE INDEX bookings_la_code_idx ON placement.bookings (la_code);

CREATE TABLE placement.attendance (
    booking_id     uuid NOT NULL,
    opportunity_id uuid NOT NULL,
    day            date NOT NULL,
    -- The mark, in half days attended: 0 absent, 1 half a day, 2 a full day.
    half_days      smallint NOT NULL CHECK (half_days BETWEEN 0 AND 2),
    recorded_by    text NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (booking_id, day),
    FOREIGN KEY (booking_id, opportunity_id) REFERENCES placement.bookings (id, opportunity_id),
    -- A mark is for a day the opportunity runs.
    FOREIGN KEY (opportunity_id, day) REFERENCES placement.opportunity_days (opportunity_id, day)
);

-- +goose Down
DROP TABLE placement.attendance;
DROP TABLE placement.bookings;
DROP TABLE placement.opportunity_days;
DROP TABLE placement.opportunities;
DROP TABLE placement.employers;
