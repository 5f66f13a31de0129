-- name: SetRiskReview :one
-- Records the review, replacing any before it. Setting the same decision,
-- reason and date again keeps the row as it was (who and when included).
INSERT INTO pupil.risk_reviews AS r (pupil_id, decision, reason, review_on, decided_by)
VALUES (@pupil_id, @decision, @reason, @review_on, @decided_by)
ON CONFLICT (pupil_id) DO UPDATE
SET decision = excluded.decision, reason = excluded.reason, review_on = excluded.review_on,
    decided_by = excluded.decided_by, decided_at = now()
WHERE (r.decision, r.reason, r.review_on) IS DISTINCT FROM (excluded.decision, excluded.reason, excluded.review_on)
RETURNING *;

-- name: GetRiskReview :one
SELECT * FROM pupil.risk_reviews WHERE pupil_id = @pupil_id;

-- name: ClearRiskReview :exec
DELETE FROM pupil.risk_reviews WHERE pupil_id = @pupil_id;

-- name: RiskReviews :many
-- The reviews of the pupils with ids, in force on @today: not yet lapsed.
SELECT * FROM pupil.risk_reviews
WHERE pupil_id = ANY((@ids::text[])::uuid[]) AND (review_on IS NULL OR review_on > @today::date);
