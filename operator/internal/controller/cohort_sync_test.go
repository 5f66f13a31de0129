package controller

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/rules"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
)

func TestSyncRequest(t *testing.T) {
	c := &nextstepv1alpha1.Cohort{
		ObjectMeta: metav1.ObjectMeta{Namespace: "wmca", Name: "wmca-136001-y9"},
		Status:     nextstepv1alpha1.CohortStatus{PassToken: 7},
	}
	due := time.Date(2026, 3, 22, 0, 0, 0, 0, time.UTC)
	ev := rules.Result{Assessments: []rules.Assessment{
		{PupilID: "a"},
		{PupilID: "b", Findings: []rules.Finding{
			{Reason: nextstepv1alpha1.ReasonBehindTrajectory, Priority: nextstepv1alpha1.PriorityNormal, Due: due, Summary: "1 of 5 expected days", Evidence: map[string]string{"expected_half_days": "10"}},
			{Reason: nextstepv1alpha1.ReasonAtRiskOfNEET, Priority: nextstepv1alpha1.PriorityUrgent, Due: due, Summary: "risk score 70"},
		}},
	}}
	got := syncRequest(c, sources.School{URN: "136001", LACode: "336"}, rules.Policy{MaxCloseFraction: 0.5}, ev, true)
	want := &trackingv1.SyncInterventionsRequest{
		CohortKey: "wmca/wmca-136001-y9", SchoolUrn: "136001", LaCode: "336", PassToken: 7,
		MaxCloseFraction: 0.5, Force: true, HoldMinCloses: HoldMinCloses,
		Desired: []*trackingv1.DesiredIntervention{
			{PupilId: "b", ReasonCode: "BEHIND_TRAJECTORY", Priority: trackingv1.Priority_PRIORITY_NORMAL, DueDate: "2026-03-22", Summary: "1 of 5 expected days", Evidence: map[string]string{"expected_half_days": "10"}},
			{PupilId: "b", ReasonCode: "AT_RISK_OF_NEET", Priority: trackingv1.Priority_PRIORITY_URGENT, DueDate: "2026-03-22", Summary: "risk score 70"},
		},
	}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("sync request (-want +got):\n%s", diff)
	}
}

// TestEveryReasonHasACode: every reason the rules raise (each has a
// default rule) has tracking's code, or its interventions could not be
// synced.
func TestEveryReasonHasACode(t *testing.T) {
	for r := range rules.DefaultRules {
		if ReasonCode(r) == "" {
			t.Errorf("reason %s has no tracking code", r)
		}
	}
}
