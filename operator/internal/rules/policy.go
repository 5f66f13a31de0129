package rules

import (
	"fmt"
	"time"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/api/riskscale"
	"github.com/nextstep-uk/nextstep/api/trajectory"
)

// Policy is a programme's spec with every default applied.
type Policy struct {
	// Trajectory is the cumulative half days expected by the end of each
	// year group.
	Trajectory map[int32]int32
	// Deadlines are by year group.
	Deadlines map[int32]Deadline
	// Rules are by reason; every reason has one.
	Rules map[nextstepv1alpha1.Reason]Rule
	// RiskBands draw the risk-of-NEET bands; AtRiskOfNEET's threshold is
	// where the high band begins unless the programme sets one.
	RiskBands riskscale.Bands
	// JoinerGraceDays is how long a pupil who joined during the year has
	// before being counted behind the trajectory.
	JoinerGraceDays int
	// EHCPlanToAge, when not 0, is the age to which young people with an
	// EHC plan are tracked past Year 13 (the cohort of year group
	// nextstepv1alpha1.PastYear13).
	EHCPlanToAge int32
	// MaxCloseFraction is the share of a cohort's open interventions one
	// pass may close; zero leaves it to tracking's own default.
	MaxCloseFraction float64
	// Resync is how often a cohort is reconciled; zero when the spec has no
	// resyncIntervalSeconds (see MissingDefaults).
	Resync time.Duration
}

// Deadline is when a year group's destinations must be known.
type Deadline struct {
	Month      time.Month
	Day        int
	YearsAfter int
	LeadDays   int
}

// Rule is how one reason's interventions are raised.
type Rule struct {
	Enabled          bool
	Priority         nextstepv1alpha1.Priority
	ServiceLevelDays int
	Threshold        int32
	// By is the day of the academic year a condition must be met by
	// (NoEmployerEncounter's).
	By MonthDay
	// Group is when the reason is raised for the cohort as a whole.
	Group Grouping
}

// Grouping is when a reason's interventions are raised for the cohort as a
// whole (grouping.go): from the share From of the pupils on roll, and at
// least MinPupils of them, until the share falls below Release.
type Grouping struct {
	Enabled       bool
	From, Release float64
	MinPupils     int
}

// DefaultGrouping is the grouping of the reasons a school can act on for a
// whole year group (a group placement, an employer week, a careers fair):
// from half the pupils on roll and at least 10 of them, released below
// 40%, so a share hovering at half does not make tasks flap.
var DefaultGrouping = Grouping{Enabled: true, From: 0.5, Release: 0.4, MinPupils: 10}

// Defaults, as the Programme's API documentation states them, for the
// fields the CRD does not default itself. yearGroups, resyncIntervalSeconds and
// maxClosePercent are defaulted by the API server (+kubebuilder:default on
// the ProgrammeSpec), so they are declared there and nowhere here.
var (
	// Year 11 leavers' activity is surveyed from 1 November after they
	// leave; the intervention is raised as they leave, in September.
	DefaultDeadlines = map[int32]Deadline{
		11: {Month: time.November, Day: 1, YearsAfter: 1, LeadDays: 60},
	}
	DefaultRules = map[nextstepv1alpha1.Reason]Rule{
		nextstepv1alpha1.ReasonBehindTrajectory: {Enabled: true, Priority: nextstepv1alpha1.PriorityNormal, ServiceLevelDays: 20, Threshold: 0,
			Group: DefaultGrouping},
		nextstepv1alpha1.ReasonDestinationUnknown: {Enabled: true, Priority: nextstepv1alpha1.PriorityHigh, ServiceLevelDays: 10},
		// Its threshold is the programme's high band (riskscale.DefaultBands
		// when it sets none), applied by FromProgramme.
		nextstepv1alpha1.ReasonAtRiskOfNEET: {Enabled: true, Priority: nextstepv1alpha1.PriorityHigh, ServiceLevelDays: 10},
		// Due at the September Guarantee's own date (SeptemberGuarantee).
		nextstepv1alpha1.ReasonNoSeptemberGuaranteeOffer: {Enabled: true, Priority: nextstepv1alpha1.PriorityHigh},
		// Acting early is the point: the most urgent.
		nextstepv1alpha1.ReasonDisengaged: {Enabled: true, Priority: nextstepv1alpha1.PriorityUrgent, ServiceLevelDays: 5},
		// Gatsby benchmark 5: an encounter every year from Year 7. Off by
		// default: a hub turns it on and chooses the date; by the end of
		// March leaves the summer term to arrange one.
		nextstepv1alpha1.ReasonNoEmployerEncounter: {Priority: nextstepv1alpha1.PriorityNormal, ServiceLevelDays: 30, By: MonthDay{time.March, 31},
			Group: DefaultGrouping},
	}
	// SeptemberGuarantee is DfE's: every Year 11 and Year 12 young person
	// gets an offer of a suitable place for the September after by the end
	// of September; the cohort is fixed at the end of May and reported from
	// then to the end of October (../shared/DOMAIN.md, "Deadlines").
	SeptemberGuarantee = struct {
		YearGroups              map[int32]bool
		FixedOn                 MonthDay // in the cohort's academic year
		OffersBy, ReportedUntil MonthDay // in the academic year after
	}{
		YearGroups:    map[int32]bool{11: true, 12: true},
		FixedOn:       MonthDay{time.May, 31},
		OffersBy:      MonthDay{time.September, 30},
		ReportedUntil: MonthDay{time.October, 31},
	}
	// DefaultPastYear13Deadline: past Year 13 a young person's activity
	// should be known all year round, from 1 September.
	DefaultPastYear13Deadline = Deadline{Month: time.September, Day: 1}
	DefaultJoinerGraceDays    = 30
	DefaultDeadlineLeadDays   = int32(30)
	// LeaversFrom is the month and day from which a pupil who leaves still
	// belongs to the cohort's destination tracking: those who finish the
	// year (Year 11 leave after their exams in June) rather than move school.
	LeaversFrom = MonthDay{time.June, 1}
)

// MonthDay is a day of the year.
type MonthDay struct {
	Month time.Month
	Day   int
}

// FromProgramme resolves a programme's spec into a policy.
func FromProgramme(spec nextstepv1alpha1.ProgrammeSpec) (Policy, error) {
	p := Policy{
		Trajectory:      map[int32]int32{},
		Deadlines:       map[int32]Deadline{},
		Rules:           map[nextstepv1alpha1.Reason]Rule{},
		JoinerGraceDays: DefaultJoinerGraceDays,
	}
	if len(spec.Trajectory) == 0 {
		for yg, hd := range trajectory.Default {
			p.Trajectory[yg] = hd
		}
	}
	for _, t := range spec.Trajectory {
		if t.HalfDays == nil {
			return Policy{}, fmt.Errorf("trajectory[yearGroup=%d]: halfDays is required", t.YearGroup)
		}
		p.Trajectory[t.YearGroup] = *t.HalfDays
	}
	if len(spec.DestinationDeadlines) == 0 {
		for yg, d := range DefaultDeadlines {
			p.Deadlines[yg] = d
		}
	}
	for _, d := range spec.DestinationDeadlines {
		parsed, err := time.Parse("01-02", d.Date)
		if err != nil {
			return Policy{}, fmt.Errorf("destinationDeadlines[yearGroup=%d]: date %q is not MM-DD", d.YearGroup, d.Date)
		}
		lead := DefaultDeadlineLeadDays
		if d.LeadDays != nil {
			lead = *d.LeadDays
		}
		after := int32(0)
		if d.YearsAfter != nil {
			after = *d.YearsAfter
		}
		p.Deadlines[d.YearGroup] = Deadline{Month: parsed.Month(), Day: parsed.Day(), YearsAfter: int(after), LeadDays: int(lead)}
	}
	if p.EHCPlanToAge = spec.EHCPlanToAge; p.EHCPlanToAge > 0 {
		if _, set := p.Deadlines[nextstepv1alpha1.PastYear13]; !set {
			p.Deadlines[nextstepv1alpha1.PastYear13] = DefaultPastYear13Deadline
		}
	}
	p.RiskBands = riskscale.DefaultBands
	if b := spec.RiskBands; b != (nextstepv1alpha1.RiskBands{}) {
		p.RiskBands = riskscale.Bands{Medium: b.Medium, High: b.High}
		// The CRD refuses these too; a spec built in Go may not have been
		// through it.
		if err := p.RiskBands.Validate(); err != nil {
			return Policy{}, fmt.Errorf("riskBands.%w", err)
		}
	}
	for reason, r := range DefaultRules {
		if reason == nextstepv1alpha1.ReasonAtRiskOfNEET {
			r.Threshold = p.RiskBands.High
		}
		p.Rules[reason] = r
	}
	for _, r := range spec.Rules {
		rule := p.Rules[r.Reason]
		if r.Enabled != nil {
			rule.Enabled = *r.Enabled
		}
		if r.Priority != "" {
			rule.Priority = r.Priority
		}
		if r.ServiceLevelDays > 0 {
			rule.ServiceLevelDays = int(r.ServiceLevelDays)
		}
		if r.Threshold != nil {
			rule.Threshold = *r.Threshold
		}
		if r.By != "" {
			by, err := time.Parse("01-02", r.By)
			if err != nil {
				return Policy{}, fmt.Errorf("rules[reason=%s]: by %q is not MM-DD", r.Reason, r.By)
			}
			rule.By = MonthDay{by.Month(), by.Day()}
		}
		if g := r.Grouping; g != nil {
			rule.Group = groupingOf(rule.Group, g)
			if rule.Group.Release > rule.Group.From {
				return Policy{}, fmt.Errorf("rules[reason=%s]: grouping.releaseBelowPercent must not be above fromPercent", r.Reason)
			}
		}
		p.Rules[r.Reason] = rule
	}
	// A spec read from the API server always has maxClosePercent and
	// resyncIntervalSeconds (the CRD defaults them). One built in Go may
	// not: a zero maxClosePercent gives a zero fraction, which tracking
	// reads as its own default (half), and a zero resyncIntervalSeconds a
	// zero Resync, which the reconcilers refuse through MissingDefaults
	// rather than guess.
	p.MaxCloseFraction = float64(spec.MaxClosePercent) / 100
	p.Resync = time.Duration(spec.ResyncIntervalSeconds) * time.Second
	return p, nil
}

// groupingOf is the grouping a rule's spec sets over base (the reason's
// default, or DefaultGrouping's figures for a reason not grouped by
// default): a field left unset keeps base's value.
func groupingOf(base Grouping, g *nextstepv1alpha1.Grouping) Grouping {
	if !base.Enabled && base.MinPupils == 0 {
		base = DefaultGrouping
	}
	out := base
	out.Enabled = g.Enabled == nil || *g.Enabled
	if g.FromPercent > 0 {
		out.From = float64(g.FromPercent) / 100
	}
	switch {
	case g.ReleaseBelowPercent != nil:
		out.Release = float64(*g.ReleaseBelowPercent) / 100
	case out.Release > out.From:
		// A lower fromPercent alone brings the release point down with it.
		out.Release = out.From
	}
	if g.MinPupils > 0 {
		out.MinPupils = int(g.MinPupils)
	}
	return out
}

// MissingDefaults names the fields of spec that the API server defaults but
// that are unset (or, for resyncIntervalSeconds, not positive). Acting without them
// would be unsafe: with no year groups a programme would delete every
// cohort it made, and with no resync interval a cohort would never be
// reconciled again unless something in Kubernetes changed. Only a Programme
// CRD older than the operator (the chart's CRDs not applied before an
// upgrade, as its README asks) or a spec built in Go leaves them unset.
func MissingDefaults(spec nextstepv1alpha1.ProgrammeSpec) []string {
	var missing []string
	if len(spec.YearGroups) == 0 {
		missing = append(missing, "yearGroups")
	}
	if spec.ResyncIntervalSeconds <= 0 {
		missing = append(missing, "resyncIntervalSeconds")
	}
	return missing
}

// ExpectedHalfDays is what the programme's trajectory expects of a pupil
// in yearGroup by the day on, in academic year y (trajectory.Expected).
func (p Policy) ExpectedHalfDays(yearGroup int32, y AcademicYear, on time.Time) int32 {
	return trajectory.Expected(p.Trajectory, yearGroup, y, on)
}

// DeadlineFor returns the destination deadline of a cohort of yearGroup in
// academic year y, and whether there is one.
func (p Policy) DeadlineFor(yearGroup int32, y AcademicYear) (deadline time.Time, lead int, ok bool) {
	d, ok := p.Deadlines[yearGroup]
	if !ok {
		return time.Time{}, 0, false
	}
	return y.Plus(d.YearsAfter).On(d.Month, d.Day), d.LeadDays, true
}
