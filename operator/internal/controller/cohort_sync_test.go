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

func TestEveryReasonHasACode(t *testing.T) {
	for _, r := range []nextstepv1alpha1.Reason{nextstepv1alpha1.ReasonBehindTrajectory, nextstepv1alpha1.ReasonDestinationUnknown, nextstepv1alpha1.ReasonAtRiskOfNEET} {
		if ReasonCode(r) == "" {
			t.Errorf("reason %s has no tracking code", r)
		}
	}
}

func TestCoveredAndDesiredCohorts(t *testing.T) {
	all := []sources.School{
		{URN: "136003", LACode: "336", Open: true},
		{URN: "136001", LACode: "336", Open: true},
		{URN: "136002", LACode: "336", Open: false},
		{URN: "103001", LACode: "330", Open: true},
		{URN: "140001", LACode: "201", Open: true},
	}
	sel := nextstepv1alpha1.SchoolSelector{LACodes: []string{"336"}, URNs: []string{"103001", "999999"}}
	var urns []string
	for _, s := range Covered(sel, all) {
		urns = append(urns, s.URN)
	}
	if diff := cmp.Diff([]string{"103001", "136001", "136003"}, urns); diff != "" {
		t.Errorf("covered schools (-want +got):\n%s", diff)
	}
	p := &nextstepv1alpha1.Programme{ObjectMeta: metav1.ObjectMeta{Namespace: "wmca", Name: "wmca"},
		Spec: nextstepv1alpha1.ProgrammeSpec{AcademicYear: "2025/26", YearGroups: []int32{9, 11}}}
	var names []string
	for _, c := range DesiredCohorts(p, Covered(sel, all)) {
		names = append(names, c.Name)
		if c.Spec.Programme != "wmca" || c.Spec.AcademicYear != "2025/26" || c.Labels[LabelSchoolURN] != c.Spec.SchoolURN {
			t.Errorf("cohort %s: spec %+v labels %v", c.Name, c.Spec, c.Labels)
		}
	}
	want := []string{"wmca-103001-y9", "wmca-103001-y11", "wmca-136001-y9", "wmca-136001-y11", "wmca-136003-y9", "wmca-136003-y11"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("cohort names (-want +got):\n%s", diff)
	}
}

func TestOnTrackCondition(t *testing.T) {
	if s, reason, _ := onTrackCondition(rules.Counts{Total: 30}); s != metav1.ConditionTrue || reason != nextstepv1alpha1.ConditionReasonOnTrajectory {
		t.Errorf("nobody behind: %s %s", s, reason)
	}
	if s, _, msg := onTrackCondition(rules.Counts{Total: 30, Behind: 4}); s != metav1.ConditionFalse || msg != "4 of 30 pupils are behind the work-experience trajectory." {
		t.Errorf("four behind: %s %q", s, msg)
	}
}

func TestOpenTotals(t *testing.T) {
	total, overdue := openTotals([]*trackingv1.OpenCount{{Open: 3, Overdue: 1}, {Open: 2}})
	if total != 5 || overdue != 1 {
		t.Errorf("open %d overdue %d", total, overdue)
	}
}
