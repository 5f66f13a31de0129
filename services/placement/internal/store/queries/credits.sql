-- The figures derived from attendance: they are never stored. Both filter
-- bookings by scope as ListBookings does: every booking, those of some
-- local authorities, or those of one school (auth.Filter).

-- name: CreditedDays :many
-- Sums credit.Credit over every mark in one statement: only experience
-- kinds, only live bookings in scope, marks on or before as_of, each mark
-- capped by its day's session. Beside it, it counts the encounters (the
-- other kinds: talks, careers fairs, mentoring) attended from
-- encounters_from to as_of. One row per requested pupil, in request order.
--
-- It starts from the cohort: its live bookings in scope by pupil_id, read
-- from their index alone (migration 00005), and its marks by pupil_id
-- (migration 00006), one index descent a pupil for each, so a cohort costs
-- what its own marks cost, however many the region holds. The days and
-- kinds of the few opportunities those marks are on (a school's cohort goes
-- on the same few) are read once each, not once a mark, and the sums are
-- made per pupil before the cohort's rows are joined to them. Written as
-- the one join of all five tables, PostgreSQL looked up an opportunity and
-- its day for every mark and joined the cohort to every pupil's marks once
-- per pupil: for a cohort of 200 in make bench-region's database, 17,488
-- buffers and 33-50 ms where this reads 1,288 in 9-15 ms
-- (docs/benchmarks.md).
WITH cohort AS MATERIALIZED (
    SELECT pupil_id, n FROM unnest((@pupil_ids::text[])::uuid[]) WITH ORDINALITY AS p(pupil_id, n)
), live AS MATERIALIZED (
    SELECT b.id
    FROM cohort p
    JOIN placement.bookings b ON b.pupil_id = p.pupil_id
    WHERE b.cancelled_at IS NULL
      AND (@scope_all::boolean OR b.la_code = ANY(@scope_la_codes::text[]) OR b.school_urn = @scope_school_urn::text)
), marks AS MATERIALIZED (
    SELECT a.pupil_id, a.opportunity_id, a.day, a.half_days
    FROM cohort p
    JOIN placement.attendance a ON a.pupil_id = p.pupil_id
    WHERE a.day <= @as_of::date
      AND a.booking_id IN (SELECT id FROM live)
), days AS MATERIALIZED (
    SELECT d.opportunity_id, d.day, d.half_days, o.kind = ANY(@experience_kinds::text[]) AS experience
    FROM placement.opportunity_days d
    JOIN placement.opportunities o ON o.id = d.opportunity_id
    WHERE d.opportunity_id = ANY(ARRAY(SELECT DISTINCT opportunity_id FROM marks))
), credited AS (
    SELECT m.pupil_id, m.opportunity_id, m.day, LEAST(m.half_days, d.half_days) AS half_days, d.experience
    FROM marks m
    JOIN days d ON d.opportunity_id = m.opportunity_id AND d.day = m.day
), pupils AS (
    SELECT c.pupil_id,
        sum(c.half_days) FILTER (WHERE c.experience) AS half_days,
        count(DISTINCT c.opportunity_id) FILTER (WHERE c.experience AND c.half_days > 0) AS experiences,
        count(DISTINCT c.opportunity_id) FILTER (WHERE NOT c.experience AND c.half_days > 0
                                                 AND c.day >= @encounters_from::date) AS encounters
    FROM credited c
    GROUP BY c.pupil_id
)
SELECT p.pupil_id::text AS pupil_id,
    COALESCE(s.half_days, 0)::int AS half_days,
    COALESCE(s.experiences, 0)::int AS experiences,
    COALESCE(s.encounters, 0)::int AS encounters,
    (s.pupil_id IS NOT NULL)::boolean AS seen
FROM cohort p
LEFT JOIN pupils s ON s.pupil_id = p.pupil_id
ORDER BY p.n;

-- name: Engagement :many
-- Counts the opportunities running in the period (unscoped: they are
-- visible to all staff) and, in scope, their live bookings, the pupils
-- booked and the half days credited by attendance in the period, per
-- employer sector and size band, with how many of those bookings and half
-- days were with cornerstone employers. A NULL end leaves the period open
-- on that side. Marks are summed per booking first, so the final grouping
-- sees one row per booking rather than one per mark.
WITH running AS (
    SELECT o.id, o.kind, e.sector, e.size_band, e.cornerstone
    FROM placement.opportunities o
    JOIN placement.employers e ON e.id = o.employer_id
    WHERE EXISTS (SELECT 1 FROM placement.opportunity_days d WHERE d.opportunity_id = o.id
                  AND (sqlc.narg(period_from)::date IS NULL OR d.day >= sqlc.narg(period_from)::date)
                  AND (sqlc.narg(period_to)::date IS NULL OR d.day <= sqlc.narg(period_to)::date))
), booked AS (
    SELECT b.opportunity_id, b.pupil_id, COALESCE(sum(LEAST(a.half_days, d.half_days)), 0) AS half_days
    FROM placement.bookings b
    JOIN running r ON r.id = b.opportunity_id
    LEFT JOIN placement.attendance a ON a.booking_id = b.id
         AND (sqlc.narg(period_from)::date IS NULL OR a.day >= sqlc.narg(period_from)::date)
         AND (sqlc.narg(period_to)::date IS NULL OR a.day <= sqlc.narg(period_to)::date)
    LEFT JOIN placement.opportunity_days d ON d.opportunity_id = a.opportunity_id AND d.day = a.day
    WHERE b.cancelled_at IS NULL
      AND (@scope_all::boolean OR b.la_code = ANY(@scope_la_codes::text[]) OR b.school_urn = @scope_school_urn::text)
    GROUP BY b.id
)
SELECT r.sector, r.size_band,
    count(DISTINCT r.id)::int AS opportunities,
    (count(DISTINCT r.id) FILTER (WHERE r.kind = ANY(@experience_kinds::text[])))::int AS experiences,
    count(bk.pupil_id)::int AS bookings,
    count(DISTINCT bk.pupil_id)::int AS pupils,
    COALESCE(sum(bk.half_days) FILTER (WHERE r.kind = ANY(@experience_kinds::text[])), 0)::bigint AS half_days,
    (count(bk.pupil_id) FILTER (WHERE r.cornerstone))::int AS cornerstone_bookings,
    COALESCE(sum(bk.half_days) FILTER (WHERE r.kind = ANY(@experience_kinds::text[]) AND r.cornerstone), 0)::bigint AS cornerstone_half_days
FROM running r
LEFT JOIN booked bk ON bk.opportunity_id = r.id
GROUP BY r.sector, r.size_band;

-- name: PupilsRevision :one
-- The sum of the pupils' revisions (migration 00003: counters every write
-- to what CreditedDays reads of a pupil bumps), 0 for none. Scoped as
-- CreditedDays is, by the pupil's bookings, but counting a pupil with any
-- booking in scope, cancelled or not: a cancellation lowers their credit,
-- and were it to drop them from the sum, the sum could fall and later
-- climb back to a value a reader had already seen.
SELECT COALESCE(sum(r.revision), 0)::bigint AS revision
FROM placement.pupil_revisions r
WHERE r.pupil_id = ANY((@pupil_ids::text[])::uuid[])
  AND (@scope_all::boolean OR EXISTS (
        SELECT 1 FROM placement.bookings b
        WHERE b.pupil_id = r.pupil_id
          AND (b.la_code = ANY(@scope_la_codes::text[]) OR b.school_urn = @scope_school_urn::text)));

-- name: PupilChanges :many
-- The pupils whose revision moved in a transaction that the position
-- after (a pg_snapshot; kit/changefeed) could not see, at most max_rows of
-- them. The order is what makes PostgreSQL read the index on changed_xact:
-- it has no statistics to tell how few rows an xid8 range holds, takes it
-- for a third of the table, and without an order scans the whole table
-- for the first max_rows of them (60 ms a call at a region's 280,000
-- pupils, most often to find none); in order, the index stops at once.
SELECT pupil_id FROM placement.pupil_revisions
WHERE changed_xact >= pg_snapshot_xmin((@after::text)::pg_snapshot)
  AND NOT pg_visible_in_snapshot(changed_xact, (@after::text)::pg_snapshot)
ORDER BY changed_xact
LIMIT @max_rows;
