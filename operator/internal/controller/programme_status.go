package controller

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
)

// The programme's status, computed by pure functions as the cohort's is.

// setCohortsGenerated sets the programme's one condition for its current
// generation.
func setCohortsGenerated(p *nextstepv1alpha1.Programme, status metav1.ConditionStatus, reason, message string) {
	p.Status.ObservedGeneration = p.Generation
	meta.SetStatusCondition(&p.Status.Conditions, metav1.Condition{
		Type: nextstepv1alpha1.ConditionCohortsGenerated, Status: status, Reason: reason, Message: message, ObservedGeneration: p.Generation,
	})
}

// markGenerated records that every covered school has its cohorts.
func markGenerated(p *nextstepv1alpha1.Programme, schools, cohorts int) {
	p.Status.Schools, p.Status.Cohorts = int32(schools), int32(cohorts)
	setCohortsGenerated(p, metav1.ConditionTrue, nextstepv1alpha1.ConditionReasonGenerated,
		fmt.Sprintf("%d cohorts for %d schools.", cohorts, schools))
}

// markNotGenerated records why the cohorts could not be planned. The counts
// stay as the last pass that could left them.
func markNotGenerated(p *nextstepv1alpha1.Programme, reason, message string) {
	setCohortsGenerated(p, metav1.ConditionFalse, reason, message)
}

// missingDefaultsMessage says which defaulted fields a Programme lacks and
// what to do about it.
func missingDefaultsMessage(programme string, missing []string) string {
	return fmt.Sprintf("Programme %q has no %s, which the API server defaults: the Programme CRD is older than this operator. Apply the chart's CRDs (kubectl apply --server-side --force-conflicts -f charts/nextstep/crds/).",
		programme, strings.Join(missing, " or "))
}
