-- For sqlc only (sqlc.yaml reads it before the migrations): the migrations
-- create their tables in the schema placement, which kit/database.Migrate
-- creates at start before it runs them.
CREATE SCHEMA placement;
