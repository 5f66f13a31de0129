package rules_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/rules"
)

// TestGrouped: the default grouping (from 50% and 10 pupils, released
// below 40%) at its edges, and the band between in which nothing changes.
func TestGrouped(t *testing.T) {
	t.Parallel()
	g := rules.DefaultGrouping
	cases := map[string]struct {
		n, onRoll int
		was, want bool
	}{
		"half of twenty groups":                   {n: 10, onRoll: 20, want: true},
		"one short of half does not":              {n: 9, onRoll: 20, want: false},
		"half of eighteen is too few pupils":      {n: 9, onRoll: 18, want: false},
		"all of a class of six is too few":        {n: 6, onRoll: 6, want: false},
		"grouped stays grouped at 40%":            {n: 8, onRoll: 20, was: true, want: true},
		"grouped is released below 40%":           {n: 7, onRoll: 20, was: true, want: false},
		"ungrouped stays ungrouped at 45%":        {n: 9, onRoll: 20, was: false, want: false},
		"grouped stays grouped under ten pupils":  {n: 8, onRoll: 16, was: true, want: true},
		"nobody has it":                           {n: 0, onRoll: 20, was: true, want: false},
		"an empty cohort":                         {n: 0, onRoll: 0, want: false},
		"everyone in a year group of two hundred": {n: 200, onRoll: 200, want: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := rules.Grouped(g, tc.n, tc.onRoll, tc.was); got != tc.want {
				t.Errorf("Grouped(%d of %d, was %v) = %v, want %v", tc.n, tc.onRoll, tc.was, got, tc.want)
			}
		})
	}
	off := g
	off.Enabled = false
	if rules.Grouped(off, 20, 20, true) {
		t.Error("a disabled grouping grouped")
	}
}

// behindCohort is twenty Year 9 pupils half way through 2025/26 (5 days
// expected): behind of them have 1 day credited, the rest 6; the first
// two are looked after and the third scores in the high risk band.
func behindCohort(behind int) []rules.Member {
	var members []rules.Member
	for i := range 20 {
		m := rules.Member{PupilID: fmt.Sprintf("p%02d", i), HalfDays: 12, DestinationKnown: true}
		if i < behind {
			m.HalfDays = 2
		}
		switch i {
		case 0, 1:
			m.InCare = true
		case 2:
			m.Risk.Score = 5
		}
		members = append(members, m)
	}
	return members
}

// TestEvaluateGroups: fifteen of twenty behind raise one cohort-level
// finding; the looked-after pupils and the one at high risk keep their own
// (and the risk one its AtRiskOfNEET), the other twelve none; the counts
// still count every pupil behind. Once grouped, eight of twenty (40%) keep
// it grouped and seven (35%) release it; nine (45%) do not group it anew.
func TestEvaluateGroups(t *testing.T) {
	t.Parallel()
	p := defaults(t)
	today := day("2026-03-02")
	cohort := rules.Cohort{YearGroup: 9, AcademicYear: y2025}
	res := rules.Evaluate(p, cohort, today, behindCohort(15))
	if len(res.Grouped) != 1 {
		t.Fatalf("groups: %+v", res.Grouped)
	}
	g := res.Grouped[0]
	// The mean credited: 1 day for each of the 15 behind, 6 for each of
	// the 5 others, (15 + 30) / 20 = 2.25 days, written to one place.
	want := "15 of 20 pupils on roll are behind the work-experience trajectory; expected 5 days by now, mean credited 2.2"
	if g.Reason != nextstepv1alpha1.ReasonBehindTrajectory || g.Pupils != 15 || g.OnRoll != 20 || g.Individual != 3 || g.Summary != want {
		t.Errorf("group: %+v\nsummary %q\nwant    %q", g, g.Summary, want)
	}
	if g.Evidence["level"] != "cohort" || g.Evidence["pupils"] != "15" {
		t.Errorf("evidence: %v", g.Evidence)
	}
	own := map[string][]nextstepv1alpha1.Reason{}
	for _, a := range res.Assessments {
		for _, f := range a.Findings {
			own[a.PupilID] = append(own[a.PupilID], f.Reason)
		}
	}
	wantOwn := map[string][]nextstepv1alpha1.Reason{
		"p00": {nextstepv1alpha1.ReasonBehindTrajectory},
		"p01": {nextstepv1alpha1.ReasonBehindTrajectory},
		"p02": {nextstepv1alpha1.ReasonBehindTrajectory, nextstepv1alpha1.ReasonAtRiskOfNEET},
	}
	if diff := cmp.Diff(wantOwn, own); diff != "" {
		t.Errorf("pupils' own findings (-want +got):\n%s", diff)
	}
	if res.Counts.Behind != 15 {
		t.Errorf("behind = %d, want 15: grouping changes the tasks, not the counts", res.Counts.Behind)
	}

	wasGrouped := cohort
	wasGrouped.Grouped = map[nextstepv1alpha1.Reason]bool{nextstepv1alpha1.ReasonBehindTrajectory: true}
	for behind, grouped := range map[int]bool{8: true, 7: false} {
		res := rules.Evaluate(p, wasGrouped, today, behindCohort(behind))
		if got := len(res.Grouped) == 1; got != grouped {
			t.Errorf("%d of 20 behind, grouped last pass: grouped %v, want %v", behind, got, grouped)
		}
	}
	if res := rules.Evaluate(p, cohort, today, behindCohort(9)); len(res.Grouped) != 0 {
		t.Errorf("9 of 20 behind, not grouped before: grouped %+v", res.Grouped)
	}
}

// TestGroupingFromProgramme: a rule's grouping overrides the default field
// by field; a reason not grouped by default takes DefaultGrouping's
// figures when a grouping is set; a release point above the threshold is
// refused with the rule named.
func TestGroupingFromProgramme(t *testing.T) {
	t.Parallel()
	p, err := rules.FromProgramme(nextstepv1alpha1.ProgrammeSpec{AcademicYear: "2025/26", Rules: []nextstepv1alpha1.InterventionRule{
		{Reason: nextstepv1alpha1.ReasonBehindTrajectory, Grouping: &nextstepv1alpha1.Grouping{FromPercent: 30}},
		{Reason: nextstepv1alpha1.ReasonAtRiskOfNEET, Grouping: &nextstepv1alpha1.Grouping{MinPupils: 25}},
		{Reason: nextstepv1alpha1.ReasonNoEmployerEncounter, Grouping: &nextstepv1alpha1.Grouping{Enabled: ptr.To(false)}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	for reason, want := range map[nextstepv1alpha1.Reason]rules.Grouping{
		nextstepv1alpha1.ReasonBehindTrajectory:    {Enabled: true, From: 0.3, Release: 0.3, MinPupils: 10},
		nextstepv1alpha1.ReasonAtRiskOfNEET:        {Enabled: true, From: 0.5, Release: 0.4, MinPupils: 25},
		nextstepv1alpha1.ReasonNoEmployerEncounter: {Enabled: false, From: 0.5, Release: 0.4, MinPupils: 10},
		nextstepv1alpha1.ReasonDestinationUnknown:  {},
	} {
		if got := p.Rules[reason].Group; got != want {
			t.Errorf("%s grouping = %+v, want %+v", reason, got, want)
		}
	}
	_, err = rules.FromProgramme(nextstepv1alpha1.ProgrammeSpec{AcademicYear: "2025/26", Rules: []nextstepv1alpha1.InterventionRule{
		{Reason: nextstepv1alpha1.ReasonBehindTrajectory, Grouping: &nextstepv1alpha1.Grouping{FromPercent: 30, ReleaseBelowPercent: ptr.To[int32](60)}},
	}})
	if err == nil || err.Error() != "rules[reason=BehindTrajectory]: grouping.releaseBelowPercent must not be above fromPercent" {
		t.Errorf("a release above the threshold: %v", err)
	}
}
