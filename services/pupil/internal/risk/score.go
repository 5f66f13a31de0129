package risk

import (
	"errors"
	"fmt"
	"time"

	"github.com/nextstep-uk/nextstep/api/riskscale"
)

// Factor names, as contributions report them.
const (
	FactorAttendance          = "attendance"
	FactorSuspensions         = "suspensions"
	FactorPermanentExclusions = "permanent_exclusions"
	FactorSEN                 = "sen"
	FactorFreeSchoolMeals     = "free_school_meals"
	FactorCare                = "looked_after"
	FactorYoungCarer          = "young_carer"
	FactorEAL                 = "english_additional_language"
	FactorSchoolMoves         = "school_moves"
)

// Weights say how much each factor adds to the score, and the thresholds at
// which the graded ones count. A weight of 0 switches a factor off.
type Weights struct {
	// Attendance below AttendanceBelow percent (persistent absence is
	// below 90%) adds Attendance.
	AttendanceBelow float64
	Attendance      int
	// Any suspension adds Suspensions; any permanent exclusion adds
	// PermanentExclusions.
	Suspensions           int
	PermanentExclusions   int
	SENSupport            int
	EHCPlan               int
	FreeSchoolMeals       int
	LookedAfter           int
	PreviouslyLookedAfter int
	YoungCarer            int
	EAL                   int
	// SchoolMovesAtLeast or more moves of school add SchoolMoves.
	SchoolMovesAtLeast int
	SchoolMoves        int
}

// DefaultWeights score on riskscale's points, from the evidence in
// ../shared/DOMAIN.md ("Risk of NEET"): persistent absence (attendance below
// 90%), a permanent exclusion and being looked after make NEET very likely
// (DfE 2018, "Characteristics of young people who are long-term NEET", and
// LA RONI tools); a suspension, SEN, free school meals, caring and moving
// school make it likely. English as an additional language is off: the
// evidence for it is weak (one LA tool, not in DfE's analysis).
func DefaultWeights() Weights {
	return Weights{
		AttendanceBelow:       90,
		Attendance:            riskscale.VeryLikely,
		Suspensions:           riskscale.Likely,
		PermanentExclusions:   riskscale.VeryLikely,
		SENSupport:            riskscale.Likely,
		EHCPlan:               riskscale.Likely,
		FreeSchoolMeals:       riskscale.Likely,
		LookedAfter:           riskscale.VeryLikely,
		PreviouslyLookedAfter: riskscale.Likely,
		YoungCarer:            riskscale.Likely,
		EAL:                   0,
		SchoolMovesAtLeast:    2,
		SchoolMoves:           riskscale.Likely,
	}
}

// Validate refuses weights that would make a score meaningless; the error
// names the weight.
func (w Weights) Validate() error {
	for _, f := range []struct {
		name   string
		weight int
	}{
		{"attendance", w.Attendance}, {"suspensions", w.Suspensions}, {"permanent_exclusions", w.PermanentExclusions},
		{"sen_support", w.SENSupport}, {"ehc_plan", w.EHCPlan}, {"free_school_meals", w.FreeSchoolMeals},
		{"looked_after", w.LookedAfter}, {"previously_looked_after", w.PreviouslyLookedAfter}, {"young_carer", w.YoungCarer},
		{"english_additional_language", w.EAL}, {"school_moves", w.SchoolMoves},
	} {
		if !riskscale.ValidWeight(f.weight) {
			return fmt.Errorf("%s: weight %d is not 0 to %d points", f.name, f.weight, riskscale.MaxWeight)
		}
	}
	if w.AttendanceBelow < 0 || w.AttendanceBelow > 100 {
		return errors.New("attendance_below: must be a percentage")
	}
	if w.SchoolMovesAtLeast < 1 {
		return errors.New("school_moves_at_least: must be at least 1")
	}
	return nil
}

// Contribution is one factor's part of a score.
type Contribution struct {
	Factor   string
	Weight   int
	Evidence string
}

// Score is a total and the contributions that make it, in a fixed order.
type Score struct {
	Total         int
	Contributions []Contribution
}

// Compute scores f with w. Unknown factors contribute nothing.
func Compute(f Factors, w Weights) Score {
	var s Score
	add := func(factor string, weight int, asAt time.Time, format string, args ...any) {
		if weight == 0 {
			return
		}
		evidence := fmt.Sprintf(format, args...) + " (as at " + asAt.Format(time.DateOnly) + ")"
		s.Contributions = append(s.Contributions, Contribution{Factor: factor, Weight: weight, Evidence: evidence})
		s.Total += weight
	}
	if a := f.Attendance; a != nil && a.Value < w.AttendanceBelow {
		add(FactorAttendance, w.Attendance, a.AsAt, "attendance %s%% below %s%%", trim(a.Value), trim(w.AttendanceBelow))
	}
	if c := f.Suspensions; c != nil && c.Value > 0 {
		add(FactorSuspensions, w.Suspensions, c.AsAt, "%s", plural(c.Value, "suspension"))
	}
	if c := f.PermanentExclusions; c != nil && c.Value > 0 {
		add(FactorPermanentExclusions, w.PermanentExclusions, c.AsAt, "%s", plural(c.Value, "permanent exclusion"))
	}
	if s := f.SEN; s != nil {
		switch s.Value {
		case SENSupport:
			add(FactorSEN, w.SENSupport, s.AsAt, "SEN support")
		case SENEHCPlan:
			add(FactorSEN, w.EHCPlan, s.AsAt, "EHC plan")
		}
	}
	if b := f.FreeSchoolMeals; b != nil && b.Value {
		add(FactorFreeSchoolMeals, w.FreeSchoolMeals, b.AsAt, "eligible for free school meals")
	}
	if c := f.Care; c != nil {
		switch c.Value {
		case CareLookedAfter:
			add(FactorCare, w.LookedAfter, c.AsAt, "looked after")
		case CarePreviouslyLookedAfter:
			add(FactorCare, w.PreviouslyLookedAfter, c.AsAt, "previously looked after")
		}
	}
	if b := f.YoungCarer; b != nil && b.Value {
		add(FactorYoungCarer, w.YoungCarer, b.AsAt, "young carer")
	}
	if b := f.EAL; b != nil && b.Value {
		add(FactorEAL, w.EAL, b.AsAt, "English as an additional language")
	}
	if c := f.SchoolMoves; c != nil && c.Value >= w.SchoolMovesAtLeast {
		add(FactorSchoolMoves, w.SchoolMoves, c.AsAt, "%s, at least %d", plural(c.Value, "school move"), w.SchoolMovesAtLeast)
	}
	return s
}

// trim prints 84.5 as "84.5" and 90 as "90".
func trim(v float64) string { return fmt.Sprintf("%g", v) }

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
