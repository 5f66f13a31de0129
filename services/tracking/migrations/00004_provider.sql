-- +goose Up
-- Who provides the place (a URN or UKPRN): for an offer, who made it, as
-- the September Guarantee reports offers with their provider.
ALTER TABLE tracking.destinations ADD COLUMN provider text NOT NULL DEFAULT ''
    CHECK (provider ~ '^([0-9]{6}|[0-9]{8})?$');

-- +goose Down
ALTER TABLE tracking.destinations DROP COLUMN provider;
