-- name: AllocationOpportunities :many
-- The opportunities an allocation proposal places pupils on, as the
-- allocation package reads them: free places, the dates they span, the
-- year groups they take, their employer's sector and size band, and where
-- they are with their travel limit.
SELECT o.id, o.capacity, o.booked, o.year_groups, e.sector, e.size_band, o.latitude, o.longitude, o.max_travel_km,
    (SELECT min(d.day) FROM placement.opportunity_days d WHERE d.opportunity_id = o.id)::date AS first_day,
    (SELECT max(d.day) FROM placement.opportunity_days d WHERE d.opportunity_id = o.id)::date AS last_day
FROM placement.opportunities o
JOIN placement.employers e ON e.id = o.employer_id
WHERE o.id = ANY((@opportunity_ids::text[])::uuid[])
ORDER BY o.id;

-- name: PupilsBookedDates :many
-- The live bookings of pupil_ids with the dates they span and their
-- employer's sector: what a pupil is busy on and which sectors they have
-- seen, for allocation.
SELECT b.pupil_id, b.opportunity_id, e.sector,
    (SELECT min(d.day) FROM placement.opportunity_days d WHERE d.opportunity_id = b.opportunity_id)::date AS first_day,
    (SELECT max(d.day) FROM placement.opportunity_days d WHERE d.opportunity_id = b.opportunity_id)::date AS last_day
FROM placement.bookings b
JOIN placement.opportunities o ON o.id = b.opportunity_id
JOIN placement.employers e ON e.id = o.employer_id
WHERE b.pupil_id = ANY((@pupil_ids::text[])::uuid[]) AND b.cancelled_at IS NULL
ORDER BY b.pupil_id, first_day, b.opportunity_id;
