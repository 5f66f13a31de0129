-- name: InsertDestination :one
-- InsertDestination records a destination unless one with the idempotency
-- key exists, and returns the stored row either way, with the fingerprint
-- of the request that made it.
WITH ins AS (
    INSERT INTO tracking.destinations (idempotency_key, request_hash, pupil_id, school_urn, la_code, kind,
                                       activity_code, effective_date, source, recorded_by, review_on, recorded_at, provider,
                                       early_leaver)
    VALUES (@idempotency_key, @request_hash, @pupil_id, @school_urn, @la_code, @kind,
            @activity_code, @effective_date, @source, @recorded_by, @review_on, @recorded_at, @provider,
            @early_leaver)
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
WHERE pupil_id = ANY((@pupil_ids::text[])::uuid[])
ORDER BY pupil_id, firmness DESC, effective_date DESC, recorded_at DESC, id DESC;

-- name: ConfirmCurrency :many
-- ConfirmCurrency records again, as ascertained at recorded_at, the latest confirmed
-- activity of each pupil of pupil_ids, at the school and LA given for it
-- (where the pupil service says they are on roll now), and returns the new
-- rows. A pupil with no confirmed activity gets none.
INSERT INTO tracking.destinations (idempotency_key, pupil_id, school_urn, la_code, kind,
                                   activity_code, effective_date, source, recorded_by, review_on, recorded_at, provider)
SELECT gen_random_uuid(), d.pupil_id, w.school_urn, w.la_code, 'confirmed',
       d.activity_code, d.effective_date, @source, @recorded_by, d.review_on, @recorded_at, d.provider
FROM (SELECT unnest((@pupil_ids::text[])::uuid[]) AS pupil_id, unnest(@school_urns::text[]) AS school_urn,
             unnest(@la_codes::text[]) AS la_code) w
JOIN LATERAL (
    SELECT * FROM tracking.destinations x
    WHERE x.pupil_id = w.pupil_id AND x.kind = 'confirmed'
    ORDER BY x.effective_date DESC, x.recorded_at DESC, x.id DESC
    LIMIT 1
) d ON true
RETURNING *;

-- name: ConfirmedActivities :many
-- ConfirmedActivities lists the confirmed activities of pupil_ids, each
-- pupil's newest first, to find what a NEET activity followed.
SELECT pupil_id, activity_code, effective_date
FROM tracking.destinations
WHERE pupil_id = ANY((@pupil_ids::text[])::uuid[]) AND kind = 'confirmed'
ORDER BY pupil_id, effective_date DESC, recorded_at DESC, id DESC;

-- name: MeasureActivities :many
-- MeasureActivities lists the confirmed activities of pupil_ids with when
-- each was recorded and its review date, each pupil's oldest first, for
-- the measures (package measures).
SELECT pupil_id, activity_code, effective_date, recorded_at, review_on
FROM tracking.destinations
WHERE pupil_id = ANY((@pupil_ids::text[])::uuid[]) AND kind = 'confirmed'
ORDER BY pupil_id, effective_date, recorded_at, id;
