-- name: GetPupil :one
SELECT sqlc.embed(p), s.la_code
FROM pupil.pupils p JOIN pupil.schools s ON s.urn = p.school_urn
WHERE p.id = @id;

-- name: GetPupilForUpdate :one
-- The pupil, locked until the transaction ends.
SELECT sqlc.embed(p), s.la_code
FROM pupil.pupils p JOIN pupil.schools s ON s.urn = p.school_urn
WHERE p.id = @id
FOR UPDATE OF p;

-- name: PupilByUPN :one
SELECT sqlc.embed(p), s.la_code
FROM pupil.pupils p JOIN pupil.schools s ON s.urn = p.school_urn
WHERE p.upn = @upn;

-- name: PupilByIdempotencyKey :one
-- The pupil CreatePupil made under the key, with the fingerprint of the
-- request that made it (p.request_hash).
SELECT sqlc.embed(p), s.la_code
FROM pupil.pupils p JOIN pupil.schools s ON s.urn = p.school_urn
WHERE p.idempotency_key = @idempotency_key::uuid;

-- name: InsertPupil :exec
-- A new pupil, unless a pupil was made under the idempotency key already.
INSERT INTO pupil.pupils (
    id, idempotency_key, request_hash,
    upn, legal_surname, legal_forename, preferred_surname, preferred_forename,
    date_of_birth, school_urn, joined_on, left_on, leaving_reason,
    year_group_offset, entry_year,
    attendance_percent, attendance_as_at,
    suspensions, suspensions_as_at,
    permanent_exclusions, permanent_exclusions_as_at,
    sen_status, sen_as_at,
    fsm_eligible, fsm_as_at,
    looked_after, looked_after_as_at,
    young_carer, young_carer_as_at,
    child_in_need, child_in_need_as_at,
    alternative_provision, alternative_provision_as_at,
    youth_justice, youth_justice_as_at,
    young_parent, young_parent_as_at,
    home_educated, home_educated_as_at,
    mental_health, mental_health_as_at,
    eal, eal_as_at,
    school_moves, school_moves_as_at,
    ks2_reading_score, ks2_reading_as_at,
    ks2_maths_score, ks2_maths_as_at,
    residence_la_code, resident_since
) VALUES (
    @id, @idempotency_key::uuid, @request_hash,
    @upn, @legal_surname, @legal_forename, @preferred_surname, @preferred_forename,
    @date_of_birth, @school_urn, @joined_on, @left_on, @leaving_reason,
    @year_group_offset, @entry_year,
    @attendance_percent, @attendance_as_at,
    @suspensions, @suspensions_as_at,
    @permanent_exclusions, @permanent_exclusions_as_at,
    @sen_status, @sen_as_at,
    @fsm_eligible, @fsm_as_at,
    @looked_after, @looked_after_as_at,
    @young_carer, @young_carer_as_at,
    @child_in_need, @child_in_need_as_at,
    @alternative_provision, @alternative_provision_as_at,
    @youth_justice, @youth_justice_as_at,
    @young_parent, @young_parent_as_at,
    @home_educated, @home_educated_as_at,
    @mental_health, @mental_health_as_at,
    @eal, @eal_as_at,
    @school_moves, @school_moves_as_at,
    @ks2_reading_score, @ks2_reading_as_at,
    @ks2_maths_score, @ks2_maths_as_at,
    @residence_la_code, @resident_since
)
ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING;

-- name: UpdatePupil :exec
-- Replaces everything a record sets, and moves the version on.
UPDATE pupil.pupils SET
    upn = @upn,
    legal_surname = @legal_surname,
    legal_forename = @legal_forename,
    preferred_surname = @preferred_surname,
    preferred_forename = @preferred_forename,
    date_of_birth = @date_of_birth,
    school_urn = @school_urn,
    joined_on = @joined_on,
    left_on = @left_on,
    leaving_reason = @leaving_reason,
    year_group_offset = @year_group_offset,
    entry_year = @entry_year,
    attendance_percent = @attendance_percent,
    attendance_as_at = @attendance_as_at,
    suspensions = @suspensions,
    suspensions_as_at = @suspensions_as_at,
    permanent_exclusions = @permanent_exclusions,
    permanent_exclusions_as_at = @permanent_exclusions_as_at,
    sen_status = @sen_status,
    sen_as_at = @sen_as_at,
    fsm_eligible = @fsm_eligible,
    fsm_as_at = @fsm_as_at,
    looked_after = @looked_after,
    looked_after_as_at = @looked_after_as_at,
    young_carer = @young_carer,
    young_carer_as_at = @young_carer_as_at,
    child_in_need = @child_in_need,
    child_in_need_as_at = @child_in_need_as_at,
    alternative_provision = @alternative_provision,
    alternative_provision_as_at = @alternative_provision_as_at,
    youth_justice = @youth_justice,
    youth_justice_as_at = @youth_justice_as_at,
    young_parent = @young_parent,
    young_parent_as_at = @young_parent_as_at,
    home_educated = @home_educated,
    home_educated_as_at = @home_educated_as_at,
    mental_health = @mental_health,
    mental_health_as_at = @mental_health_as_at,
    eal = @eal,
    eal_as_at = @eal_as_at,
    school_moves = @school_moves,
    school_moves_as_at = @school_moves_as_at,
    ks2_reading_score = @ks2_reading_score,
    ks2_reading_as_at = @ks2_reading_as_at,
    ks2_maths_score = @ks2_maths_score,
    ks2_maths_as_at = @ks2_maths_as_at,
    version = version + 1,
    updated_at = now()
WHERE id = @id;

-- name: InsertSchoolHistory :exec
-- An enrolment the pupil has left, kept when they move school.
INSERT INTO pupil.school_history (pupil_id, school_urn, joined_on, left_on, leaving_reason)
VALUES (@pupil_id, @school_urn, @joined_on, @left_on, @leaving_reason);

-- name: LocatePupils :many
-- Where each pupil of ids in scope is on roll, in the order of ids; unknown
-- ids are left out.
-- An LA's scope covers the pupils of its schools and its residents.
SELECT p.id::text AS pupil_id, p.school_urn, s.la_code, p.residence_la_code
FROM unnest((@ids::text[])::uuid[]) WITH ORDINALITY AS want(id, n)
JOIN pupil.pupils p ON p.id = want.id
JOIN pupil.schools s ON s.urn = p.school_urn
WHERE (@scope_all::boolean OR s.la_code = ANY(@scope_la_codes::text[]) OR s.urn = @scope_school_urn::text
       OR p.residence_la_code = ANY(@scope_la_codes::text[]))
ORDER BY want.n;

-- name: SetResidence :exec
-- Records where pupil id lives. store.SetResidence keeps the residence
-- left in the history first.
UPDATE pupil.pupils
SET residence_la_code = @la_code, resident_since = @resident_since, version = version + 1, updated_at = now()
WHERE id = @id;

-- name: InsertResidenceHistory :exec
-- A residence the pupil has left, kept when they move to another LA.
INSERT INTO pupil.residence_history (pupil_id, la_code, resident_since, moved_on, transferred_to)
VALUES (@pupil_id, @la_code, @resident_since, @moved_on, @transferred_to);

-- name: ResidenceHistory :many
-- The residences pupil_id has left, oldest first.
SELECT la_code, resident_since, moved_on, transferred_to
FROM pupil.residence_history
WHERE pupil_id = @pupil_id
ORDER BY moved_on, id;

-- name: ResidenceTransfers :many
-- Up to max_transfers moves into or out of la_code on or after since, in
-- order of the day they moved then id, after the (moved_on, id) of the
-- page before: NCCIS's "moving between LA areas". Only ids, LAs and dates:
-- the old LA learns when and where a young person went, nothing else.
SELECT id, pupil_id::text AS pupil_id, la_code, transferred_to, moved_on
FROM pupil.residence_history
WHERE (la_code = @la_code OR transferred_to = @la_code)
  AND moved_on >= @since::date
  AND (moved_on, id) > (@after_moved_on::date, @after_id::bigint)
ORDER BY moved_on, id
LIMIT @max_transfers;

-- name: Residents :many
-- The young people of academic age min_age to max_age in the academic year
-- starting in year (their age on 31 August of year), each with the LA whose
-- caseload they are in: where they live, or their school's LA until a
-- residence is recorded; only those in the caseload of la_code unless it
-- is empty. Ids, LAs and ages only.
SELECT p.id::text AS pupil_id,
       COALESCE(p.residence_la_code, s.la_code)::text AS la_code,
       (sqlc.arg(year)::int - date_part('year', p.date_of_birth)::int
        - (date_part('month', p.date_of_birth) >= 9)::int)::int AS academic_age
FROM pupil.pupils p JOIN pupil.schools s ON s.urn = p.school_urn
WHERE p.date_of_birth > make_date(sqlc.arg(year)::int - sqlc.arg(max_age)::int - 1, 8, 31)
  AND p.date_of_birth <= make_date(sqlc.arg(year)::int - sqlc.arg(min_age)::int, 8, 31)
  AND (sqlc.arg(la_code)::text = '' OR COALESCE(p.residence_la_code, s.la_code) = sqlc.arg(la_code)::text)
ORDER BY p.id;
