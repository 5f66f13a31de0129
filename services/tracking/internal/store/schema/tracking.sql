-- The tracking service's PostgreSQL schema, for sqlc only: at run time
-- database.Migrate creates it (CREATE SCHEMA IF NOT EXISTS) before the
-- migrations, which therefore never declare it.
CREATE SCHEMA tracking;
