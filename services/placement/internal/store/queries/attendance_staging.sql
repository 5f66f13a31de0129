-- RecordAttendance's staging table. sqlc.yaml reads this file as schema as
-- well as queries, so CopyAttendanceStaging and UpsertAttendance are checked
-- against the very DDL CreateAttendanceStaging runs.

-- name: CreateAttendanceStaging :exec
-- One per transaction, gone at its end.
CREATE TEMPORARY TABLE attendance_staging (
    booking_id     uuid NOT NULL,
    opportunity_id uuid NOT NULL,
    pupil_id       uuid NOT NULL,
    day            date NOT NULL,
    half_days      smallint NOT NULL
) ON COMMIT DROP;

-- name: CopyAttendanceStaging :copyfrom
INSERT INTO attendance_staging (booking_id, opportunity_id, pupil_id, day, half_days)
VALUES (@booking_id, @opportunity_id, @pupil_id, @day, @half_days);
