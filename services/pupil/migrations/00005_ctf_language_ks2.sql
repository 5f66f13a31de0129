-- +goose Up
-- What a Common Transfer File says of a pupil beyond the risk factors: the
-- first language (the school census code, e.g. ENG) and the KS2 reading and
-- maths scaled scores (80-120), each with the date it was known as at, as
-- the risk factors have. NULL when not known. Only imports write them, and
-- a value is replaced only by one at least as recent.
ALTER TABLE pupil.pupils
    ADD COLUMN first_language       text CHECK (first_language ~ '^[A-Z]{3,4}$'),
    ADD COLUMN first_language_as_at date,
    ADD COLUMN ks2_reading_score    smallint CHECK (ks2_reading_score BETWEEN 80 AND 120),
    ADD COLUMN ks2_reading_as_at    date,
    ADD COLUMN ks2_maths_score      smallint CHECK (ks2_maths_score BETWEEN 80 AND 120),
    ADD COLUMN ks2_maths_as_at      date;

-- +goose Down
ALTER TABLE pupil.pupils
    DROP COLUMN first_language,
    DROP COLUMN first_language_as_at,
    DROP COLUMN ks2_reading_score,
    DROP COLUMN ks2_reading_as_at,
    DROP COLUMN ks2_maths_score,
    DROP COLUMN ks2_maths_as_at;
