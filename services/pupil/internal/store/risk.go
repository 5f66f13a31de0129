package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/pupil/internal/store/dbsqlc"
)

// The decisions of a RiskReview.
const (
	RiskAdded      = "added"
	RiskSuppressed = "suppressed"
)

// RiskReview is staff's review of a pupil's place on the risk-of-NEET
// list: added whatever the score, or suppressed until ReviewOn.
type RiskReview struct {
	Decision string
	Reason   string
	// ReviewOn is when the review lapses; zero for an addition that holds
	// until cleared.
	ReviewOn  time.Time
	DecidedBy string
	DecidedAt time.Time
}

func riskReview(r dbsqlc.PupilRiskReview) RiskReview {
	return RiskReview{Decision: r.Decision, Reason: r.Reason, ReviewOn: r.ReviewOn.Time, DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt}
}

// SetRiskReview records the pupil's review, replacing any before it, and
// returns it as stored: the same review set again keeps who made it and
// when.
func SetRiskReview(ctx context.Context, db DB, pupilID string, r RiskReview) (RiskReview, error) {
	row, err := queries.SetRiskReview(ctx, db, dbsqlc.SetRiskReviewParams{
		PupilID: pupilID, Decision: r.Decision, Reason: r.Reason, ReviewOn: date(r.ReviewOn), DecidedBy: r.DecidedBy,
	})
	if errors.Is(err, pgx.ErrNoRows) {
		// Nothing changed.
		row, err = queries.GetRiskReview(ctx, db, pupilID)
	}
	return riskReview(row), err
}

// ClearRiskReview removes the pupil's review, if any.
func ClearRiskReview(ctx context.Context, db DB, pupilID string) error {
	return queries.ClearRiskReview(ctx, db, pupilID)
}

// RiskReviews returns the reviews in force on today of the pupils with ids,
// by pupil id.
func RiskReviews(ctx context.Context, db DB, ids []string, today time.Time) (map[string]RiskReview, error) {
	rows, err := queries.RiskReviews(ctx, db, dbsqlc.RiskReviewsParams{Ids: ids, Today: date(today)})
	if err != nil {
		return nil, err
	}
	out := make(map[string]RiskReview, len(rows))
	for _, r := range rows {
		out[r.PupilID] = riskReview(r)
	}
	return out, nil
}
