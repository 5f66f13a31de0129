-- +goose Up
-- Staff's review of a pupil's place on the risk-of-NEET list (ReviewRisk):
-- added whatever the score, or suppressed until a review date. One review a
-- pupil; it goes with the pupil.
CREATE TABLE pupil.risk_reviews (
    pupil_id   uuid PRIMARY KEY REFERENCES pupil.pupils (id) ON DELETE CASCADE,
    decision   text NOT NULL CHECK (decision IN ('added', 'suppressed')),
    reason     text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    -- The review lapses on this date; a suppression always has one.
    review_on  date CHECK (decision = 'added' OR review_on IS NOT NULL),
    decided_by text NOT NULL,
    decided_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE pupil.risk_reviews;
