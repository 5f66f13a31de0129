-- Opportunities and their days. A read returns the days as two arrays in
-- date order (dates, and the session each runs: 1 or 2 half days), so a
-- page of opportunities is one query.

-- name: CreateOpportunity :one
-- Nothing comes back when the key was used before.
INSERT INTO placement.opportunities (idempotency_key, request_hash, employer_id, title, kind, capacity,
    year_groups, sectors, location, virtual, starts_on, latitude, longitude, max_travel_km)
VALUES (@idempotency_key, @request_hash, @employer_id, @title, @kind, @capacity,
    @year_groups, @sectors, @location, @virtual, @starts_on, @latitude, @longitude, @max_travel_km)
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id;

-- name: OpportunityByKey :one
SELECT id, request_hash FROM placement.opportunities WHERE idempotency_key = @idempotency_key;

-- name: InsertOpportunityDays :copyfrom
INSERT INTO placement.opportunity_days (opportunity_id, day, half_days) VALUES (@opportunity_id, @day, @half_days);

-- name: GetOpportunity :one
SELECT sqlc.embed(o),
    ARRAY(SELECT d.day FROM placement.opportunity_days d WHERE d.opportunity_id = o.id ORDER BY d.day)::date[] AS dates,
    ARRAY(SELECT d.half_days FROM placement.opportunity_days d WHERE d.opportunity_id = o.id ORDER BY d.day)::smallint[] AS sessions
FROM placement.opportunities o
WHERE o.id = @id;

-- name: GetOpportunityForUpdate :one
-- GetOpportunity, locking the row until the transaction ends.
SELECT sqlc.embed(o),
    ARRAY(SELECT d.day FROM placement.opportunity_days d WHERE d.opportunity_id = o.id ORDER BY d.day)::date[] AS dates,
    ARRAY(SELECT d.half_days FROM placement.opportunity_days d WHERE d.opportunity_id = o.id ORDER BY d.day)::smallint[] AS sessions
FROM placement.opportunities o
WHERE o.id = @id
FOR UPDATE;

-- name: UpdateOpportunity :exec
UPDATE placement.opportunities
SET title = @title, capacity = @capacity, year_groups = @year_groups, sectors = @sectors,
    location = @location, virtual = @virtual, latitude = @latitude, longitude = @longitude, max_travel_km = @max_travel_km,
    version = version + 1, updated_at = now()
WHERE id = @id;

-- name: ListOpportunities :many
-- By first day, after the cursor (starts_on, id). Each filter applies only
-- when set: an employer id not empty, a year group not 0, a date not NULL
-- (running on or after it).
SELECT sqlc.embed(o),
    ARRAY(SELECT d.day FROM placement.opportunity_days d WHERE d.opportunity_id = o.id ORDER BY d.day)::date[] AS dates,
    ARRAY(SELECT d.half_days FROM placement.opportunity_days d WHERE d.opportunity_id = o.id ORDER BY d.day)::smallint[] AS sessions
FROM placement.opportunities o
WHERE (@employer_id::text = '' OR o.employer_id = NULLIF(@employer_id::text, '')::uuid)
  AND (@year_group::int = 0 OR @year_group::smallint = ANY(o.year_groups))
  AND (sqlc.narg(running_from)::date IS NULL OR EXISTS (
        SELECT 1 FROM placement.opportunity_days d
        WHERE d.opportunity_id = o.id AND d.day >= sqlc.narg(running_from)::date))
  AND (o.starts_on, o.id) > (@after_starts_on::date, @after_id::uuid)
ORDER BY o.starts_on, o.id
LIMIT @max_rows;
