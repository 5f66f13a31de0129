-- +goose Up
-- CreditedDays (internal/store/queries/credits.sql) reads a cohort's
-- bookings by pupil and each booking's marks by booking: a few rows a
-- pupil, but each on a heap page of its own, since a pupil's bookings and
-- marks are written a year apart among everyone else's. At a region's
-- 1.3 million bookings and 1.6 million marks those pages outgrow
-- shared_buffers, and a cohort of 200 read some 2,000 of them. The two
-- indexes now carry every column the query reads, so both reads are
-- index-only, a pupil's bookings side by side in one leaf page and a
-- booking's marks in another.
DROP INDEX placement.bookings_pupil_idx;
CREATE INDEX bookings_pupil_idx ON placement.bookings (pupil_id)
    INCLUDE (id, opportunity_id, cancelled_at, school_urn, la_code);
-- The key stays (booking_id, day); its index gains the mark.
CREATE UNIQUE INDEX attendance_booking_day_key ON placement.attendance (booking_id, day)
    INCLUDE (opportunity_id, half_days);
ALTER TABLE placement.attendance DROP CONSTRAINT attendance_pkey,
    ADD CONSTRAINT attendance_pkey PRIMARY KEY USING INDEX attendance_booking_day_key;

-- +goose Down
ALTER TABLE placement.attendance DROP CONSTRAINT attendance_pkey,
    ADD CONSTRAINT attendance_pkey PRIMARY KEY (booking_id, day);
DROP INDEX placement.bookings_pupil_idx;
CREATE INDEX bookings_pupil_idx ON placement.bookings (pupil_id);
