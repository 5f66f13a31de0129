-- name: InsertSchool :one
-- Inserts the school unless its URN exists, and returns the stored row
-- either way; created says which.
WITH ins AS (
    INSERT INTO pupil.schools (urn, name, la_code, phase, open, ukprn, establishment_type, latitude, longitude)
    VALUES (@urn, @name, @la_code, @phase, @open, @ukprn, @establishment_type, @latitude, @longitude)
    ON CONFLICT (urn) DO NOTHING
    RETURNING urn, name, la_code, phase, open, ukprn, establishment_type, latitude, longitude, true AS created
)
SELECT ins.urn, ins.name, ins.la_code, ins.phase, ins.open, ins.ukprn, ins.establishment_type, ins.latitude, ins.longitude, ins.created FROM ins
UNION ALL
SELECT urn, name, la_code, phase, open, ukprn, establishment_type, latitude, longitude, false FROM pupil.schools WHERE urn = @urn
LIMIT 1;

-- name: GetSchool :one
SELECT urn, name, la_code, phase, open, ukprn, establishment_type, latitude, longitude FROM pupil.schools WHERE urn = @urn;

-- name: ListSchools :many
-- Up to max_schools schools in scope after the URN after, in URN order, of
-- one local authority unless la_code is empty.
SELECT s.urn, s.name, s.la_code, s.phase, s.open, s.ukprn, s.establishment_type, s.latitude, s.longitude FROM pupil.schools s
WHERE (@scope_all::boolean OR s.la_code = ANY(@scope_la_codes::text[]) OR s.urn = @scope_school_urn::text)
  AND (@la_code::text = '' OR s.la_code = @la_code::text) AND s.urn > @after::text
ORDER BY s.urn
LIMIT @max_schools;

-- name: SchoolsInScope :many
-- The open schools in scope: those an import may put pupils into.
SELECT s.urn FROM pupil.schools s
WHERE s.open
  AND (@scope_all::boolean OR s.la_code = ANY(@scope_la_codes::text[]) OR s.urn = @scope_school_urn::text);

-- name: SchoolRevision :one
-- The revision of the school with urn (migrations/00010_school_revisions.sql)
-- if it is in scope; 0 when nothing was ever written about it, and for a
-- school outside scope or not registered alike.
SELECT COALESCE((
    SELECT r.revision FROM pupil.school_revisions r JOIN pupil.schools s ON s.urn = r.school_urn
    WHERE r.school_urn = @urn
      AND (@scope_all::boolean OR s.la_code = ANY(@scope_la_codes::text[]) OR s.urn = @scope_school_urn::text)
), 0)::bigint AS revision;

-- name: SchoolChanges :many
-- The schools whose revision moved in a transaction that the position
-- after (a pg_snapshot; kit/changefeed) could not see, at most max_rows of
-- them. The order is what makes PostgreSQL read the index on changed_xact:
-- it has no statistics to tell how few rows an xid8 range holds, takes it
-- for a third of the table, and without an order scans the whole table
-- for the first max_rows of them (60 ms a call at a region's 280,000
-- pupils, most often to find none); in order, the index stops at once.
SELECT school_urn FROM pupil.school_revisions
WHERE changed_xact >= pg_snapshot_xmin((@after::text)::pg_snapshot)
  AND NOT pg_visible_in_snapshot(changed_xact, (@after::text)::pg_snapshot)
ORDER BY changed_xact
LIMIT @max_rows;
