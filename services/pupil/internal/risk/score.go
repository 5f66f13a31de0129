package risk

import (
	"errors"
	"fmt"
	"strings"
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
	FactorPriorAttainment     = "prior_attainment"
	FactorChildInNeed         = "child_in_need"
	FactorAltProvision        = "alternative_provision"
	FactorYouthJustice        = "youth_justice"
	FactorYoungParent         = "young_parent"
	FactorHomeEducated        = "home_educated"
	FactorMentalHealth        = "mental_health"
)

// Weights say how much each factor adds to the score, and the thresholds at
// which the graded ones count. A weight of 0 switches a factor off.
type Weights struct {
	// Attendance below AttendanceBelow percent (persistent absence is
	// below 90%) adds Attendance.
	AttendanceBelow float64 `json:"attendance_below"`
	Attendance      int     `json:"attendance"`
	// Any suspension adds Suspensions; any permanent exclusion adds
	// PermanentExclusions.
	Suspensions         int `json:"suspensions"`
	PermanentExclusions int `json:"permanent_exclusions"`
	SENSupport          int `json:"sen_support"`
	EHCPlan             int `json:"ehc_plan"`
	FreeSchoolMeals     int `json:"free_school_meals"`
	LookedAfter         int `json:"looked_after"`
	EverLookedAfter     int `json:"ever_looked_after"`
	YoungCarer          int `json:"young_carer"`
	EAL                 int `json:"english_additional_language"`
	// SchoolMovesAtLeast or more moves of school add SchoolMoves.
	SchoolMovesAtLeast int `json:"school_moves_at_least"`
	SchoolMoves        int `json:"school_moves"`
	// A KS2 scaled score below the expected standard in reading or maths
	// adds PriorAttainment.
	PriorAttainment      int `json:"prior_attainment"`
	ChildInNeed          int `json:"child_in_need"`
	AlternativeProvision int `json:"alternative_provision"`
	YouthJustice         int `json:"youth_justice"`
	YoungParent          int `json:"young_parent"`
	HomeEducated         int `json:"home_educated"`
	MentalHealth         int `json:"mental_health"`
	// Version names these weights; every score records it, so a score can
	// be traced to what made it.
	Version string `json:"version"`
}

// DefaultWeightsVersion names DefaultWeights; change it whenever they
// change.
const DefaultWeightsVersion = "nextstep-default-2026-11"

// DefaultWeights score on riskscale's points, from the evidence in
// ../shared/DOMAIN.md ("Risk of NEET"). Very likely (2): low prior
// attainment, the strongest predictor (two-thirds of year-long NEETs had no
// A*-C GCSEs: DfE 2018, "Characteristics of young people who are long-term
// NEET"), persistent absence (attendance below 90%), a permanent exclusion,
// being looked after or a child in need, alternative provision, youth
// justice, pregnancy or parenthood and elective home education (DfE's
// analysis and the LA tools of Oxfordshire, Essex, Wales and Bristol;
// Staffordshire puts looked-after, home-educated and PRU pupils on its list
// outright; NCCIS's vulnerable groups are 28.2% NEET or not known against
// 5.6% overall). Likely (1): having been looked after, a suspension, SEN
// (9.6% and 10.1% NEET or not known against 4.9%), free school meals in
// the last six years, caring, a mental health concern and moving school.
// English as an additional language is off: the evidence for it is weak
// (one LA tool, not in DfE's analysis).
func DefaultWeights() Weights {
	return Weights{
		AttendanceBelow:      90,
		Attendance:           riskscale.VeryLikely,
		Suspensions:          riskscale.Likely,
		PermanentExclusions:  riskscale.VeryLikely,
		SENSupport:           riskscale.Likely,
		EHCPlan:              riskscale.Likely,
		FreeSchoolMeals:      riskscale.Likely,
		LookedAfter:          riskscale.VeryLikely,
		EverLookedAfter:      riskscale.Likely,
		YoungCarer:           riskscale.Likely,
		EAL:                  0,
		SchoolMovesAtLeast:   2,
		SchoolMoves:          riskscale.Likely,
		PriorAttainment:      riskscale.VeryLikely,
		ChildInNeed:          riskscale.VeryLikely,
		AlternativeProvision: riskscale.VeryLikely,
		YouthJustice:         riskscale.VeryLikely,
		YoungParent:          riskscale.VeryLikely,
		HomeEducated:         riskscale.VeryLikely,
		MentalHealth:         riskscale.Likely,
		Version:              DefaultWeightsVersion,
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
		{"looked_after", w.LookedAfter}, {"ever_looked_after", w.EverLookedAfter}, {"young_carer", w.YoungCarer},
		{"english_additional_language", w.EAL}, {"school_moves", w.SchoolMoves}, {"prior_attainment", w.PriorAttainment},
		{"child_in_need", w.ChildInNeed}, {"alternative_provision", w.AlternativeProvision}, {"youth_justice", w.YouthJustice},
		{"young_parent", w.YoungParent}, {"home_educated", w.HomeEducated}, {"mental_health", w.MentalHealth},
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
	if w.Version == "" || len(w.Version) > 64 {
		return errors.New("version: must name the weights in 1 to 64 characters")
	}
	return nil
}

// Contribution is one factor's part of a score.
type Contribution struct {
	Factor   string
	Weight   int
	Evidence string
}

// Score is a total and the contributions that make it, in a fixed order,
// with the factors that are not known (they contribute nothing, and are
// shown as "not known", never as "no") and the version of the weights.
type Score struct {
	Total          int
	Contributions  []Contribution
	NotKnown       []string
	WeightsVersion string
}

// Compute scores f with w. Unknown factors contribute nothing.
func Compute(f Factors, w Weights) Score {
	s := Score{WeightsVersion: w.Version}
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
		case CareEverLookedAfter:
			add(FactorCare, w.EverLookedAfter, c.AsAt, "looked after in the past")
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
	if a := f.PriorAttainment; a != nil && (below(a.Reading) || below(a.Maths)) {
		add(FactorPriorAttainment, w.PriorAttainment, a.AsAt, "KS2 %s, below the expected standard of %d", ks2(a), ExpectedStandard)
	}
	for _, x := range []struct {
		factor   string
		flag     *Flag
		weight   int
		evidence string
	}{
		{FactorChildInNeed, f.ChildInNeed, w.ChildInNeed, "a child in need or on a protection plan"},
		{FactorAltProvision, f.AlternativeProvision, w.AlternativeProvision, "in alternative provision or educated off site"},
		{FactorYouthJustice, f.YouthJustice, w.YouthJustice, "known to youth justice services"},
		{FactorYoungParent, f.YoungParent, w.YoungParent, "pregnant or a young parent"},
		{FactorHomeEducated, f.HomeEducated, w.HomeEducated, "electively home educated"},
		{FactorMentalHealth, f.MentalHealth, w.MentalHealth, "a mental health concern"},
	} {
		if x.flag != nil && x.flag.Value {
			add(x.factor, x.weight, x.flag.AsAt, "%s", x.evidence)
		}
	}
	s.NotKnown = f.notKnown()
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

// below reports a known KS2 score under the expected standard.
func below(score int) bool { return score > 0 && score < ExpectedStandard }

// ks2 writes the known scores: "reading 94, maths 103".
func ks2(a *Attainment) string {
	var parts []string
	if a.Reading > 0 {
		parts = append(parts, fmt.Sprintf("reading %d", a.Reading))
	}
	if a.Maths > 0 {
		parts = append(parts, fmt.Sprintf("maths %d", a.Maths))
	}
	return strings.Join(parts, ", ")
}
