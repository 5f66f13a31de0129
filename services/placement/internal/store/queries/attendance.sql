-- Attendance: a register is checked against its bookings and their days,
-- copied into attendance_staging (attendance_staging.sql) and merged with
-- one statement.

-- name: BookingsForAttendance :many
-- Locks the bookings against a concurrent cancellation until the marks are
-- written.
SELECT id, opportunity_id, pupil_id, school_urn, la_code, (cancelled_at IS NOT NULL)::boolean AS cancelled
FROM placement.bookings
WHERE id = ANY(@ids::uuid[])
FOR SHARE;

-- name: ScheduledDays :many
SELECT opportunity_id, day FROM placement.opportunity_days WHERE opportunity_id = ANY(@opportunity_ids::uuid[]);

-- name: UpsertAttendance :execrows
-- A mark already recorded as given is left alone and not counted.
INSERT INTO placement.attendance (booking_id, opportunity_id, day, half_days, recorded_by)
SELECT booking_id, opportunity_id, day, half_days, @recorded_by::text FROM attendance_staging
ON CONFLICT (booking_id, day) DO UPDATE
    SET half_days = excluded.half_days, recorded_by = excluded.recorded_by, recorded_at = now()
    WHERE placement.attendance.half_days <> excluded.half_days;
