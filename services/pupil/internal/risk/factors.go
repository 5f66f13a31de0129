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
	for _, x := range factorFields {
		if asAt, ok := x.field(&f).date(); ok {
			fn(x.name, asAt)
		}
	}
}

// notKnown names the factors with no data, in Each's order.
func (f Factors) notKnown() []string {
	out := make([]string, 0, len(factorFields))
	for _, x := range factorFields {
		if _, ok := x.field(&f).date(); !ok {
			out = append(out, x.name)
		}
	}
	return out
}

// factorFields are every factor, in Each's order: its name, as the
// contract names the field, and where Factors holds it. A package-level
// table, so that listing a pupil's factors (every member of a cohort
// snapshot, twice) allocates one copy of the Factors it reads, not a
// closure per factor.
var factorFields = [...]struct {
	name  string
	field func(*Factors) dated
}{
	{FactorAttendance, func(f *Factors) dated { return f.Attendance }},
	{FactorSuspensions, func(f *Factors) dated { return f.Suspensions }},
	{FactorPermanentExclusions, func(f *Factors) dated { return f.PermanentExclusions }},
	{FactorSEN, func(f *Factors) dated { return f.SEN }},
	{FactorFreeSchoolMeals, func(f *Factors) dated { return f.FreeSchoolMeals }},
	{FactorCare, func(f *Factors) dated { return f.Care }},
	{FactorYoungCarer, func(f *Factors) dated { return f.YoungCarer }},
	{FactorEAL, func(f *Factors) dated { return f.EAL }},
	{FactorSchoolMoves, func(f *Factors) dated { return f.SchoolMoves }},
	{FactorPriorAttainment, func(f *Factors) dated { return f.PriorAttainment }},
	{FactorChildInNeed, func(f *Factors) dated { return f.ChildInNeed }},
	{FactorAltProvision, func(f *Factors) dated { return f.AlternativeProvision }},
	{FactorYouthJustice, func(f *Factors) dated { return f.YouthJustice }},
	{FactorYoungParent, func(f *Factors) dated { return f.YoungParent }},
	{FactorHomeEducated, func(f *Factors) dated { return f.HomeEducated }},
	{FactorMentalHealth, func(f *Factors) dated { return f.MentalHealth }},
}

// FactorNames are every factor's name, as the contract names the field, in
// Each's order.
var FactorNames = func() []string {
	names := make([]string, len(factorFields))
	for i, x := range factorFields {
		names[i] = x.name
	}
	return names
}()

// dated is a factor as Factors holds it: a pointer, nil when not known.
type dated interface {
	// date is the factor's as-at date, and whether it is known.
	date() (time.Time, bool)
}

// Percent is an attendance percentage (0-100).
type Percent struct {
	Value float64
	AsAt  time.Time
}

func (x *Percent) date() (time.Time, bool) {
	if x == nil {
		return time.Time{}, false
	}
	return x.AsAt, true
}

// Count is a number of events (suspensions, exclusions, moves).
type Count struct {
	Value int
	AsAt  time.Time
}

func (x *Count) date() (time.Time, bool) {
	if x == nil {
		return time.Time{}, false
	}
	return x.AsAt, true
}

// Flag is a yes/no factor.
type Flag struct {
	Value bool
	AsAt  time.Time
}

func (x *Flag) date() (time.Time, bool) {
	if x == nil {
		return time.Time{}, false
	}
	return x.AsAt, true
}

// SENStatus is the pupil's SEN provision.
type SENStatus struct {
	Value SEN
	AsAt  time.Time
}

func (x *SENStatus) date() (time.Time, bool) {
	if x == nil {
		return time.Time{}, false
	}
	return x.AsAt, true
}

// CareStatus is the pupil's looked-after status.
type CareStatus struct {
	Value Care
	AsAt  time.Time
}

func (x *CareStatus) date() (time.Time, bool) {
	if x == nil {
		return time.Time{}, false
	}
	return x.AsAt, true
}

// Attainment is prior attainment: the KS2 reading and maths scaled scores
// (80 to 120; 0 when that subject is not known), as at the later of their
// dates.
type Attainment struct {
	Reading, Maths int
	AsAt           time.Time
}

func (x *Attainment) date() (time.Time, bool) {
	if x == nil {
		return time.Time{}, false
	}
	return x.AsAt, true
}

// ExpectedStandard is the KS2 scaled score that meets the expected
// standard: scores run from 80 to 120 and "a scaled score of 100 will always
// represent the expected standard" (DfE, "Scaled scores at key stage 2",
// gov.uk/guidance/scaled-scores-at-key-stage-2, as schools quote it).
const ExpectedStandard = 100
