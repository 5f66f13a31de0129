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
// intervention per pupil and reason found, and one with no pupil for each
// reason grouped at the cohort's level.
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
	desired := func(pupilID string, f rules.Finding) *trackingv1.DesiredIntervention {
		return &trackingv1.DesiredIntervention{
			PupilId:    pupilID,
			ReasonCode: ReasonCode(f.Reason),
			Priority:   priority(f.Priority),
			DueDate:    f.Due.Format(time.DateOnly),
			Summary:    f.Summary,
			Evidence:   f.Evidence,
		}
	}
	for _, g := range ev.Grouped {
		req.Desired = append(req.Desired, desired("", g.Finding))
	}
	for _, a := range ev.Assessments {
		for _, f := range a.Findings {
			req.Desired = append(req.Desired, desired(a.PupilID, f))
		}
	}
	return req
}

// GroupedReasons are the reasons the cohort's last applied pass grouped,
// which stay grouped down to their release point.
func GroupedReasons(c *nextstepv1alpha1.Cohort) map[nextstepv1alpha1.Reason]bool {
	out := map[nextstepv1alpha1.Reason]bool{}
	for _, g := range c.Status.GroupedInterventions {
		out[g.Reason] = true
	}
	return out
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

// ReasonOf is the reason with tracking's code, if there is one.
func ReasonOf(code string) (nextstepv1alpha1.Reason, bool) {
	for r, c := range reasonCodes {
		if c == code {
			return r, true
		}
	}
	return "", false
}

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
