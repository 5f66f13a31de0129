package controller

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
)

func TestProgrammeStatus(t *testing.T) {
	generated := func(status metav1.ConditionStatus, reason, message string) []metav1.Condition {
		return []metav1.Condition{{Type: nextstepv1alpha1.ConditionCohortsGenerated, Status: status, Reason: reason, Message: message, ObservedGeneration: 5}}
	}
	last := nextstepv1alpha1.ProgrammeStatus{ObservedGeneration: 4, Schools: 6, Cohorts: 30,
		Conditions: []metav1.Condition{{Type: nextstepv1alpha1.ConditionCohortsGenerated, Status: metav1.ConditionTrue, Reason: nextstepv1alpha1.ConditionReasonGenerated, Message: "30 cohorts for 6 schools.", ObservedGeneration: 4}}}
	cases := map[string]struct {
		status nextstepv1alpha1.ProgrammeStatus
		mark   func(*nextstepv1alpha1.Programme)
		want   nextstepv1alpha1.ProgrammeStatus
	}{
		"generated: the counts and the condition": {
			status: last,
			mark:   func(p *nextstepv1alpha1.Programme) { markGenerated(p, 7, 35) },
			want: nextstepv1alpha1.ProgrammeStatus{ObservedGeneration: 5, Schools: 7, Cohorts: 35,
				Conditions: generated(metav1.ConditionTrue, nextstepv1alpha1.ConditionReasonGenerated, "35 cohorts for 7 schools.")},
		},
		"the pupil service down: the last counts stay": {
			status: last,
			mark: func(p *nextstepv1alpha1.Programme) {
				markNotGenerated(p, nextstepv1alpha1.ConditionReasonSourceUnavailable, "pupil ListSchools: unavailable")
			},
			want: nextstepv1alpha1.ProgrammeStatus{ObservedGeneration: 5, Schools: 6, Cohorts: 30,
				Conditions: generated(metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonSourceUnavailable, "pupil ListSchools: unavailable")},
		},
		"a CRD older than the operator": {
			mark: func(p *nextstepv1alpha1.Programme) {
				markNotGenerated(p, nextstepv1alpha1.ConditionReasonInvalidSpec, missingDefaultsMessage(p.Name, []string{"yearGroups", "resyncIntervalSeconds"}))
			},
			want: nextstepv1alpha1.ProgrammeStatus{ObservedGeneration: 5,
				Conditions: generated(metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonInvalidSpec,
					`Programme "wmca" has no yearGroups or resyncIntervalSeconds, which the API server defaults: the Programme CRD is older than this operator. Apply the chart's CRDs (kubectl apply --server-side --force-conflicts -f charts/nextstep/crds/).`)},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := &nextstepv1alpha1.Programme{ObjectMeta: metav1.ObjectMeta{Namespace: "wmca", Name: "wmca", Generation: 5}, Status: *tc.status.DeepCopy()}
			tc.mark(p)
			if diff := cmp.Diff(tc.want, p.Status, ignoreTransitions); diff != "" {
				t.Errorf("status (-want +got):\n%s", diff)
			}
		})
	}
}
