package e2e_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/metrics"
)

// When tracking has applied a later pass than any operator in the cluster
// claimed (a database restored from another cluster, a token forced from
// outside), every pass is refused as stale. The operator must not stand
// down quietly with the cohort Ready: it says the cohort is fenced out,
// sets the gauge the alert fires on, and recovers once a person moves the
// cohort's pass token past tracking's, as the runbook says.
func TestFencedOutCohortIsReported(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	s.seed(t)
	s.startManager(t, false)
	s.applyProgramme(t)
	ready := func(c *nextstepv1alpha1.Cohort) *metav1.Condition {
		return meta.FindStatusCondition(c.Status.Conditions, nextstepv1alpha1.ConditionReady)
	}
	var synced *nextstepv1alpha1.Cohort
	eventually(t, 60*time.Second, func() error {
		c, err := s.cohort(t)
		if err != nil {
			return err
		}
		if r := ready(c); r == nil || r.Status != metav1.ConditionTrue {
			return fmt.Errorf("Ready = %+v", r)
		}
		synced = c
		return nil
	})

	// Tracking's record of the cohort jumps ahead of every claim.
	ahead := synced.Status.PassToken + 1000
	if _, err := s.trackingDB.Exec(context.Background(), `UPDATE tracking.cohorts SET last_pass_token = $2 WHERE cohort_key = $1`,
		synced.Namespace+"/"+synced.Name, ahead); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() error {
		c, err := s.cohort(t)
		if err != nil {
			return err
		}
		if r := ready(c); r == nil || r.Status != metav1.ConditionFalse || r.Reason != nextstepv1alpha1.ConditionReasonSyncFenced {
			return fmt.Errorf("Ready = %+v", r)
		}
		if got, ok := s.metrics[0].CohortValue(metrics.CohortSyncFencedName, s.ns, synced.Name); !ok || got != 1 {
			return fmt.Errorf("sync fenced gauge = %v (set: %v)", got, ok)
		}
		return nil
	})

	// A person moves the cohort's pass token to tracking's; the next pass
	// claims the one after it and syncs.
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		c, err := s.cohort(t)
		if err != nil {
			return err
		}
		c.Status.PassToken = ahead
		return k8sClient.Status().Update(context.Background(), c)
	})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() error {
		c, err := s.cohort(t)
		if err != nil {
			return err
		}
		if r := ready(c); r == nil || r.Status != metav1.ConditionTrue {
			return fmt.Errorf("Ready = %+v", r)
		}
		if got, ok := s.metrics[0].CohortValue(metrics.CohortSyncFencedName, s.ns, synced.Name); !ok || got != 0 {
			return fmt.Errorf("sync fenced gauge = %v (set: %v)", got, ok)
		}
		return nil
	})
}
