-- +goose Up
-- When an activity should be reviewed (for a course, its expected end
-- date): a confirmed activity stops being current then, if that is sooner
-- than its group's period (internal/currency).
ALTER TABLE tracking.destinations ADD COLUMN review_on date;

-- +goose Down
ALTER TABLE tracking.destinations DROP COLUMN review_on;
