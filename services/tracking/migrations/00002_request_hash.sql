-- +goose Up
-- RecordDestination keeps the fingerprint of its request beside its
-- idempotency key, so the key sent again with a different destination is
-- refused instead of answered with the first. Older rows have none.
ALTER TABLE tracking.destinations ADD COLUMN request_hash bytea;

-- +goose Down
ALTER TABLE tracking.destinations DROP COLUMN request_hash;
