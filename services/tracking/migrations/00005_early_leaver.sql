-- +goose Up
-- A provider's notification that a young person left their course early
-- (NCCIS "early leavers"): recorded as a confirmed activity whose code says
-- the activity is not known, from the day they left, naming the provider.
-- The flag tells it from any other not-known record, so leaving education
-- or training early is seen as disengaging.
ALTER TABLE tracking.destinations
    ADD COLUMN early_leaver boolean NOT NULL DEFAULT false
    CHECK (NOT early_leaver OR (kind = 'confirmed' AND provider <> ''));

-- +goose Down
ALTER TABLE tracking.destinations DROP COLUMN early_leaver;
