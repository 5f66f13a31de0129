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

// The looked-after statuses.
const (
	CareNone                  Care = "none"
	CareLookedAfter           Care = "looked_after"
	CarePreviouslyLookedAfter Care = "previously_looked_after"
)

// Factors are the risk-factor inputs of one pupil. Each is nil when not
// known, and carries the date it was true as at.
type Factors struct {
	Attendance          *Percent
	Suspensions         *Count
	PermanentExclusions *Count
	SEN                 *SENStatus
	FreeSchoolMeals     *Flag
	Care                *CareStatus
	YoungCarer          *Flag
	EAL                 *Flag
	SchoolMoves         *Count
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
	} {
		if x.known {
			fn(x.name, x.asAt())
		}
	}
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
