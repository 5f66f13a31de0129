-- +goose Up
-- Where a young person lives, as the NCCIS requirement counts them: LAs
-- track the young people resident in their area, including those educated
-- elsewhere ("Young people educated out of area", "Moving between LA
-- areas"; fields YP12 "LA code at year 11" and YP13 "transferred to LA
-- code"; see ../shared/DOMAIN.md). residence_la_code is the 3-digit code of
-- the LA of residence, NULL until recorded (the school's LA is then the
-- young person's LA for tracking); resident_since is the day they moved in,
-- NULL when not known.
ALTER TABLE pupil.pupils
    ADD COLUMN residence_la_code text CHECK (residence_la_code ~ '^[0-9]{3}$'),
    ADD COLUMN resident_since    date;

CREATE INDEX pupils_residence_idx ON pupil.pupils (residence_la_code) WHERE residence_la_code IS NOT NULL;

-- Each residence a young person has left: the LA, from when (NULL when not
-- known) to the day they moved (the transfer date), and the LA they moved
-- to. The LA they left reads its transfers out here by la_code, the LA
-- they joined its transfers in by transferred_to.
CREATE TABLE pupil.residence_history (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pupil_id       uuid NOT NULL REFERENCES pupil.pupils (id),
    la_code        text NOT NULL CHECK (la_code ~ '^[0-9]{3}$'),
    resident_since date,
    moved_on       date NOT NULL CHECK (resident_since IS NULL OR moved_on >= resident_since),
    transferred_to text NOT NULL CHECK (transferred_to ~ '^[0-9]{3}$' AND transferred_to <> la_code),
    recorded_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX residence_history_pupil_idx ON pupil.residence_history (pupil_id, moved_on);
CREATE INDEX residence_history_from_idx ON pupil.residence_history (la_code, moved_on);
CREATE INDEX residence_history_to_idx ON pupil.residence_history (transferred_to, moved_on);

-- +goose Down
DROP TABLE pupil.residence_history;
ALTER TABLE pupil.pupils
    DROP COLUMN residence_la_code,
    DROP COLUMN resident_since;
