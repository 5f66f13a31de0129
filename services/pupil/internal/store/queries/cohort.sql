-- name: CohortMembers :many
-- The members of a cohort (a school's pupils of one entry year, on roll
-- at any time between first_day and last_day) visible in scope, in pupil
-- id order after the id after, at most max_members of them (all if NULL).
-- Pupils on the school's roll now and pupils whose past enrolment there
-- overlaps the year are both found by the indexed (school, entry year). A
-- pupil who left and came back is listed once, by their current enrolment;
-- joined_on and left_on are the dates of the enrolment found.
WITH members AS (
    SELECT p.id, p.joined_on, p.left_on, 0 AS rank FROM pupil.pupils p
    WHERE p.school_urn = @school_urn AND p.entry_year = @entry_year
      AND (p.joined_on IS NULL OR p.joined_on <= @last_day::date) AND (p.left_on IS NULL OR p.left_on >= @first_day::date)
    UNION ALL
    SELECT h.pupil_id, h.joined_on, h.left_on, 1 FROM pupil.school_history h
    JOIN pupil.pupils p ON p.id = h.pupil_id
    WHERE h.school_urn = @school_urn AND p.entry_year = @entry_year
      AND (h.joined_on IS NULL OR h.joined_on <= @last_day::date) AND h.left_on >= @first_day::date
)
SELECT DISTINCT ON (m.id) m.joined_on, m.left_on, sqlc.embed(p), s.la_code
FROM members m
JOIN pupil.pupils p ON p.id = m.id
JOIN pupil.schools s ON s.urn = @school_urn
WHERE (@scope_all::boolean OR s.la_code = ANY(@scope_la_codes::text[]) OR s.urn = @scope_school_urn::text)
  AND m.id > @after::uuid
ORDER BY m.id, m.rank
LIMIT sqlc.narg(max_members)::bigint;

-- name: EHCMembers :many
-- The cohort past Year 13 that an LA tracks to 25 (NCCIS): the school's
-- pupils, on its roll now or last, of entry years min_entry to max_entry
-- (academic age 18 up to the LA's limit) with an EHC plan recorded,
-- visible in scope, in pupil id order after the id after, at most
-- max_members of them (all if NULL). Their enrolment's dates do not
-- matter: most left school years ago.
SELECT p.joined_on, p.left_on, sqlc.embed(p), s.la_code
FROM pupil.pupils p
JOIN pupil.schools s ON s.urn = p.school_urn
WHERE p.school_urn = @school_urn
  AND p.entry_year BETWEEN @min_entry::smallint AND @max_entry::smallint
  AND p.sen_status = 'ehc_plan'
  AND (@scope_all::boolean OR s.la_code = ANY(@scope_la_codes::text[]) OR s.urn = @scope_school_urn::text)
  AND p.id > @after::uuid
ORDER BY p.id
LIMIT sqlc.narg(max_members)::bigint;
