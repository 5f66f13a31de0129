package e2e_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus/testutil"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/operator/metrics"
)

// A pass that would find nothing new is passed over: no pass token is
// claimed and the status stands. A write to anything a pass reads, in any
// of the three services, makes the next pass full again.
func TestUnchangedCohortIsPassedOver(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	s.seed(t)
	s.startManager(t, false)
	s.applyProgramme(t)
	s.waitForTasks(t, firstPass)
	ctx := context.Background()

	unchanged := func() float64 {
		return testutil.ToFloat64(s.metrics[0].Reconciles.WithLabelValues(metrics.ResultUnchanged))
	}
	passToken := func() int64 {
		t.Helper()
		c, err := s.cohort(t)
		check(t, "get cohort", err)
		return c.Status.PassToken
	}
	// settled waits for passes (resynced every second) to be passed over,
	// then checks that two seconds more claim no token, and returns it.
	settled := func(what string) int64 {
		t.Helper()
		before := unchanged()
		eventually(t, 30*time.Second, func() error {
			if n := unchanged(); n < before+2 {
				return fmt.Errorf("%s: %v passes passed over, want 2 more than %v", what, n, before)
			}
			return nil
		})
		token, n := passToken(), unchanged()
		time.Sleep(2 * time.Second)
		if got := passToken(); got != token {
			t.Fatalf("%s: pass token %d -> %d while nothing changed", what, token, got)
		}
		if got := unchanged(); got <= n {
			t.Fatalf("%s: no pass passed over in 2 s (%v)", what, got)
		}
		return token
	}
	// fullPass waits for a pass that claims a token after token.
	fullPass := func(what string, token int64) {
		t.Helper()
		eventually(t, 30*time.Second, func() error {
			if got := passToken(); got <= token {
				return fmt.Errorf("after %s: pass token still %d", what, got)
			}
			return nil
		})
	}

	token := settled("after the first pass")

	// tracking: a caseworker takes a task.
	s.assignTask(t)
	fullPass("a task assigned", token)
	token = settled("after the task's pass")

	// pupil: staff add a pupil to the risk list.
	_, err := s.pupil.ReviewRisk(ctx, &pupilv1.ReviewRiskRequest{PupilId: s.pupils["ontrack"],
		Review: &pupilv1.RiskReview{Decision: pupilv1.RiskDecision_RISK_DECISION_ADDED, Reason: "caring for a parent since the summer"}})
	check(t, "review risk", err)
	fullPass("a risk review", token)
	eventually(t, 30*time.Second, func() error {
		for _, tk := range s.tasks(t) {
			if tk.Pupil == "ontrack" && tk.Reason == "AT_RISK_OF_NEET" && tk.Status == "OPEN" {
				return nil
			}
		}
		return fmt.Errorf("no AT_RISK_OF_NEET task for the pupil added: %v", s.tasks(t))
	})
	token = settled("after the review's pass")

	// placement: the pupil behind attends the rest of the week.
	s.attend(t, "behind", s.opportunityDays[1:]...)
	fullPass("attendance", token)
	eventually(t, 30*time.Second, func() error {
		for _, tk := range s.tasks(t) {
			if tk.Pupil == "behind" && tk.Status == "CLOSED" {
				return nil
			}
		}
		return fmt.Errorf("the caught-up pupil's task is not closed: %v", s.tasks(t))
	})
	token = settled("after the attendance's pass")

	// tracking: a destination recorded for a pupil.
	_, err = s.tracking.RecordDestination(ctx, &trackingv1.RecordDestinationRequest{IdempotencyKey: uuid.NewString(), Destination: &trackingv1.Destination{
		PupilId: s.pupils["atrisk"], Kind: trackingv1.DestinationKind_DESTINATION_KIND_OFFER, ActivityCode: "230", EffectiveDate: "2026-09-07", Source: "school return",
	}})
	check(t, "record destination", err)
	fullPass("a destination", token)
	token = settled("after the destination's pass")

	// The next day's first pass is full, whatever changed.
	s.setToday(s.now().AddDate(0, 0, 1))
	fullPass("a new day", token)
}

// With the services' change feeds, a write reaches its cohort's pass
// within seconds, not at the resync interval (an hour here), and a pass
// over the unchanged cohort in between makes no call.
func TestChangeFeedQueuesTheCohort(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	s.seed(t)
	s.startManager(t, false)
	s.applyProgrammeResynced(t, time.Hour)
	s.waitForTasks(t, firstPass)
	ctx := context.Background()
	passToken := func() int64 {
		t.Helper()
		c, err := s.cohort(t)
		check(t, "get cohort", err)
		return c.Status.PassToken
	}
	fullPass := func(what string, token int64) int64 {
		t.Helper()
		var got int64
		eventually(t, 15*time.Second, func() error {
			if got = passToken(); got <= token {
				return fmt.Errorf("after %s: pass token still %d", what, got)
			}
			return nil
		})
		return got
	}
	// Settled: no pass claims a token for 3 s. The first pass's own sync
	// is no change, but a feed may name the seed's writes after that pass
	// began (so it is not remembered), which costs a pass more.
	token := passToken()
	eventually(t, 30*time.Second, func() error {
		time.Sleep(3 * time.Second)
		if got := passToken(); got != token {
			token = got
			return fmt.Errorf("pass token moved to %d with nothing changed", got)
		}
		return nil
	})

	// tracking: a caseworker takes a task.
	s.assignTask(t)
	token = fullPass("a task assigned", token)

	// placement: the pupil behind attends the rest of the week, and their
	// task closes.
	s.attend(t, "behind", s.opportunityDays[1:]...)
	token = fullPass("attendance", token)
	eventually(t, 15*time.Second, func() error {
		for _, tk := range s.tasks(t) {
			if tk.Pupil == "behind" && tk.Status == "CLOSED" {
				return nil
			}
		}
		return fmt.Errorf("the caught-up pupil's task is not closed: %v", s.tasks(t))
	})

	// pupil: staff add a pupil to the risk list.
	_, err := s.pupil.ReviewRisk(ctx, &pupilv1.ReviewRiskRequest{PupilId: s.pupils["ontrack"],
		Review: &pupilv1.RiskReview{Decision: pupilv1.RiskDecision_RISK_DECISION_ADDED, Reason: "caring for a parent since the summer"}})
	check(t, "review risk", err)
	fullPass("a risk review", token)
}
