package rules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/api/riskscale"
	"github.com/nextstep-uk/nextstep/operator/internal/rules"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

var y2025 = rules.AcademicYear{Start: 2025}

func defaults(t *testing.T) rules.Policy {
	t.Helper()
	p, err := rules.FromProgramme(nextstepv1alpha1.ProgrammeSpec{AcademicYear: "2025/26"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExpectedHalfDays(t *testing.T) {
	p := defaults(t)
	cases := map[string]struct {
		yearGroup int32
		on        time.Time
		want      int32
	}{
		"Year 7 on 1 September expects nothing":      {yearGroup: 7, on: day("2025-09-01"), want: 0},
		"Year 7 at the end of the year: 2 days":      {yearGroup: 7, on: day("2026-08-31"), want: 4},
		"Year 9 starts from Year 8's 4 days":         {yearGroup: 9, on: day("2025-09-01"), want: 8},
		"Year 9 half way through: 5 days":            {yearGroup: 9, on: day("2026-03-02"), want: 10},
		"Year 9 a day short of half way rounds down": {yearGroup: 9, on: day("2026-03-01"), want: 9},
		"Year 11 at the end: the 10-day guarantee":   {yearGroup: 11, on: day("2026-08-31"), want: 20},
		"Year 12 keeps the last target":              {yearGroup: 12, on: day("2025-10-01"), want: 20},
		"before the year starts":                     {yearGroup: 9, on: day("2025-07-01"), want: 8},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := p.ExpectedHalfDays(tc.yearGroup, y2025, tc.on); got != tc.want {
				t.Errorf("ExpectedHalfDays(Y%d, %s) = %d, want %d", tc.yearGroup, tc.on.Format(time.DateOnly), got, tc.want)
			}
		})
	}
}

func TestFromProgrammeOverrides(t *testing.T) {
	p, err := rules.FromProgramme(nextstepv1alpha1.ProgrammeSpec{
		AcademicYear:         "2025/26",
		Trajectory:           []nextstepv1alpha1.TrajectoryPoint{{YearGroup: 7, HalfDays: ptr.To[int32](6)}, {YearGroup: 8, HalfDays: ptr.To[int32](10)}},
		DestinationDeadlines: []nextstepv1alpha1.DestinationDeadline{{YearGroup: 11, Date: "02-15", LeadDays: ptr.To[int32](7)}},
		Rules: []nextstepv1alpha1.InterventionRule{
			{Reason: nextstepv1alpha1.ReasonAtRiskOfNEET, Threshold: ptr.To[int32](7), Priority: nextstepv1alpha1.PriorityUrgent},
			{Reason: nextstepv1alpha1.ReasonBehindTrajectory, Enabled: ptr.To(false)},
		},
		ResyncIntervalSeconds: int32((time.Minute).Seconds()),
		MaxClosePercent:       20,
		RiskBands:             nextstepv1alpha1.RiskBands{Medium: 4, High: 8},
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[int32]int32{7: 6, 8: 10}, p.Trajectory); diff != "" {
		t.Errorf("trajectory (-want +got):\n%s", diff)
	}
	deadline, lead, ok := p.DeadlineFor(11, y2025)
	if !ok || !deadline.Equal(day("2026-02-15")) || lead != 7 {
		t.Errorf("Y11 deadline = %s lead %d ok %v", deadline, lead, ok)
	}
	if _, _, ok := p.DeadlineFor(12, y2025); ok {
		t.Error("a deadline list replaces the defaults, but Year 12 kept one")
	}
	risk := p.Rules[nextstepv1alpha1.ReasonAtRiskOfNEET]
	if risk.Threshold != 7 || risk.Priority != nextstepv1alpha1.PriorityUrgent || risk.ServiceLevelDays != 10 || !risk.Enabled {
		t.Errorf("at-risk rule = %+v", risk)
	}
	if p.Rules[nextstepv1alpha1.ReasonBehindTrajectory].Enabled {
		t.Error("behind rule still enabled")
	}
	if p.RiskBands != (riskscale.Bands{Medium: 4, High: 8}) {
		t.Errorf("risk bands %+v", p.RiskBands)
	}
	if p.Resync != time.Minute || p.MaxCloseFraction != 0.2 {
		t.Errorf("resync %s, close fraction %v", p.Resync, p.MaxCloseFraction)
	}
}

// A spec the API server has not defaulted (built in Go, or read through a
// CRD older than the operator) resolves without guessing: tracking's own
// default for the close fraction, no resync, and MissingDefaults names
// what the reconcilers must not act without.
func TestUndefaultedSpec(t *testing.T) {
	p, err := rules.FromProgramme(nextstepv1alpha1.ProgrammeSpec{AcademicYear: "2025/26"})
	if err != nil {
		t.Fatal(err)
	}
	if p.MaxCloseFraction != 0 || p.Resync != 0 {
		t.Errorf("close fraction %v, resync %s: want zero, for tracking's default and MissingDefaults", p.MaxCloseFraction, p.Resync)
	}
	cases := map[string]struct {
		spec nextstepv1alpha1.ProgrammeSpec
		want []string
	}{
		"defaulted by the API server": {spec: nextstepv1alpha1.ProgrammeSpec{
			YearGroups: []int32{7, 8, 9, 10, 11}, ResyncIntervalSeconds: int32((10 * time.Minute).Seconds()), MaxClosePercent: 50,
		}},
		"no maxClosePercent is safe: tracking holds at half": {spec: nextstepv1alpha1.ProgrammeSpec{
			YearGroups: []int32{11}, ResyncIntervalSeconds: int32((time.Minute).Seconds()),
		}},
		"nothing defaulted":  {want: []string{"yearGroups", "resyncIntervalSeconds"}},
		"an empty year list": {spec: nextstepv1alpha1.ProgrammeSpec{YearGroups: []int32{}, ResyncIntervalSeconds: int32((time.Minute).Seconds())}, want: []string{"yearGroups"}},
		"a zero resync":      {spec: nextstepv1alpha1.ProgrammeSpec{YearGroups: []int32{9}, ResyncIntervalSeconds: 0}, want: []string{"resyncIntervalSeconds"}},
		"a negative resync":  {spec: nextstepv1alpha1.ProgrammeSpec{YearGroups: []int32{9}, ResyncIntervalSeconds: int32((-time.Minute).Seconds())}, want: []string{"resyncIntervalSeconds"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, rules.MissingDefaults(tc.spec)); diff != "" {
				t.Errorf("missing defaults (-want +got):\n%s", diff)
			}
		})
	}
}

// finding is the part of a Finding the tables compare.
type finding struct {
	Reason  nextstepv1alpha1.Reason
	Due     string
	Summary string
}

func findings(a rules.Assessment) []finding {
	var out []finding
	for _, f := range a.Findings {
		out = append(out, finding{Reason: f.Reason, Due: f.Due.Format(time.DateOnly), Summary: f.Summary})
	}
	return out
}

func TestEvaluateTrajectory(t *testing.T) {
	p := defaults(t)
	// Year 9 on 2 March 2026 is expected to have 5 days (10 half days).
	today := day("2026-03-02")
	cases := map[string]struct {
		member      rules.Member
		onRoll      bool
		wantBehind  bool
		wantFinding []finding
	}{
		"exactly on trajectory": {member: rules.Member{HalfDays: 10}, onRoll: true},
		"half a day ahead":      {member: rules.Member{HalfDays: 11}, onRoll: true},
		"half a day behind": {member: rules.Member{HalfDays: 9}, onRoll: true, wantBehind: true,
			wantFinding: []finding{{Reason: nextstepv1alpha1.ReasonBehindTrajectory, Due: "2026-03-22", Summary: "4.5 of 5 expected days"}}},
		"nothing credited": {member: rules.Member{HalfDays: 0}, onRoll: true, wantBehind: true,
			wantFinding: []finding{{Reason: nextstepv1alpha1.ReasonBehindTrajectory, Due: "2026-03-22", Summary: "0 of 5 expected days"}}},
		"left before today":                     {member: rules.Member{LeftOn: day("2026-01-10")}},
		"left today":                            {member: rules.Member{LeftOn: day("2026-03-02")}},
		"leaves tomorrow":                       {member: rules.Member{LeftOn: day("2026-03-03"), HalfDays: 10}, onRoll: true},
		"joins next month":                      {member: rules.Member{JoinedOn: day("2026-04-01")}},
		"joined 10 days ago":                    {member: rules.Member{JoinedOn: day("2026-02-20")}, onRoll: true},
		"joined 29 days ago: last day of grace": {member: rules.Member{JoinedOn: day("2026-02-01")}, onRoll: true},
		"joined 30 days ago: grace over": {member: rules.Member{JoinedOn: day("2026-01-31")}, onRoll: true, wantBehind: true,
			wantFinding: []finding{{Reason: nextstepv1alpha1.ReasonBehindTrajectory, Due: "2026-03-22", Summary: "0 of 5 expected days"}}},
		"joined 3 months ago": {member: rules.Member{JoinedOn: day("2025-12-01"), HalfDays: 3}, onRoll: true, wantBehind: true,
			wantFinding: []finding{{Reason: nextstepv1alpha1.ReasonBehindTrajectory, Due: "2026-03-22", Summary: "1.5 of 5 expected days"}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			tc.member.PupilID = "p1"
			res := rules.Evaluate(p, rules.Cohort{YearGroup: 9, AcademicYear: y2025}, today, []rules.Member{tc.member})
			if res.ExpectedHalfDays != 10 {
				t.Fatalf("expected half days = %d, want 10", res.ExpectedHalfDays)
			}
			if !tc.onRoll {
				if len(res.Assessments) != 0 || res.Counts.Total != 0 {
					t.Fatalf("a pupil not on roll was assessed: %+v", res)
				}
				return
			}
			if len(res.Assessments) != 1 {
				t.Fatalf("assessments = %d, want 1", len(res.Assessments))
			}
			a := res.Assessments[0]
			if a.Behind != tc.wantBehind {
				t.Errorf("behind = %v, want %v", a.Behind, tc.wantBehind)
			}
			if diff := cmp.Diff(tc.wantFinding, findings(a)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateDestinationDeadline(t *testing.T) {
	p := defaults(t)
	// The September Guarantee is another rule (TestSeptemberGuarantee).
	p.Rules[nextstepv1alpha1.ReasonNoSeptemberGuaranteeOffer] = rules.Rule{}
	// Year 11 in 2025/26 leave in July 2026; their destinations must be
	// known by the activity survey on 1 November 2026, raised 60 days before.
	raised := func(summary string) []finding {
		return []finding{{Reason: nextstepv1alpha1.ReasonDestinationUnknown, Due: "2026-11-01", Summary: summary}}
	}
	leaver := rules.Member{LeftOn: day("2026-07-17")}
	cases := map[string]struct {
		today       time.Time
		member      rules.Member
		wantMember  bool
		wantUnknown bool
		want        []finding
	}{
		"before the lead time":       {today: day("2026-09-01"), member: leaver, wantMember: true},
		"first day of the lead time": {today: day("2026-09-02"), member: leaver, wantMember: true, want: raised("destination not known; due by 2026-11-01")},
		"the deadline day itself":    {today: day("2026-11-01"), member: leaver, wantMember: true, want: raised("destination not known; due by 2026-11-01")},
		"the day after the deadline": {today: day("2026-11-02"), member: leaver, wantMember: true, wantUnknown: true,
			want: raised("destination still not known after the deadline of 2026-11-01")},
		"known after the deadline": {today: day("2026-11-02"), member: rules.Member{LeftOn: day("2026-07-17"), DestinationKnown: true}, wantMember: true},
		"confirmed once, lapsed since": {today: day("2027-02-01"), member: rules.Member{LeftOn: day("2026-07-17"), DestinationLapsed: true}, wantMember: true, wantUnknown: true,
			want: raised("confirmed activity has lapsed (currency): destination still not known after the deadline of 2026-11-01")},
		"moved school in February":                 {today: day("2026-11-02"), member: rules.Member{LeftOn: day("2026-02-10")}},
		"still on roll in June, behind on nothing": {today: day("2026-06-30"), member: rules.Member{HalfDays: 20}, wantMember: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			m := tc.member
			m.PupilID = "p1"
			res := rules.Evaluate(p, rules.Cohort{YearGroup: 11, AcademicYear: y2025}, tc.today, []rules.Member{m})
			if !tc.wantMember {
				if len(res.Assessments) != 0 {
					t.Fatalf("assessed a pupil who is not the cohort's: %+v", res.Assessments)
				}
				return
			}
			a := res.Assessments[0]
			if a.DestinationUnknown != tc.wantUnknown {
				t.Errorf("destination unknown = %v, want %v", a.DestinationUnknown, tc.wantUnknown)
			}
			if diff := cmp.Diff(tc.want, findings(a)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// A pupil who finished the year is tracked for their destination only: no
// trajectory or risk findings once they have left.
func TestFinishersAreTrackedForDestinationOnly(t *testing.T) {
	p := defaults(t)
	m := rules.Member{PupilID: "p1", LeftOn: day("2026-07-17"), HalfDays: 0, Risk: rules.Risk{Score: 99}}
	a := rules.Evaluate(p, rules.Cohort{YearGroup: 11, AcademicYear: y2025}, day("2026-11-20"), []rules.Member{m}).Assessments[0]
	want := []finding{{Reason: nextstepv1alpha1.ReasonDestinationUnknown, Due: "2026-11-01", Summary: "destination still not known after the deadline of 2026-11-01"}}
	if diff := cmp.Diff(want, findings(a)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestEvaluateRisk(t *testing.T) {
	p := defaults(t)
	factors := []rules.RiskFactor{{Factor: "attendance", Weight: 2, Evidence: "attendance 84.5% below 90%"}, {Factor: "fsm", Weight: 1, Evidence: "eligible for free school meals"}}
	// By default the rule fires from the high band.
	high := riskscale.DefaultBands.High
	cases := map[string]struct {
		score int32
		want  bool
	}{
		"at the threshold": {score: high, want: true},
		"just below":       {score: high - 1},
		"well above":       {score: high + 6, want: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			m := rules.Member{PupilID: "p1", HalfDays: 4, Risk: rules.Risk{Score: tc.score, Factors: factors, WeightsVersion: "wmca-2026-1"}}
			a := rules.Evaluate(p, rules.Cohort{YearGroup: 7, AcademicYear: y2025}, day("2025-10-01"), []rules.Member{m}).Assessments[0]
			if a.AtRisk != tc.want {
				t.Fatalf("at risk = %v, want %v", a.AtRisk, tc.want)
			}
			if !tc.want {
				return
			}
			f := a.Findings[0]
			if f.Evidence["factor_attendance"] != "2: attendance 84.5% below 90%" || f.Evidence["score"] == "" || f.Evidence["weights_version"] != "wmca-2026-1" {
				t.Errorf("evidence does not explain the score: %v", f.Evidence)
			}
			if f.Due.Format(time.DateOnly) != "2025-10-11" || f.Priority != nextstepv1alpha1.PriorityHigh {
				t.Errorf("due %s priority %s", f.Due.Format(time.DateOnly), f.Priority)
			}
		})
	}
}

func TestEvaluateCounts(t *testing.T) {
	p := defaults(t)
	members := []rules.Member{
		{PupilID: "a", HalfDays: 20, DestinationKnown: true, Risk: rules.Risk{Score: 1}},
		{PupilID: "b", HalfDays: 4, Risk: rules.Risk{Score: 3}},
		{PupilID: "c", HalfDays: 20, Risk: rules.Risk{Score: 6}},
		{PupilID: "d", HalfDays: 2, Risk: rules.Risk{Score: 8}},
		{PupilID: "e", LeftOn: day("2026-01-01")},
	}
	res := rules.Evaluate(p, rules.Cohort{YearGroup: 11, AcademicYear: y2025}, day("2026-04-15"), members)
	want := rules.Counts{
		Total: 4, OnTrack: 1, Behind: 2, AtRisk: 2, DestinationsKnown: 1,
		RiskBands:        map[riskscale.Band]int32{riskscale.Low: 1, riskscale.Medium: 1, riskscale.High: 2},
		HalfDaysCredited: 46,
		// None is disadvantaged, and none has an experience counted.
		Groups: [2]rules.GroupCounts{rules.Others: {Pupils: 4, HalfDays: 46}},
	}
	if diff := cmp.Diff(want, res.Counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}

func TestDisabledRulesFindNothing(t *testing.T) {
	off := ptr.To(false)
	p, err := rules.FromProgramme(nextstepv1alpha1.ProgrammeSpec{AcademicYear: "2025/26", Rules: []nextstepv1alpha1.InterventionRule{
		{Reason: nextstepv1alpha1.ReasonBehindTrajectory, Enabled: off},
		{Reason: nextstepv1alpha1.ReasonDestinationUnknown, Enabled: off},
		{Reason: nextstepv1alpha1.ReasonAtRiskOfNEET, Enabled: off},
	}})
	if err != nil {
		t.Fatal(err)
	}
	m := rules.Member{PupilID: "p1", Risk: rules.Risk{Score: 99}}
	a := rules.Evaluate(p, rules.Cohort{YearGroup: 11, AcademicYear: y2025}, day("2026-05-01"), []rules.Member{m}).Assessments[0]
	if len(a.Findings) != 0 {
		t.Errorf("findings with every rule off: %+v", a.Findings)
	}
}

// TestRiskBands: the at-risk threshold follows the high band unless the
// rule sets its own, and bands out of order are refused with the field
// named.
func TestRiskBands(t *testing.T) {
	d := defaults(t)
	if d.RiskBands != riskscale.DefaultBands || d.Rules[nextstepv1alpha1.ReasonAtRiskOfNEET].Threshold != riskscale.DefaultBands.High {
		t.Errorf("defaults: bands %+v, at-risk threshold %d", d.RiskBands, d.Rules[nextstepv1alpha1.ReasonAtRiskOfNEET].Threshold)
	}
	p, err := rules.FromProgramme(nextstepv1alpha1.ProgrammeSpec{AcademicYear: "2025/26", RiskBands: nextstepv1alpha1.RiskBands{Medium: 2, High: 4}})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Rules[nextstepv1alpha1.ReasonAtRiskOfNEET].Threshold; got != 4 {
		t.Errorf("at-risk threshold %d, want the high band's 4", got)
	}
	_, err = rules.FromProgramme(nextstepv1alpha1.ProgrammeSpec{AcademicYear: "2025/26", RiskBands: nextstepv1alpha1.RiskBands{Medium: 4, High: 4}})
	if err == nil || err.Error() != "riskBands.high: must be above medium (4)" {
		t.Errorf("bands out of order: %v", err)
	}
}

// TestRiskReviews: staff's additions and suppressions decide, until their
// review date, whatever the score.
func TestRiskReviews(t *testing.T) {
	p := defaults(t)
	high := riskscale.DefaultBands.High
	today := day("2025-10-01")
	cases := map[string]struct {
		score  int32
		review *rules.RiskReview
		want   bool
	}{
		"added, no factors":                {review: &rules.RiskReview{Added: true, Reason: "young carer, told us in September"}, want: true},
		"added until a date still to come": {review: &rules.RiskReview{Added: true, Reason: "r", ReviewOn: day("2025-10-02")}, want: true},
		"added until today, lapsed":        {review: &rules.RiskReview{Added: true, Reason: "r", ReviewOn: today}},
		"suppressed, high score":           {score: high + 3, review: &rules.RiskReview{Reason: "absence was a hospital stay", ReviewOn: day("2026-01-05")}},
		"suppression lapsed":               {score: high, review: &rules.RiskReview{Reason: "r", ReviewOn: today}, want: true},
		"no review, high score":            {score: high, want: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			m := rules.Member{PupilID: "p1", HalfDays: 4, Risk: rules.Risk{Score: tc.score, Review: tc.review}}
			a := rules.Evaluate(p, rules.Cohort{YearGroup: 7, AcademicYear: y2025}, today, []rules.Member{m}).Assessments[0]
			if a.AtRisk != tc.want {
				t.Fatalf("at risk = %v, want %v", a.AtRisk, tc.want)
			}
			if tc.want && tc.review != nil && tc.review.Added {
				f := a.Findings[0]
				if f.Evidence["added_by_staff"] != tc.review.Reason || !strings.HasPrefix(f.Summary, "added to the at-risk list by staff") {
					t.Errorf("the finding does not say staff added the pupil: %q %v", f.Summary, f.Evidence)
				}
			}
		})
	}
	off, err := rules.FromProgramme(nextstepv1alpha1.ProgrammeSpec{AcademicYear: "2025/26",
		Rules: []nextstepv1alpha1.InterventionRule{{Reason: nextstepv1alpha1.ReasonAtRiskOfNEET, Enabled: ptr.To(false)}}})
	if err != nil {
		t.Fatal(err)
	}
	m := rules.Member{PupilID: "p1", HalfDays: 4, Risk: rules.Risk{Review: &rules.RiskReview{Added: true, Reason: "r"}}}
	if rules.Evaluate(off, rules.Cohort{YearGroup: 7, AcademicYear: y2025}, today, []rules.Member{m}).Assessments[0].AtRisk {
		t.Error("an addition raised a task with the rule switched off")
	}
}

// TestSeptemberGuarantee: Year 11 and 12 cohorts are fixed at the end of
// May; from the next day to the end of October each young person of it
// without an offer has an intervention, due at the end of September, and
// the counts say how many have one.
func TestSeptemberGuarantee(t *testing.T) {
	p := defaults(t)
	// Destination deadlines are another rule; switched off here.
	p.Rules[nextstepv1alpha1.ReasonDestinationUnknown] = rules.Rule{}
	p.Rules[nextstepv1alpha1.ReasonBehindTrajectory] = rules.Rule{}
	members := []rules.Member{
		{PupilID: "a-no-offer", JoinedOn: day("2021-09-01"), LeftOn: day("2026-07-17")},
		{PupilID: "b-offer", JoinedOn: day("2021-09-01"), LeftOn: day("2026-07-17"), HasOffer: true},
		{PupilID: "c-joined-in-june", JoinedOn: day("2026-06-10")},
		{PupilID: "d-left-in-april", JoinedOn: day("2021-09-01"), LeftOn: day("2026-04-20")},
		{PupilID: "e-left-on-31-may", JoinedOn: day("2021-09-01"), LeftOn: day("2026-05-31")},
	}
	noOffer := func(summary string) []finding {
		return []finding{{Reason: nextstepv1alpha1.ReasonNoSeptemberGuaranteeOffer, Due: "2026-09-30", Summary: summary}}
	}
	due := "no offer of a place for September recorded; due by 2026-09-30"
	late := "still no offer of a place recorded after the September Guarantee's date of 2026-09-30"
	for name, tc := range map[string]struct {
		year          int32
		today         string
		cohort, offer int32
		want          []finding // for a-no-offer
	}{
		"before the cohort is fixed": {11, "2026-05-30", 0, 0, nil},
		"the day it is fixed":        {11, "2026-05-31", 2, 1, nil},
		"the day after":              {11, "2026-06-01", 2, 1, noOffer(due)},
		"the guarantee's date":       {11, "2026-09-30", 2, 1, noOffer(due)},
		"after it":                   {11, "2026-10-01", 2, 1, noOffer(late)},
		"reporting over":             {11, "2026-11-01", 2, 1, nil},
		"Year 12 too":                {12, "2026-06-01", 2, 1, noOffer(due)},
		"not Year 10":                {10, "2026-06-01", 0, 0, nil},
	} {
		t.Run(name, func(t *testing.T) {
			res := rules.Evaluate(p, rules.Cohort{YearGroup: tc.year, AcademicYear: y2025}, day(tc.today), members)
			if res.Counts.SeptemberGuarantee != tc.cohort || res.Counts.SeptemberGuaranteeOffers != tc.offer {
				t.Errorf("cohort %d offers %d, want %d and %d", res.Counts.SeptemberGuarantee, res.Counts.SeptemberGuaranteeOffers, tc.cohort, tc.offer)
			}
			for _, a := range res.Assessments {
				want := tc.want
				if a.PupilID != "a-no-offer" {
					want = nil
				}
				if diff := cmp.Diff(want, findings(a)); diff != "" {
					t.Errorf("%s (-want +got):\n%s", a.PupilID, diff)
				}
			}
		})
	}
}

// TestDisengaged: a young person whose activity changed from education,
// employment or training to NEET gets an urgent intervention, on roll or
// having finished the year, unless the rule is off.
func TestDisengaged(t *testing.T) {
	p := defaults(t)
	today := day("2026-06-10")
	m := rules.Member{PupilID: "p1", LeftOn: day("2026-07-17"), DisengagedOn: day("2026-05-01"), DisengagedFrom: "230", HalfDays: 20}
	// Year 13: the September Guarantee (Years 11 and 12) is another rule.
	a := rules.Evaluate(p, rules.Cohort{YearGroup: 13, AcademicYear: y2025}, today, []rules.Member{m}).Assessments[0]
	want := []finding{{Reason: nextstepv1alpha1.ReasonDisengaged, Due: "2026-06-15", Summary: "activity changed from 230 to NEET on 2026-05-01"}}
	if diff := cmp.Diff(want, findings(a)); diff != "" || !a.Disengaged || a.OnTrack() {
		t.Errorf("disengaged %v, on track %v (-want +got):\n%s", a.Disengaged, a.OnTrack(), diff)
	}
	if a.Findings[0].Priority != nextstepv1alpha1.PriorityUrgent {
		t.Errorf("priority %s", a.Findings[0].Priority)
	}
	// Left early, as the college notified: the same intervention, saying so.
	early := m
	early.DisengagedEarlyLeaver = true
	a = rules.Evaluate(p, rules.Cohort{YearGroup: 13, AcademicYear: y2025}, today, []rules.Member{early}).Assessments[0]
	want = []finding{{Reason: nextstepv1alpha1.ReasonDisengaged, Due: "2026-06-15", Summary: "left 230 early on 2026-05-01, as the provider notified: activity not known"}}
	if diff := cmp.Diff(want, findings(a)); diff != "" || a.Findings[0].Evidence["early_leaver"] != "true" {
		t.Errorf("early leaver (-want +got):\n%s\nevidence %v", diff, a.Findings[0].Evidence)
	}
	p.Rules[nextstepv1alpha1.ReasonDisengaged] = rules.Rule{}
	if a := rules.Evaluate(p, rules.Cohort{YearGroup: 13, AcademicYear: y2025}, today, []rules.Member{m}).Assessments[0]; len(a.Findings) != 0 {
		t.Errorf("rule off: %v", findings(a))
	}
}

// TestNoEmployerEncounter: off by default; once a Programme turns it on, a
// pupil on roll with no encounter this year gets an intervention from the
// rule's date, one with an encounter does not, and the cohort counts those
// with one either way.
func TestNoEmployerEncounter(t *testing.T) {
	on := true
	p, err := rules.FromProgramme(nextstepv1alpha1.ProgrammeSpec{
		AcademicYear: "2025/26", ResyncIntervalSeconds: 60, MaxClosePercent: 50,
		Rules: []nextstepv1alpha1.InterventionRule{
			{Reason: nextstepv1alpha1.ReasonBehindTrajectory, Enabled: new(bool)},
			{Reason: nextstepv1alpha1.ReasonNoEmployerEncounter, Enabled: &on, By: "02-28"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	members := []rules.Member{{PupilID: "met", Encounters: 2}, {PupilID: "none"}}
	cohort := rules.Cohort{YearGroup: 8, AcademicYear: y2025}
	for name, tc := range map[string]struct {
		policy rules.Policy
		today  string
		want   []finding
	}{
		"off by default":       {policy: defaults(t), today: "2026-06-01"},
		"the day before":       {policy: p, today: "2026-02-27"},
		"on the day it is due": {policy: p, today: "2026-02-28", want: []finding{{Reason: nextstepv1alpha1.ReasonNoEmployerEncounter, Due: "2026-03-30", Summary: "no meaningful employer encounter attended this academic year by 2026-02-28"}}},
	} {
		t.Run(name, func(t *testing.T) {
			res := rules.Evaluate(tc.policy, cohort, day(tc.today), members)
			if res.Counts.EmployerEncounter != 1 {
				t.Errorf("%d pupils with an encounter, want 1", res.Counts.EmployerEncounter)
			}
			for _, a := range res.Assessments {
				var want, got []finding
				if a.PupilID == "none" {
					want = tc.want
				}
				for _, f := range findings(a) {
					if f.Reason == nextstepv1alpha1.ReasonNoEmployerEncounter {
						got = append(got, f)
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", a.PupilID, diff)
				}
			}
		})
	}
	if _, err := rules.FromProgramme(nextstepv1alpha1.ProgrammeSpec{Rules: []nextstepv1alpha1.InterventionRule{
		{Reason: nextstepv1alpha1.ReasonNoEmployerEncounter, By: "02-30"},
	}}); err == nil {
		t.Error("a date not in the calendar was taken")
	}
}

// TestImpactGroups: the hub's impact measures count the disadvantaged and
// the rest apart: pupils, those with an experience of work, days credited.
func TestImpactGroups(t *testing.T) {
	members := []rules.Member{
		{PupilID: "a", Disadvantaged: true, HalfDays: 4, Experiences: 2},
		{PupilID: "b", Disadvantaged: true},
		{PupilID: "c", HalfDays: 2, Experiences: 1},
		{PupilID: "d", HalfDays: 6, Experiences: 3},
		// Moved school before the year began: not the cohort's.
		{PupilID: "e", Disadvantaged: true, HalfDays: 10, Experiences: 4, LeftOn: day("2025-07-01")},
	}
	got := rules.Evaluate(defaults(t), rules.Cohort{YearGroup: 9, AcademicYear: y2025}, day("2026-03-02"), members).Counts.Groups
	want := [2]rules.GroupCounts{
		rules.Disadvantaged: {Pupils: 2, WithExperience: 1, HalfDays: 4},
		rules.Others:        {Pupils: 2, WithExperience: 2, HalfDays: 8},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
}
