package rules

import (
	"fmt"
	"strconv"
	"time"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
)

// Group is a reason most of a cohort shares: one finding for the cohort
// as a whole stands for its pupils', as an alert manager sends one
// notification for a group of alerts. The school's careers leader and the
// hub act on it once (a group placement, an employer week) where 200
// separate calls would swamp a caseworker's queue.
type Group struct {
	Finding
	// Pupils on roll with the reason, of OnRoll; Individual of them keep
	// their own finding (looked after now or before, in need, or in the
	// high risk band).
	Pupils, OnRoll, Individual int
}

// groupedOrder is the order Grouped lists its reasons in, as the rules
// raise them.
var groupedOrder = []nextstepv1alpha1.Reason{
	nextstepv1alpha1.ReasonBehindTrajectory, nextstepv1alpha1.ReasonDestinationUnknown,
	nextstepv1alpha1.ReasonAtRiskOfNEET, nextstepv1alpha1.ReasonNoEmployerEncounter,
	nextstepv1alpha1.ReasonDisengaged, nextstepv1alpha1.ReasonNoSeptemberGuaranteeOffer,
}

// Grouped reports whether a reason with n of onRoll pupils is grouped
// under g, given whether it was on the last pass: from g.From of them (and
// at least g.MinPupils), and, once grouped, until the share falls below
// g.Release. The two points make a band in which nothing changes, so a
// share hovering at the threshold does not open and close tasks on
// alternate passes.
func Grouped(g Grouping, n, onRoll int, was bool) bool {
	if !g.Enabled || onRoll == 0 || n == 0 || n < g.MinPupils && !was {
		return false
	}
	share := float64(n) / float64(onRoll)
	if was {
		return share >= g.Release
	}
	return share >= g.From
}

// group replaces, for each reason that is grouped, the findings of the
// pupils who are not Individual with one finding for the cohort, and
// returns the groups. The share is of the pupils on roll.
func group(p Policy, c Cohort, today time.Time, res *Result, members []Member) []Group {
	pupils := 0
	var credited int64
	for _, m := range members {
		if membershipOf(m, today, c.AcademicYear.On(LeaversFrom.Month, LeaversFrom.Day)) == onRoll {
			pupils++
			credited += int64(m.HalfDays)
		}
	}
	var groups []Group
	for _, reason := range groupedOrder {
		rule := p.Rules[reason]
		n, individual := 0, 0
		var first Finding
		for _, a := range res.Assessments {
			for _, f := range a.Findings {
				if f.Reason == reason {
					if n == 0 {
						first = f
					}
					n++
					if a.Individual {
						individual++
					}
				}
			}
		}
		if !Grouped(rule.Group, n, pupils, c.Grouped[reason]) {
			continue
		}
		for i := range res.Assessments {
			a := &res.Assessments[i]
			if a.Individual {
				continue
			}
			kept := a.Findings[:0]
			for _, f := range a.Findings {
				if f.Reason != reason {
					kept = append(kept, f)
				}
			}
			a.Findings = kept
		}
		g := Group{Pupils: n, OnRoll: pupils, Individual: individual}
		g.Finding = Finding{
			Reason: reason, Priority: rule.Priority, Due: first.Due,
			Summary: fmt.Sprintf("%d of %d pupils on roll %s", n, pupils, groupPhrase[reason]),
			Evidence: map[string]string{
				"pupils": strconv.Itoa(n), "on_roll": strconv.Itoa(pupils), "individual": strconv.Itoa(individual),
				"level": "cohort", "year_group": strconv.Itoa(int(c.YearGroup)),
			},
		}
		if reason == nextstepv1alpha1.ReasonBehindTrajectory {
			mean := float64(credited) / float64(pupils) / 2
			g.Summary += fmt.Sprintf("; expected %s days by now, mean credited %s", days(res.ExpectedHalfDays), strconv.FormatFloat(mean, 'f', 1, 64))
			g.Evidence["days_expected"] = days(res.ExpectedHalfDays)
			g.Evidence["mean_days_credited"] = strconv.FormatFloat(mean, 'f', 1, 64)
		}
		groups = append(groups, g)
	}
	return groups
}

// groupPhrase says what the pupils of a group share.
var groupPhrase = map[nextstepv1alpha1.Reason]string{
	nextstepv1alpha1.ReasonBehindTrajectory:          "are behind the work-experience trajectory",
	nextstepv1alpha1.ReasonDestinationUnknown:        "have no known destination",
	nextstepv1alpha1.ReasonAtRiskOfNEET:              "are at risk of NEET",
	nextstepv1alpha1.ReasonNoEmployerEncounter:       "have had no employer encounter this academic year",
	nextstepv1alpha1.ReasonDisengaged:                "have disengaged",
	nextstepv1alpha1.ReasonNoSeptemberGuaranteeOffer: "have no September Guarantee offer",
}
