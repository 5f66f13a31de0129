-- Attendance: a register is checked against its bookings and their days,
-- copied into attendance_staging (attendance_staging.sql) and merged with
-- one statement.

-- name: BookingsForAttendance :many
-- Locks the bookings against a concurrent cancellation until the marks are
-- written.
SELECT id, opportunity_id, pupil_id, school_urn, la_code, (cancelled_at IS NOT NULL)::boolean AS cancelled
FROM placement.bookings
WHERE id = ANY((@ids::text[])::uuid[])
FOR SHARE;

-- name: ScheduledDays :many
SELECT opportunity_id, day FROM placement.opportunity_days WHERE opportunity_id = ANY((@opportunity_ids::text[])::uuid[]);

-- name: UpsertAttendance :execrows
-- A mark already recorded as given is left alone and not counted.
INSERT INTO placement.attendance (booking_id, opportunity_id, pupil_id, day, half_days, recorded_by)
SELECT booking_id, opportunity_id, pupil_id, day, half_days, @recorded_by::text FROM attendance_staging
ON CONFLICT (booking_id, day) DO UPDATE
    SET half_days = excluded.half_days, recorded_by = excluded.recorded_by, recorded_at = now()
    WHERE placement.attendance.half_days <> excluded.half_days;

-- name: LockPupilRevisions :exec
-- Takes the register's pupils' revision rows (migration 00003), in id
-- order, before UpsertAttendance writes, making those missing at 0. The
-- upsert's statement triggers bump the pupils of the marks it changed (its
-- UPDATE trigger) and then of those it added (its INSERT trigger): without
-- this, two registers of one class, one adding the marks the other changes,
-- would take the same rows in opposite orders and could deadlock. With it,
-- registers sharing a pupil take turns from here. DO UPDATE ... WHERE false
-- locks the rows that exist without writing them.
INSERT INTO placement.pupil_revisions AS r (pupil_id, revision)
SELECT DISTINCT p.pupil_id, 0 FROM unnest((@pupil_ids::text[])::uuid[]) AS p(pupil_id)
ORDER BY p.pupil_id
ON CONFLICT (pupil_id) DO UPDATE SET revision = r.revision WHERE false;
