package rules_test

import (
	"testing"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/rules"
)

// TestPastYear13: a programme tracking EHC plans to 25 gets a deadline for
// the cohort past Year 13 (1 September) unless it sets one, and that
// cohort's young people, all of whom left school long ago, are followed
// for their destination alone: one whose confirmed activity lapsed gets a
// DestinationUnknown intervention; one with a current activity none; and
// nobody is "behind" or "at risk", which are for pupils on roll.
func TestPastYear13(t *testing.T) {
	t.Parallel()
	p, err := rules.FromProgramme(nextstepv1alpha1.ProgrammeSpec{AcademicYear: "2025/26", EHCPlanToAge: 25})
	if err != nil {
		t.Fatal(err)
	}
	if d := p.Deadlines[nextstepv1alpha1.PastYear13]; d != rules.DefaultPastYear13Deadline || p.EHCPlanToAge != 25 {
		t.Fatalf("deadline %+v, age %d", d, p.EHCPlanToAge)
	}
	left := day("2024-07-19")
	lapsed := rules.Member{PupilID: "lapsed", LeftOn: left, DestinationLapsed: true, Risk: rules.Risk{Score: 9}}
	current := rules.Member{PupilID: "current", LeftOn: left, DestinationKnown: true}
	res := rules.Evaluate(p, rules.Cohort{YearGroup: nextstepv1alpha1.PastYear13, AcademicYear: y2025}, day("2025-11-03"), []rules.Member{lapsed, current})
	if len(res.Assessments) != 2 {
		t.Fatalf("assessments: %+v", res.Assessments)
	}
	for _, a := range res.Assessments {
		var reasons []nextstepv1alpha1.Reason
		for _, f := range a.Findings {
			reasons = append(reasons, f.Reason)
		}
		want := 0
		if a.PupilID == "lapsed" {
			want = 1
		}
		if len(reasons) != want || want == 1 && reasons[0] != nextstepv1alpha1.ReasonDestinationUnknown {
			t.Errorf("%s: findings %v", a.PupilID, reasons)
		}
		if a.Behind || a.AtRisk {
			t.Errorf("%s: behind %v, at risk %v; want neither past Year 13", a.PupilID, a.Behind, a.AtRisk)
		}
	}

	without, err := rules.FromProgramme(nextstepv1alpha1.ProgrammeSpec{AcademicYear: "2025/26"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := without.Deadlines[nextstepv1alpha1.PastYear13]; ok {
		t.Error("a programme not tracking past Year 13 has a deadline for it")
	}
}
