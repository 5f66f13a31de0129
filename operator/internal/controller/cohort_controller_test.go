package controller_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
)

func cohort(name string, spec nextstepv1alpha1.CohortSpec) *nextstepv1alpha1.Cohort {
	return &nextstepv1alpha1.Cohort{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec:       spec,
	}
}

func validSpec() nextstepv1alpha1.CohortSpec {
	return nextstepv1alpha1.CohortSpec{SchoolURN: "100001", YearGroup: 9, AcademicYear: "2025/26", Programme: "wmca"}
}

func TestCohortStatusIsWritten(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := cohort("heath-park-y9", validSpec())
	if err := k8sClient.Create(ctx, c); err != nil {
		t.Fatalf("create cohort: %v", err)
	}
	t.Cleanup(func() { _ = k8sClient.Delete(context.Background(), c) })

	eventually(t, 30*time.Second, func() error {
		var got nextstepv1alpha1.Cohort
		if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(c), &got); err != nil {
			return err
		}
		if got.Status.ObservedGeneration != got.Generation {
			return fmt.Errorf("observedGeneration %d, generation %d", got.Status.ObservedGeneration, got.Generation)
		}
		ready := meta.FindStatusCondition(got.Status.Conditions, nextstepv1alpha1.ConditionReady)
		if ready == nil || ready.ObservedGeneration != got.Generation {
			return fmt.Errorf("no Ready condition for generation %d: %+v", got.Generation, got.Status.Conditions)
		}
		return nil
	})
}

// The CRD's schema and CEL rules refuse what the types cannot express.
func TestCohortValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := map[string]struct {
		mutate  func(*nextstepv1alpha1.CohortSpec)
		wantErr string
	}{
		"URN not six digits":      {mutate: func(s *nextstepv1alpha1.CohortSpec) { s.SchoolURN = "12" }, wantErr: "spec.schoolURN"},
		"year group below 7":      {mutate: func(s *nextstepv1alpha1.CohortSpec) { s.YearGroup = 6 }, wantErr: "spec.yearGroup"},
		"years not consecutive":   {mutate: func(s *nextstepv1alpha1.CohortSpec) { s.AcademicYear = "2025/27" }, wantErr: "two consecutive years"},
		"academic year malformed": {mutate: func(s *nextstepv1alpha1.CohortSpec) { s.AcademicYear = "2025-26" }, wantErr: "spec.academicYear"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			spec := validSpec()
			tc.mutate(&spec)
			err := k8sClient.Create(ctx, cohort("invalid-"+strings.ReplaceAll(strings.ToLower(name), " ", "-"), spec))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("create: %v, want an error mentioning %q", err, tc.wantErr)
			}
		})
	}
}

func TestCohortIdentityIsImmutable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := cohort("immutable-y10", validSpec())
	if err := k8sClient.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k8sClient.Delete(context.Background(), c) })
	// The reconciler writes the status meanwhile, so a conflict is retried
	// on a fresh copy; what must come back is the CEL rule's refusal.
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(c), c); err != nil {
			return err
		}
		c.Spec.YearGroup = 10
		return k8sClient.Update(ctx, c)
	})
	if err == nil || !strings.Contains(err.Error(), "cannot change") {
		t.Fatalf("update of yearGroup: %v, want a refusal", err)
	}
}
