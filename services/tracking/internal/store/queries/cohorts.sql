-- name: GetCohort :one
SELECT cohort_key, school_urn, la_code, last_pass_token, last_synced_at
FROM tracking.cohorts WHERE cohort_key = @cohort_key;

-- name: LockCohort :one
-- LockCohort returns the cohort, inserting it with this school and local
-- authority if it is new: the first sync pins them, and a later sync is
-- compared with what it returns. The no-op update makes the statement lock
-- and return an existing row; the lock holds until the transaction ends,
-- so syncs of one cohort run one after another.
INSERT INTO tracking.cohorts (cohort_key, school_urn, la_code)
VALUES (@cohort_key, @school_urn, @la_code)
ON CONFLICT (cohort_key) DO UPDATE SET cohort_key = excluded.cohort_key
RETURNING cohort_key, school_urn, la_code, last_pass_token, last_synced_at;

-- name: SetCohortPassToken :exec
UPDATE tracking.cohorts SET last_pass_token = @pass_token, last_synced_at = now()
WHERE cohort_key = @cohort_key;
