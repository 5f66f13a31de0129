package e2e_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/controller"
	"github.com/nextstep-uk/nextstep/operator/metrics"
)

// A pass that would close most of a cohort's open interventions at once is
// held by tracking: the cohort says so and waits for a person, whose
// force-sync annotation lets the next pass apply it.
func TestMassClosureIsHeldUntilForced(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	s.seed(t)
	// Five more pupils with nothing credited: with "behind" and "atrisk",
	// seven behind-trajectory interventions.
	for i := range 5 {
		name := fmt.Sprintf("extra%d", i)
		res, err := s.pupil.CreatePupil(context.Background(), &pupilv1.CreatePupilRequest{IdempotencyKey: uuid.NewString(), Pupil: &pupilv1.Pupil{
			Upn: testUPN(10 + i), LegalSurname: "Pupil", LegalForename: "Extra", DateOfBirth: "2012-05-01", SchoolUrn: schoolURN, JoinedOn: "2023-09-01",
		}})
		check(t, "create pupil", err)
		s.pupils[name] = res.GetPupil().GetId()
	}
	s.startManager(t, false)
	s.applyProgramme(t)
	eventually(t, 60*time.Second, func() error {
		c, err := s.cohort(t)
		if err != nil {
			return err
		}
		if c.Status.OpenInterventions != 8 { // 7 behind, 1 at risk
			return fmt.Errorf("open interventions %d", c.Status.OpenInterventions)
		}
		return nil
	})

	// Every pupil's risk and trajectory rules are switched off, as a bad
	// edit would: the next pass would close all eight at once.
	off := false
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var p nextstepv1alpha1.Programme
		if err := k8sClient.Get(context.Background(), client.ObjectKey{Namespace: s.ns, Name: "hub"}, &p); err != nil {
			return err
		}
		p.Spec.Rules = []nextstepv1alpha1.InterventionRule{
			{Reason: nextstepv1alpha1.ReasonBehindTrajectory, Enabled: &off},
			{Reason: nextstepv1alpha1.ReasonAtRiskOfNEET, Enabled: &off},
		}
		return k8sClient.Update(context.Background(), &p)
	})
	if err != nil {
		t.Fatal(err)
	}
	var held *nextstepv1alpha1.Cohort
	eventually(t, 30*time.Second, func() error {
		c, err := s.cohort(t)
		if err != nil {
			return err
		}
		ready := meta.FindStatusCondition(c.Status.Conditions, nextstepv1alpha1.ConditionReady)
		if ready == nil || ready.Reason != nextstepv1alpha1.ConditionReasonSyncHeld || ready.Status != metav1.ConditionFalse {
			return fmt.Errorf("Ready = %+v", ready)
		}
		held = c
		return nil
	})
	if got, ok := s.metrics[0].CohortValue(metrics.CohortSyncHeldName, s.ns, held.Name); !ok || got != 1 {
		t.Errorf("sync held gauge = %v (set: %v), want 1", got, ok)
	}
	if got := len(s.tasks(t)); got != 8 {
		t.Fatalf("tasks while held = %d, want the 8 still open", got)
	}

	// A person checks and forces it.
	patch := client.MergeFrom(held.DeepCopy())
	held.Annotations = map[string]string{controller.ForceSyncAnnotation: "true"}
	if err := k8sClient.Patch(context.Background(), held, patch); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() error {
		c, err := s.cohort(t)
		if err != nil {
			return err
		}
		if !meta.IsStatusConditionTrue(c.Status.Conditions, nextstepv1alpha1.ConditionReady) || c.Status.OpenInterventions != 0 {
			return fmt.Errorf("Ready %+v, open %d", meta.FindStatusCondition(c.Status.Conditions, nextstepv1alpha1.ConditionReady), c.Status.OpenInterventions)
		}
		if _, still := c.Annotations[controller.ForceSyncAnnotation]; still {
			return fmt.Errorf("the force-sync annotation is still there")
		}
		return nil
	})
	if got, ok := s.metrics[0].CohortValue(metrics.CohortSyncHeldName, s.ns, held.Name); !ok || got != 0 {
		t.Errorf("sync held gauge after the forced sync = %v (set: %v), want 0", got, ok)
	}
}
