-- For sqlc only: the schema the migrations put their tables in. The
-- service creates it in Go (database.Migrate) before it migrates.
CREATE SCHEMA pupil;
