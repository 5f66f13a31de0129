// Package risk computes the risk-of-NEET (RONI) score local authorities use
// to act early on young people drifting towards not being in education,
// employment or training. It is pure: inputs in, an explainable score out.
// A score is never a bare number: it lists each factor that made it, with
// its weight and the evidence.
package risk

import "time"

// SEN is a pupil's special educational needs provision, as the school
// census records it (N, K, E).
type SEN string

// The SEN statuses: none, SEN support (census code K), an education, health
// and care plan (E).
const (
	SENNone    SEN = "none"
	SENSupport SEN = "sen_support"
	SENEHCPlan SEN = "ehc_plan"
)

// Care is whether a pupil is or was looked after by a local authority.
type Care string

// The looked-after statuses: never, looked after now, or looked after at
// some time but not now ("ever looked after", as DfE's analysis of
// long-term NEET counts it; the census's "previously looked after" is a
// narrower legal status, of children who left care by adoption or a
// guardianship order, and is not a risk flag).
const (
	CareNone            Care = "none"
	CareLookedAfter     Care = "looked_after"
	CareEverLookedAfter Care = "ever_looked_after"
)

// Factors are the risk-factor inputs of one pupil. Each is nil when not
// known, and carries the date it was true as at.
type Factors struct {
	Attendance          *Percent
	Suspensions         *Count
	PermanentExclusions *Count
	SEN                 *SENStatus
	// FreeSchoolMeals is eligibility at any time in the last six years
	// (FSM6), as the Pupil Premium counts disadvantage.
	FreeSchoolMeals *Flag
	Care            *CareStatus
	YoungCarer      *Flag
	EAL             *Flag
	SchoolMoves     *Count
	// PriorAttainment is the KS2 reading and maths scaled scores.
	PriorAttainment *Attainment
	// ChildInNeed: ever a child in need or on a child protection plan.
	ChildInNeed *Flag
	// AlternativeProvision: in alternative provision or a pupil referral
	// unit, or educated off site.
	AlternativeProvision *Flag
	YouthJustice         *Flag
	// YoungParent: pregnant or a young parent.
	YoungParent *Flag
	// HomeEducated: electively home educated at any time.
	HomeEducated *Flag
	// MentalHealth: a mental health concern recorded by the school.
	MentalHealth *Flag
}

// Each calls fn with the name (as the contract names the field) and the
// as-at date of every factor that is known, in a fixed order.
func (f Factors) Each(fn func(name string, asAt time.Time)) {
	for _, x := range []struct {
		name  string
		known bool
		asAt  func() time.Time
	}{
		{"attendance", f.Attendance != nil, func() time.Time { return f.Attendance.AsAt }},
		{"suspensions", f.Suspensions != nil, func() time.Time { return f.Suspensions.AsAt }},
		{"permanent_exclusions", f.PermanentExclusions != nil, func() time.Time { return f.PermanentExclusions.AsAt }},
		{"sen", f.SEN != nil, func() time.Time { return f.SEN.AsAt }},
		{"free_school_meals", f.FreeSchoolMeals != nil, func() time.Time { return f.FreeSchoolMeals.AsAt }},
		{"looked_after", f.Care != nil, func() time.Time { return f.Care.AsAt }},
		{"young_carer", f.YoungCarer != nil, func() time.Time { return f.YoungCarer.AsAt }},
		{"english_additional_language", f.EAL != nil, func() time.Time { return f.EAL.AsAt }},
		{"school_moves", f.SchoolMoves != nil, func() time.Time { return f.SchoolMoves.AsAt }},
		{"prior_attainment", f.PriorAttainment != nil, func() time.Time { return f.PriorAttainment.AsAt }},
		{"child_in_need", f.ChildInNeed != nil, func() time.Time { return f.ChildInNeed.AsAt }},
		{"alternative_provision", f.AlternativeProvision != nil, func() time.Time { return f.AlternativeProvision.AsAt }},
		{"youth_justice", f.YouthJustice != nil, func() time.Time { return f.YouthJustice.AsAt }},
		{"young_parent", f.YoungParent != nil, func() time.Time { return f.YoungParent.AsAt }},
		{"home_educated", f.HomeEducated != nil, func() time.Time { return f.HomeEducated.AsAt }},
		{"mental_health", f.MentalHealth != nil, func() time.Time { return f.MentalHealth.AsAt }},
	} {
		if x.known {
			fn(x.name, x.asAt())
		}
	}
}

// notKnown names the factors with no data, in Each's order.
func (f Factors) notKnown() []string {
	known := map[string]bool{}
	f.Each(func(name string, _ time.Time) { known[name] = true })
	var out []string
	for _, name := range FactorNames {
		if !known[name] {
			out = append(out, name)
		}
	}
	return out
}

// FactorNames are every factor's name, as the contract names the field, in
// Each's order.
var FactorNames = []string{
	"attendance", "suspensions", "permanent_exclusions", "sen", "free_school_meals", "looked_after", "young_carer",
	"english_additional_language", "school_moves", "prior_attainment", "child_in_need", "alternative_provision",
	"youth_justice", "young_parent", "home_educated", "mental_health",
}

// Percent is an attendance percentage (0-100).
type Percent struct {
	Value float64
	AsAt  time.Time
}

// Count is a number of events (suspensions, exclusions, moves).
type Count struct {
	Value int
	AsAt  time.Time
}

// Flag is a yes/no factor.
type Flag struct {
	Value bool
	AsAt  time.Time
}

// SENStatus is the pupil's SEN provision.
type SENStatus struct {
	Value SEN
	AsAt  time.Time
}

// CareStatus is the pupil's looked-after status.
type CareStatus struct {
	Value Care
	AsAt  time.Time
}

// Attainment is prior attainment: the KS2 reading and maths scaled scores
// (80 to 120; 0 when that subject is not known), as at the later of their
// dates.
type Attainment struct {
	Reading, Maths int
	AsAt           time.Time
}

// ExpectedStandard is the KS2 scaled score that meets the expected
// standard: scores run from 80 to 120 and "a scaled score of 100 will always
// represent the expected standard" (DfE, "Scaled scores at key stage 2",
// gov.uk/guidance/scaled-scores-at-key-stage-2, as schools quote it).
const ExpectedStandard = 100
