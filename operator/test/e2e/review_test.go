package e2e_test

import (
	"context"
	"testing"
	"time"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
)

// Staff's review of the risk list, recorded in the pupil service, is
// honoured by the reconciler: a suppressed pupil's AtRiskOfNEET
// intervention closes, and an added pupil, whatever their score, gets one.
func TestRiskReviewsEndToEnd(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	s.seed(t)
	s.startManager(t, false)
	s.applyProgramme(t)
	s.waitForTasks(t, firstPass)

	ctx := context.Background()
	review := func(name string, r *pupilv1.RiskReview) {
		t.Helper()
		if _, err := s.pupil.ReviewRisk(ctx, &pupilv1.ReviewRiskRequest{PupilId: s.pupils[name], Review: r}); err != nil {
			t.Fatalf("review %s: %v", name, err)
		}
	}
	review("atrisk", &pupilv1.RiskReview{Decision: pupilv1.RiskDecision_RISK_DECISION_SUPPRESSED, Reason: "absence was a hospital stay",
		ReviewOn: time.Now().AddDate(0, 1, 0).Format(time.DateOnly)})
	review("ontrack", &pupilv1.RiskReview{Decision: pupilv1.RiskDecision_RISK_DECISION_ADDED, Reason: "caring for a parent since the summer"})
	s.waitForTasks(t, []task{
		{Pupil: "atrisk", Reason: "AT_RISK_OF_NEET", Status: "CLOSED"},
		{Pupil: "atrisk", Reason: "BEHIND_TRAJECTORY", Status: "OPEN"},
		{Pupil: "behind", Reason: "BEHIND_TRAJECTORY", Status: "OPEN"},
		{Pupil: "ontrack", Reason: "AT_RISK_OF_NEET", Status: "OPEN"},
	})

	// Cleared, the score decides again.
	review("atrisk", nil)
	review("ontrack", nil)
	s.waitForTasks(t, []task{
		{Pupil: "atrisk", Reason: "AT_RISK_OF_NEET", Status: "CLOSED"},
		{Pupil: "atrisk", Reason: "AT_RISK_OF_NEET", Status: "OPEN"},
		{Pupil: "atrisk", Reason: "BEHIND_TRAJECTORY", Status: "OPEN"},
		{Pupil: "behind", Reason: "BEHIND_TRAJECTORY", Status: "OPEN"},
		{Pupil: "ontrack", Reason: "AT_RISK_OF_NEET", Status: "CLOSED"},
	})
}
