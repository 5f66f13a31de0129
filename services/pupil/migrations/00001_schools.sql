-- +goose Up
CREATE TABLE pupil.schools (
    urn        text PRIMARY KEY CHECK (urn ~ '^[0-9]{6}$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    la_code    text NOT NULL CHECK (la_code ~ '^[0-9]{3}$'),
    phase      text NOT NULL CHECK (phase IN ('secondary', 'middle_deemed_secondary', 'all_through', 'sixteen_plus', 'not_applicable')),
    open       boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Scoped lists filter by local authority.
CREATE INDEX schools_la_code_idx ON pupil.schools (la_code, urn);

-- +goose Down
DROP TABLE pupil.schools;
