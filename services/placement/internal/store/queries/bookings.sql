-- Bookings. A booking locks its opportunity's row first (LockOpportunity),
-- so bookings of one opportunity take turns; booked counts the live ones.

-- name: LockOpportunity :one
-- Locks the opportunity's row until the transaction ends; its free places.
SELECT capacity - booked AS free FROM placement.opportunities WHERE id = @id FOR UPDATE;

-- name: TakePlaces :exec
-- The table's CHECK refuses more places than the capacity whatever the
-- caller checked.
UPDATE placement.opportunities SET booked = booked + @places::int WHERE id = @id;

-- name: GiveBackPlace :exec
UPDATE placement.opportunities SET booked = booked - 1 WHERE id = @id;

-- name: FirstAlreadyBooked :one
-- The position (from 1) of the first pupil with a live booking on the
-- opportunity, or 0.
SELECT coalesce(min(p.n), 0)::int AS position
FROM unnest((@pupil_ids::text[])::uuid[]) WITH ORDINALITY AS p(pupil_id, n)
JOIN placement.bookings b ON b.pupil_id = p.pupil_id
WHERE b.opportunity_id = @opportunity_id AND b.cancelled_at IS NULL;

-- name: BookingByKey :one
SELECT id, request_hash FROM placement.bookings WHERE idempotency_key = @idempotency_key;

-- name: BookingsByKeys :many
-- In the order of the keys.
SELECT b.id, b.request_hash
FROM unnest((@idempotency_keys::text[])::uuid[]) WITH ORDINALITY AS k(idempotency_key, n)
JOIN placement.bookings b ON b.idempotency_key = k.idempotency_key
ORDER BY k.n;

-- name: InsertBooking :one
INSERT INTO placement.bookings (idempotency_key, request_hash, opportunity_id, pupil_id, school_urn, la_code)
VALUES (@idempotency_key, @request_hash, @opportunity_id, @pupil_id, @school_urn, @la_code)
RETURNING id;

-- name: InsertBookings :copyfrom
-- A group booking's, all at once.
INSERT INTO placement.bookings (idempotency_key, request_hash, opportunity_id, pupil_id, school_urn, la_code)
VALUES (@idempotency_key, @request_hash, @opportunity_id, @pupil_id, @school_urn, @la_code);

-- name: GetBooking :one
-- With its opportunity's kind, which decides what its attendance credits.
SELECT sqlc.embed(b), o.kind
FROM placement.bookings b
JOIN placement.opportunities o ON o.id = b.opportunity_id
WHERE b.id = @id;

-- name: GetBookings :many
-- GetBooking for each of ids, in the same order.
SELECT sqlc.embed(b), o.kind
FROM unnest((@ids::text[])::uuid[]) WITH ORDINALITY AS i(id, n)
JOIN placement.bookings b ON b.id = i.id
JOIN placement.opportunities o ON o.id = b.opportunity_id
ORDER BY i.n;

-- name: ListBookings :many
-- Oldest first, after the cursor (created_at, id), in scope. An empty
-- opportunity or pupil id does not filter; a cancelled booking is listed
-- only when asked for.
--
-- The scope filter, here and in credits.sql: every booking, those of some
-- local authorities, or those of one school (auth.Filter).
SELECT sqlc.embed(b), o.kind
FROM placement.bookings b
JOIN placement.opportunities o ON o.id = b.opportunity_id
WHERE (@opportunity_id::text = '' OR b.opportunity_id = NULLIF(@opportunity_id::text, '')::uuid)
  AND (@pupil_id::text = '' OR b.pupil_id = NULLIF(@pupil_id::text, '')::uuid)
  AND (@include_cancelled::boolean OR b.cancelled_at IS NULL)
  AND (@scope_all::boolean OR b.la_code = ANY(@scope_la_codes::text[]) OR b.school_urn = @scope_school_urn::text)
  AND (b.created_at, b.id) > (@after_created_at::timestamptz, @after_id::uuid)
ORDER BY b.created_at, b.id
LIMIT @max_rows;

-- name: AttendanceOfBookings :many
-- Each mark with the session its day runs, by booking and then date.
SELECT a.booking_id, a.day, a.half_days AS mark, d.half_days AS session
FROM placement.attendance a
JOIN placement.opportunity_days d ON d.opportunity_id = a.opportunity_id AND d.day = a.day
WHERE a.booking_id = ANY((@booking_ids::text[])::uuid[])
ORDER BY a.booking_id, a.day;

-- name: LockBooking :one
-- Locks the booking's row until the transaction ends.
SELECT version, (cancelled_at IS NOT NULL)::boolean AS cancelled, opportunity_id
FROM placement.bookings WHERE id = @id FOR UPDATE;

-- name: CancelBooking :exec
UPDATE placement.bookings SET cancelled_at = now(), version = version + 1, updated_at = now() WHERE id = @id;
