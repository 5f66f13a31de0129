-- +goose Up
-- CreatePupil keeps the fingerprint of its request beside its idempotency
-- key, so the key sent again with a different pupil is refused instead of
-- answered with the first pupil. Pupils created before this have none.
ALTER TABLE pupil.pupils ADD COLUMN request_hash bytea;

-- +goose Down
ALTER TABLE pupil.pupils DROP COLUMN request_hash;
