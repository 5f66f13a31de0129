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
    ks2_maths_score, ks2_maths_as_at
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
    @ks2_maths_score, @ks2_maths_as_at
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
SELECT p.id::text AS pupil_id, p.school_urn, s.la_code
FROM unnest(@ids::uuid[]) WITH ORDINALITY AS want(id, n)
JOIN pupil.pupils p ON p.id = want.id
JOIN pupil.schools s ON s.urn = p.school_urn
WHERE (@scope_all::boolean OR s.la_code = ANY(@scope_la_codes::text[]) OR s.urn = @scope_school_urn::text)
ORDER BY want.n;
