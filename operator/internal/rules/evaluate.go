package rules

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/api/riskscale"
)

// Member is what the sources say of one pupil in the cohort: ids and
// figures, never a name.
type Member struct {
	PupilID string
	// JoinedOn is when the pupil joined the school (zero if unknown);
	// LeftOn when they left (zero if on roll).
	JoinedOn, LeftOn time.Time
	// HalfDays of work experience credited; Experiences attended.
	HalfDays, Experiences int32
	// DestinationKnown says whether the latest destination's activity code
	// counts as known.
	DestinationKnown bool
	// DestinationLapsed says the latest is a confirmed activity that was
	// known and whose currency has lapsed, so it is not known now.
	DestinationLapsed bool
	// HasOffer says an offer of a place is recorded (the September
	// Guarantee): the latest destination is an offer, or a current
	// confirmed activity in education, employment or training.
	HasOffer bool
	// DisengagedOn is when the young person's confirmed activity changed
	// from DisengagedFrom (a code in education, employment or training)
	// to a NEET one, or their provider says they left it early
	// (DisengagedEarlyLeaver); zero if it has not.
	DisengagedOn          time.Time
	DisengagedFrom        string
	DisengagedEarlyLeaver bool
	// Risk is the pupil service's risk-of-NEET score and its factors.
	Risk Risk
	// Encounters are the meaningful employer encounters (talks, careers
	// fairs, mentoring) attended this academic year.
	Encounters int32
	// Disadvantaged is the group the guarantee serves first: free school
	// meals in the last six years, SEN support or an EHC plan, looked
	// after now or before, or a child in need.
	Disadvantaged bool
	// InCare is looked after now or before, or a child in need: with the
	// high risk band, those who keep an intervention of their own when the
	// cohort's stands for the rest (grouping.go).
	InCare bool
}

// Risk is an explainable risk-of-NEET score, and staff's review of it.
type Risk struct {
	Score   int32
	Factors []RiskFactor
	// WeightsVersion names the weights that made Score.
	WeightsVersion string
	// Review is staff's review of the pupil's place on the risk list,
	// in force until ReviewOn (zero: until cleared); nil for none.
	Review *RiskReview
}

// RiskReview is the "add and filter" step of DfE's January 2025 guidance:
// school staff add a pupil the score missed, or suppress a flag, with a
// reason.
type RiskReview struct {
	// Added puts the pupil on the list whatever the score; otherwise the
	// review suppresses the flag.
	Added    bool
	Reason   string
	ReviewOn time.Time
}

// inForce reports whether the review still holds on today.
func (r *RiskReview) inForce(today time.Time) bool {
	return r != nil && (r.ReviewOn.IsZero() || today.Before(r.ReviewOn))
}

// RiskFactor is one factor's contribution to a score.
type RiskFactor struct {
	Factor   string
	Weight   int32
	Evidence string
}

// Finding is one intervention a pupil needs.
type Finding struct {
	Reason   nextstepv1alpha1.Reason
	Priority nextstepv1alpha1.Priority
	Due      time.Time
	// Summary is short, human-readable evidence with no personal data,
	// like "3 of 6 expected days".
	Summary  string
	Evidence map[string]string
}

// Assessment is one pupil's state and findings.
type Assessment struct {
	PupilID string
	// Individual says the pupil keeps their own interventions whatever
	// the grouping (Member.InCare, or the high risk band).
	Individual bool
	// Behind the trajectory; DestinationUnknown after the deadline; AtRisk
	// at or above the risk threshold; NoOffer in the September Guarantee's
	// cohort with no offer recorded, while it is reported; Disengaged moved
	// from education, employment or training to NEET.
	Behind, DestinationUnknown, AtRisk, NoOffer, Disengaged bool
	Findings                                                []Finding
}

// OnTrack is true when the pupil is in none of the other states.
func (a Assessment) OnTrack() bool {
	return !a.Behind && !a.DestinationUnknown && !a.AtRisk && !a.NoOffer && !a.Disengaged
}

// Counts aggregate a cohort's assessments, for its status and metrics.
type Counts struct {
	Total, OnTrack, Behind, DestinationUnknown, AtRisk int32
	DestinationsKnown                                  int32
	// SeptemberGuarantee is the guarantee's cohort (on roll at the end of
	// May; Years 11 and 12 only, and only once it is fixed), and
	// SeptemberGuaranteeOffers those of them with an offer recorded.
	SeptemberGuarantee, SeptemberGuaranteeOffers int32
	// EmployerEncounter counts the pupils on roll with at least one
	// employer encounter this academic year.
	EmployerEncounter int32
	// The hub's impact measures, for the disadvantaged and for the rest
	// (Group index: Disadvantaged, Others): pupils, those with at least one
	// experience of work, and their half days credited.
	Groups [2]GroupCounts
	// RiskBands counts pupils by band: low, medium, high.
	RiskBands map[riskscale.Band]int32
	// HalfDaysCredited is the cohort's total.
	HalfDaysCredited int64
}

// The groups of Counts.Groups.
const (
	Disadvantaged = iota
	Others
)

// GroupCounts are one group's impact measures.
type GroupCounts struct {
	Pupils, WithExperience int32
	HalfDays               int64
}

// Result is the outcome of evaluating a cohort.
type Result struct {
	// Assessments of the pupils on roll, in pupil id order.
	Assessments []Assessment
	// Grouped are the reasons most of the cohort shares, each with the
	// cohort's own finding, which stands for the findings of its pupils
	// that are not Individual (they are left out of Assessments' findings).
	Grouped []Group
	Counts  Counts
	// ExpectedHalfDays is what the trajectory expects of the cohort today.
	ExpectedHalfDays int32
}

// Cohort identifies what is evaluated.
type Cohort struct {
	YearGroup    int32
	AcademicYear AcademicYear
	// Grouped are the reasons the last pass grouped (the Cohort's status):
	// they stay grouped down to the rule's release point.
	Grouped map[nextstepv1alpha1.Reason]bool
}

// Evaluate decides each member's state and findings on the day today.
// Pupils who moved away during the year, or have not joined by today, are no
// longer the cohort's: they get no findings, so their open interventions
// close as the condition has cleared. Pupils who finished the year (left
// from LeaversFrom on, as Year 11 do) stay for their destination alone.
func Evaluate(p Policy, c Cohort, today time.Time, members []Member) Result {
	today = Day(today)
	res := Result{
		ExpectedHalfDays: p.ExpectedHalfDays(c.YearGroup, c.AcademicYear, today),
		Counts:           Counts{RiskBands: map[riskscale.Band]int32{riskscale.Low: 0, riskscale.Medium: 0, riskscale.High: 0}},
	}
	deadline, lead, hasDeadline := p.DeadlineFor(c.YearGroup, c.AcademicYear)
	finishedFrom := c.AcademicYear.On(LeaversFrom.Month, LeaversFrom.Day)
	guarantee := newGuarantee(c, today)
	for _, m := range members {
		status := membershipOf(m, today, finishedFrom)
		if c.YearGroup == nextstepv1alpha1.PastYear13 {
			// Past Year 13 (an EHC plan to 25): left school, tracked for
			// their destination alone.
			status = finished
		}
		if status == notMember {
			continue
		}
		a := Assessment{PupilID: m.PupilID, Individual: m.InCare || p.RiskBands.Of(m.Risk.Score) == riskscale.High}
		if status == onRoll {
			if f, ok := behind(p, m, res.ExpectedHalfDays, today); ok {
				a.Behind = true
				a.Findings = append(a.Findings, f)
			}
		}
		if hasDeadline && !m.DestinationKnown {
			a.DestinationUnknown = today.After(deadline)
			if f, ok := destinationUnknown(p, deadline, lead, today, m.DestinationLapsed); ok {
				a.Findings = append(a.Findings, f)
			}
		}
		if status == onRoll {
			if f, ok := atRisk(p, m, today); ok {
				a.AtRisk = true
				a.Findings = append(a.Findings, f)
			}
			if m.Encounters > 0 {
				res.Counts.EmployerEncounter++
			} else if f, ok := noEncounter(p, c, today); ok {
				a.Findings = append(a.Findings, f)
			}
		}
		if f, ok := disengaged(p, m, today); ok {
			a.Disengaged = true
			a.Findings = append(a.Findings, f)
		}
		if guarantee.covers(m) {
			res.Counts.SeptemberGuarantee++
			if m.HasOffer {
				res.Counts.SeptemberGuaranteeOffers++
			} else if f, ok := guarantee.noOffer(p, today); ok {
				a.NoOffer = true
				a.Findings = append(a.Findings, f)
			}
		}
		res.Assessments = append(res.Assessments, a)
		res.Counts.add(a, m, p.RiskBands)
	}
	sort.Slice(res.Assessments, func(i, j int) bool { return res.Assessments[i].PupilID < res.Assessments[j].PupilID })
	res.Grouped = group(p, c, today, &res, members)
	return res
}

// guarantee is the September Guarantee as it applies to one cohort.
type guarantee struct {
	// fixed says the cohort is a Year 11 or 12 one whose guarantee cohort
	// is fixed by today.
	fixed                    bool
	fixedOn, offersBy, until time.Time
}

func newGuarantee(c Cohort, today time.Time) guarantee {
	sg, next := SeptemberGuarantee, c.AcademicYear.Plus(1)
	g := guarantee{
		fixedOn:  c.AcademicYear.On(sg.FixedOn.Month, sg.FixedOn.Day),
		offersBy: next.On(sg.OffersBy.Month, sg.OffersBy.Day),
		until:    next.On(sg.ReportedUntil.Month, sg.ReportedUntil.Day),
	}
	g.fixed = sg.YearGroups[c.YearGroup] && !today.Before(g.fixedOn)
	return g
}

// covers reports whether m is in the guarantee's cohort: on roll at the
// end of May.
func (g guarantee) covers(m Member) bool {
	return g.fixed && (m.JoinedOn.IsZero() || !Day(m.JoinedOn).After(g.fixedOn)) && (m.LeftOn.IsZero() || Day(m.LeftOn).After(g.fixedOn))
}

// noOffer is the intervention for a young person in the cohort with no
// offer, raised from the day after the cohort is fixed until reporting ends
// (the end of October), due at the end of September. After that the
// destination deadline (the activity survey) takes over.
func (g guarantee) noOffer(p Policy, today time.Time) (Finding, bool) {
	rule := p.Rules[nextstepv1alpha1.ReasonNoSeptemberGuaranteeOffer]
	if !rule.Enabled || !today.After(g.fixedOn) || today.After(g.until) {
		return Finding{}, false
	}
	summary := "no offer of a place for September recorded; due by " + g.offersBy.Format(time.DateOnly)
	if today.After(g.offersBy) {
		summary = "still no offer of a place recorded after the September Guarantee's date of " + g.offersBy.Format(time.DateOnly)
	}
	return Finding{
		Reason:   nextstepv1alpha1.ReasonNoSeptemberGuaranteeOffer,
		Priority: rule.Priority,
		Due:      g.offersBy,
		Summary:  summary,
		Evidence: map[string]string{"offers_by": g.offersBy.Format(time.DateOnly), "cohort_fixed_on": g.fixedOn.Format(time.DateOnly)},
	}, true
}

// noEncounter is the intervention for a pupil on roll with no employer
// encounter this academic year, raised from the rule's date on.
func noEncounter(p Policy, c Cohort, today time.Time) (Finding, bool) {
	rule := p.Rules[nextstepv1alpha1.ReasonNoEmployerEncounter]
	by := c.AcademicYear.On(rule.By.Month, rule.By.Day)
	if !rule.Enabled || rule.By.Month == 0 || today.Before(by) {
		return Finding{}, false
	}
	return Finding{
		Reason:   nextstepv1alpha1.ReasonNoEmployerEncounter,
		Priority: rule.Priority,
		Due:      today.AddDate(0, 0, rule.ServiceLevelDays),
		Summary:  "no meaningful employer encounter attended this academic year by " + by.Format(time.DateOnly),
		Evidence: map[string]string{"by": by.Format(time.DateOnly), "academic_year": c.AcademicYear.String()},
	}, true
}

// disengaged is the intervention for a young person whose activity changed
// from education, employment or training to NEET, or who left it early as
// their provider notified, raised while that is their latest record (on
// roll or having finished the year).
func disengaged(p Policy, m Member, today time.Time) (Finding, bool) {
	rule := p.Rules[nextstepv1alpha1.ReasonDisengaged]
	if !rule.Enabled || m.DisengagedOn.IsZero() {
		return Finding{}, false
	}
	on := m.DisengagedOn.Format(time.DateOnly)
	f := Finding{
		Reason:   nextstepv1alpha1.ReasonDisengaged,
		Priority: rule.Priority,
		Due:      today.AddDate(0, 0, rule.ServiceLevelDays),
		Summary:  fmt.Sprintf("activity changed from %s to NEET on %s", m.DisengagedFrom, on),
		Evidence: map[string]string{"disengaged_on": on, "previous_activity": m.DisengagedFrom},
	}
	if m.DisengagedEarlyLeaver {
		f.Summary = fmt.Sprintf("left %s early on %s, as the provider notified: activity not known", m.DisengagedFrom, on)
		f.Evidence["early_leaver"] = "true"
	}
	return f, true
}

// membership is how a member belongs to the cohort on a day.
type membership int

const (
	notMember membership = iota // not joined yet, or moved away
	onRoll                      // at the school
	finished                    // left having finished the year: destination only
)

func membershipOf(m Member, today, finishedFrom time.Time) membership {
	if !m.JoinedOn.IsZero() && Day(m.JoinedOn).After(today) {
		return notMember
	}
	if m.LeftOn.IsZero() || Day(m.LeftOn).After(today) {
		return onRoll
	}
	if !Day(m.LeftOn).Before(finishedFrom) {
		return finished
	}
	return notMember
}

func behind(p Policy, m Member, expected int32, today time.Time) (Finding, bool) {
	rule := p.Rules[nextstepv1alpha1.ReasonBehindTrajectory]
	if !rule.Enabled || expected-m.HalfDays <= rule.Threshold {
		return Finding{}, false
	}
	// A pupil who joined recently has a grace period to catch up.
	if !m.JoinedOn.IsZero() && today.Before(Day(m.JoinedOn).AddDate(0, 0, p.JoinerGraceDays)) {
		return Finding{}, false
	}
	return Finding{
		Reason:   nextstepv1alpha1.ReasonBehindTrajectory,
		Priority: rule.Priority,
		Due:      today.AddDate(0, 0, rule.ServiceLevelDays),
		Summary:  fmt.Sprintf("%s of %s expected days", days(m.HalfDays), days(expected)),
		Evidence: map[string]string{
			"credited_half_days": strconv.Itoa(int(m.HalfDays)),
			"expected_half_days": strconv.Itoa(int(expected)),
			"experiences":        strconv.Itoa(int(m.Experiences)),
		},
	}, true
}

func destinationUnknown(p Policy, deadline time.Time, lead int, today time.Time, lapsed bool) (Finding, bool) {
	rule := p.Rules[nextstepv1alpha1.ReasonDestinationUnknown]
	if !rule.Enabled || today.Before(deadline.AddDate(0, 0, -lead)) {
		return Finding{}, false
	}
	summary := "destination not known; due by " + deadline.Format(time.DateOnly)
	if today.After(deadline) {
		summary = "destination still not known after the deadline of " + deadline.Format(time.DateOnly)
	}
	evidence := map[string]string{"deadline": deadline.Format(time.DateOnly)}
	if lapsed {
		// The activity was confirmed once: confirming its currency, or
		// recording the new one, is the work.
		summary = "confirmed activity has lapsed (currency): " + summary
		evidence["currency"] = "lapsed"
	}
	return Finding{
		Reason:   nextstepv1alpha1.ReasonDestinationUnknown,
		Priority: rule.Priority,
		Due:      deadline,
		Summary:  summary,
		Evidence: evidence,
	}, true
}

func atRisk(p Policy, m Member, today time.Time) (Finding, bool) {
	rule := p.Rules[nextstepv1alpha1.ReasonAtRiskOfNEET]
	review := m.Risk.Review
	if !review.inForce(today) {
		review = nil
	}
	added := review != nil && review.Added
	switch {
	case !rule.Enabled:
		return Finding{}, false
	case review != nil && !review.Added:
		// Suppressed until its review date, whatever the score.
		return Finding{}, false
	case m.Risk.Score < rule.Threshold && !added:
		return Finding{}, false
	}
	evidence := map[string]string{"score": strconv.Itoa(int(m.Risk.Score)), "threshold": strconv.Itoa(int(rule.Threshold))}
	if m.Risk.WeightsVersion != "" {
		evidence["weights_version"] = truncate(m.Risk.WeightsVersion, 64)
	}
	if added {
		evidence["added_by_staff"] = truncate(review.Reason, 200)
	}
	names := make([]string, 0, len(m.Risk.Factors))
	for _, f := range m.Risk.Factors {
		evidence[evidenceKey("factor_"+f.Factor)] = truncate(fmt.Sprintf("%d: %s", f.Weight, f.Evidence), 200)
		names = append(names, f.Factor)
	}
	summary := fmt.Sprintf("risk score %d (threshold %d): %s", m.Risk.Score, rule.Threshold, strings.Join(names, ", "))
	if added {
		summary = "added to the at-risk list by staff; " + summary
	}
	return Finding{
		Reason:   nextstepv1alpha1.ReasonAtRiskOfNEET,
		Priority: rule.Priority,
		Due:      today.AddDate(0, 0, rule.ServiceLevelDays),
		Summary:  summary,
		Evidence: evidence,
	}, true
}

func (c *Counts) add(a Assessment, m Member, bands riskscale.Bands) {
	c.Total++
	c.HalfDaysCredited += int64(m.HalfDays)
	if m.DestinationKnown {
		c.DestinationsKnown++
	}
	if a.OnTrack() {
		c.OnTrack++
	}
	if a.Behind {
		c.Behind++
	}
	if a.DestinationUnknown {
		c.DestinationUnknown++
	}
	if a.AtRisk {
		c.AtRisk++
	}
	c.RiskBands[bands.Of(m.Risk.Score)]++
	g := &c.Groups[Others]
	if m.Disadvantaged {
		g = &c.Groups[Disadvantaged]
	}
	g.Pupils++
	g.HalfDays += int64(m.HalfDays)
	if m.Experiences > 0 {
		g.WithExperience++
	}
}

// days writes half days as days: 7 is "3.5".
func days(halfDays int32) string {
	if halfDays%2 == 0 {
		return strconv.Itoa(int(halfDays / 2))
	}
	return fmt.Sprintf("%d.5", halfDays/2)
}

// evidenceKey makes a key tracking accepts: lower case letters, digits and
// underscores, starting with a letter, at most 63 characters.
func evidenceKey(s string) string {
	b := []byte(strings.ToLower(s))
	for i, c := range b {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			b[i] = '_'
		}
	}
	return truncate(string(b), 63)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
