-- name: InsertDestination :one
-- InsertDestination records a destination unless one with the idempotency
-- key exists, and returns the stored row either way, with the fingerprint
-- of the request that made it.
WITH ins AS (
    INSERT INTO tracking.destinations (idempotency_key, request_hash, pupil_id, school_urn, la_code, kind,
                                       activity_code, effective_date, source, recorded_by)
    VALUES (@idempotency_key, @request_hash, @pupil_id, @school_urn, @la_code, @kind,
            @activity_code, @effective_date, @source, @recorded_by)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING *
)
SELECT * FROM ins
UNION ALL
SELECT * FROM tracking.destinations WHERE idempotency_key = @idempotency_key
LIMIT 1;

-- name: ListDestinations :many
-- ListDestinations returns a pupil's destinations that the scope covers,
-- newest recorded first, after the cursor when after_recorded_at is not
-- NULL. The scope is auth.Filter's: sees_all, else one school when
-- school_urn is not empty, else the la_codes (none when empty). The
-- pupil's index finds the rows, so the scope is only a filter on them.
SELECT * FROM tracking.destinations
WHERE pupil_id = @pupil_id
  AND (@sees_all::boolean
       OR school_urn = @school_urn
       OR (@school_urn = '' AND la_code = ANY(@la_codes::text[])))
  AND (sqlc.narg(after_recorded_at)::timestamptz IS NULL
       OR (recorded_at, id) < (sqlc.narg(after_recorded_at), sqlc.narg(after_id)::uuid))
ORDER BY recorded_at DESC, id DESC
LIMIT @max_rows;

-- name: LatestDestinations :many
-- LatestDestinations picks each pupil's latest destination: the firmest
-- kind held, then the latest effective date, then the latest recorded
-- (destinations_latest_idx's order). store.EachLatestDestination, the
-- export, applies the same order to the pupils of an area.
SELECT DISTINCT ON (pupil_id) *
FROM tracking.destinations
WHERE pupil_id = ANY(@pupil_ids::uuid[])
ORDER BY pupil_id, firmness DESC, effective_date DESC, recorded_at DESC, id DESC;
