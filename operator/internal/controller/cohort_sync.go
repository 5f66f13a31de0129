package controller

import (
	"time"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/rules"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
)

// HoldMinCloses is the fewest closures the mass-closure guard considers:
// below it a small cohort's last few interventions can always clear.
const HoldMinCloses = 5

// CohortKey is how tracking identifies a cohort: its namespace/name.
func CohortKey(c *nextstepv1alpha1.Cohort) string { return c.Namespace + "/" + c.Name }

// syncRequest turns an evaluation into tracking's desired set: one
// intervention per pupil and reason found.
func syncRequest(c *nextstepv1alpha1.Cohort, school sources.School, p rules.Policy, ev rules.Result, force bool) *trackingv1.SyncInterventionsRequest {
	req := &trackingv1.SyncInterventionsRequest{
		CohortKey:        CohortKey(c),
		SchoolUrn:        school.URN,
		LaCode:           school.LACode,
		PassToken:        c.Status.PassToken,
		MaxCloseFraction: p.MaxCloseFraction,
		Force:            force,
		HoldMinCloses:    HoldMinCloses,
	}
	for _, a := range ev.Assessments {
		for _, f := range a.Findings {
			req.Desired = append(req.Desired, &trackingv1.DesiredIntervention{
				PupilId:    a.PupilID,
				ReasonCode: ReasonCode(f.Reason),
				Priority:   priority(f.Priority),
				DueDate:    f.Due.Format(time.DateOnly),
				Summary:    f.Summary,
				Evidence:   f.Evidence,
			})
		}
	}
	return req
}

// reasonCodes are tracking's codes for the reasons.
var reasonCodes = map[nextstepv1alpha1.Reason]string{
	nextstepv1alpha1.ReasonBehindTrajectory:   "BEHIND_TRAJECTORY",
	nextstepv1alpha1.ReasonDestinationUnknown: "DESTINATION_UNKNOWN",
	nextstepv1alpha1.ReasonAtRiskOfNEET:       "AT_RISK_OF_NEET",
	// The September Guarantee's and disengagement's.
	nextstepv1alpha1.ReasonNoSeptemberGuaranteeOffer: "NO_SEPTEMBER_GUARANTEE_OFFER",
	nextstepv1alpha1.ReasonDisengaged:                "DISENGAGED",
	// Gatsby benchmark 5's.
	nextstepv1alpha1.ReasonNoEmployerEncounter: "NO_EMPLOYER_ENCOUNTER",
}

// ReasonCode is tracking's code for a reason.
func ReasonCode(r nextstepv1alpha1.Reason) string { return reasonCodes[r] }

func priority(p nextstepv1alpha1.Priority) trackingv1.Priority {
	switch p {
	case nextstepv1alpha1.PriorityLow:
		return trackingv1.Priority_PRIORITY_LOW
	case nextstepv1alpha1.PriorityHigh:
		return trackingv1.Priority_PRIORITY_HIGH
	case nextstepv1alpha1.PriorityUrgent:
		return trackingv1.Priority_PRIORITY_URGENT
	default:
		return trackingv1.Priority_PRIORITY_NORMAL
	}
}
