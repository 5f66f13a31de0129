-- The import's staging table: the columns of a pupil a record sets, plus the
-- row's place in the file. Temporary, so private to the transaction's
-- session, and dropped at commit. store.Import runs this file as it is; sqlc
-- reads it to check the import's queries.
CREATE TEMPORARY TABLE pg_temp.pupil_import ON COMMIT DROP AS
SELECT
    id,
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
    first_language, first_language_as_at,
    ks2_reading_score, ks2_reading_as_at,
    ks2_maths_score, ks2_maths_as_at,
    residence_la_code, resident_since,
    0 AS row_no,
    '' AS location
FROM pupil.pupils
WITH NO DATA;
