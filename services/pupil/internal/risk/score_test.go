package risk_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/nextstep-uk/nextstep/api/riskscale"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
)

var asAt = time.Date(2025, time.October, 1, 0, 0, 0, 0, time.UTC)

func TestCompute(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		factors risk.Factors
		weights func(*risk.Weights)
		want    risk.Score
	}{
		"nothing known scores nothing": {want: risk.Score{}},
		"persistent absence": {
			factors: risk.Factors{Attendance: &risk.Percent{Value: 84.5, AsAt: asAt}},
			want: risk.Score{Total: 2, Contributions: []risk.Contribution{
				{Factor: "attendance", Weight: 2, Evidence: "attendance 84.5% below 90% (as at 2025-10-01)"},
			}},
		},
		"attendance exactly at the threshold does not count": {
			factors: risk.Factors{Attendance: &risk.Percent{Value: 90, AsAt: asAt}},
		},
		"every factor": {
			factors: risk.Factors{
				Attendance:          &risk.Percent{Value: 72, AsAt: asAt},
				Suspensions:         &risk.Count{Value: 2, AsAt: asAt},
				PermanentExclusions: &risk.Count{Value: 1, AsAt: asAt},
				SEN:                 &risk.SENStatus{Value: risk.SENEHCPlan, AsAt: asAt},
				FreeSchoolMeals:     &risk.Flag{Value: true, AsAt: asAt},
				Care:                &risk.CareStatus{Value: risk.CareEverLookedAfter, AsAt: asAt},
				YoungCarer:          &risk.Flag{Value: true, AsAt: asAt},
				EAL:                 &risk.Flag{Value: true, AsAt: asAt},
				SchoolMoves:         &risk.Count{Value: 3, AsAt: asAt},
			},
			// EAL is off by default.
			want: risk.Score{Total: 10, Contributions: []risk.Contribution{
				{Factor: "attendance", Weight: 2, Evidence: "attendance 72% below 90% (as at 2025-10-01)"},
				{Factor: "suspensions", Weight: 1, Evidence: "2 suspensions (as at 2025-10-01)"},
				{Factor: "permanent_exclusions", Weight: 2, Evidence: "1 permanent exclusion (as at 2025-10-01)"},
				{Factor: "sen", Weight: 1, Evidence: "EHC plan (as at 2025-10-01)"},
				{Factor: "free_school_meals", Weight: 1, Evidence: "eligible for free school meals (as at 2025-10-01)"},
				{Factor: "looked_after", Weight: 1, Evidence: "looked after in the past (as at 2025-10-01)"},
				{Factor: "young_carer", Weight: 1, Evidence: "young carer (as at 2025-10-01)"},
				{Factor: "school_moves", Weight: 1, Evidence: "3 school moves, at least 2 (as at 2025-10-01)"},
			}},
		},
		"the evidence's other factors": {
			factors: risk.Factors{
				PriorAttainment:      &risk.Attainment{Reading: 94, Maths: 103, AsAt: asAt},
				ChildInNeed:          &risk.Flag{Value: true, AsAt: asAt},
				AlternativeProvision: &risk.Flag{Value: true, AsAt: asAt},
				YouthJustice:         &risk.Flag{Value: true, AsAt: asAt},
				YoungParent:          &risk.Flag{Value: true, AsAt: asAt},
				HomeEducated:         &risk.Flag{Value: true, AsAt: asAt},
				MentalHealth:         &risk.Flag{Value: true, AsAt: asAt},
			},
			want: risk.Score{Total: 13, Contributions: []risk.Contribution{
				{Factor: "prior_attainment", Weight: 2, Evidence: "KS2 reading 94, maths 103, below the expected standard of 100 (as at 2025-10-01)"},
				{Factor: "child_in_need", Weight: 2, Evidence: "a child in need or on a protection plan (as at 2025-10-01)"},
				{Factor: "alternative_provision", Weight: 2, Evidence: "in alternative provision or educated off site (as at 2025-10-01)"},
				{Factor: "youth_justice", Weight: 2, Evidence: "known to youth justice services (as at 2025-10-01)"},
				{Factor: "young_parent", Weight: 2, Evidence: "pregnant or a young parent (as at 2025-10-01)"},
				{Factor: "home_educated", Weight: 2, Evidence: "electively home educated (as at 2025-10-01)"},
				{Factor: "mental_health", Weight: 1, Evidence: "a mental health concern (as at 2025-10-01)"},
			}},
		},
		"attainment at the expected standard does not count": {
			factors: risk.Factors{PriorAttainment: &risk.Attainment{Reading: 100, Maths: 117, AsAt: asAt}},
		},
		"one subject known, below": {
			factors: risk.Factors{PriorAttainment: &risk.Attainment{Maths: 99, AsAt: asAt}},
			want: risk.Score{Total: 2, Contributions: []risk.Contribution{
				{Factor: "prior_attainment", Weight: 2, Evidence: "KS2 maths 99, below the expected standard of 100 (as at 2025-10-01)"},
			}},
		},
		"factors known to be absent score nothing": {
			factors: risk.Factors{
				Suspensions:     &risk.Count{Value: 0, AsAt: asAt},
				SEN:             &risk.SENStatus{Value: risk.SENNone, AsAt: asAt},
				FreeSchoolMeals: &risk.Flag{Value: false, AsAt: asAt},
				Care:            &risk.CareStatus{Value: risk.CareNone, AsAt: asAt},
				SchoolMoves:     &risk.Count{Value: 1, AsAt: asAt},
			},
		},
		"configured weights and thresholds": {
			factors: risk.Factors{
				Attendance:  &risk.Percent{Value: 93, AsAt: asAt},
				SEN:         &risk.SENStatus{Value: risk.SENSupport, AsAt: asAt},
				SchoolMoves: &risk.Count{Value: 1, AsAt: asAt},
				EAL:         &risk.Flag{Value: true, AsAt: asAt},
			},
			weights: func(w *risk.Weights) {
				w.AttendanceBelow, w.Attendance = 95, 4
				w.SENSupport = 2
				w.SchoolMovesAtLeast = 1
				w.EAL = 0 // switched off
			},
			want: risk.Score{Total: 7, Contributions: []risk.Contribution{
				{Factor: "attendance", Weight: 4, Evidence: "attendance 93% below 95% (as at 2025-10-01)"},
				{Factor: "sen", Weight: 2, Evidence: "SEN support (as at 2025-10-01)"},
				{Factor: "school_moves", Weight: 1, Evidence: "1 school move, at least 1 (as at 2025-10-01)"},
			}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := risk.DefaultWeights()
			if tc.weights != nil {
				tc.weights(&w)
			}
			got := risk.Compute(tc.factors, w)
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(risk.Score{}, "NotKnown", "WeightsVersion")); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestWeightsValidate(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		change  func(*risk.Weights)
		wantErr string
	}{
		"defaults":              {change: func(*risk.Weights) {}},
		"negative weight":       {change: func(w *risk.Weights) { w.EAL = -1 }, wantErr: "english_additional_language: weight -1 is not 0 to 4 points"},
		"weight off the scale":  {change: func(w *risk.Weights) { w.LookedAfter = 5 }, wantErr: "looked_after: weight 5 is not 0 to 4 points"},
		"threshold over 100":    {change: func(w *risk.Weights) { w.AttendanceBelow = 101 }, wantErr: "attendance_below: must be a percentage"},
		"zero moves threshold":  {change: func(w *risk.Weights) { w.SchoolMovesAtLeast = 0 }, wantErr: "school_moves_at_least: must be at least 1"},
		"a factor switched off": {change: func(w *risk.Weights) { w.YoungCarer = 0 }},
		"no version":            {change: func(w *risk.Weights) { w.Version = "" }, wantErr: "version: must name the weights in 1 to 64 characters"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := risk.DefaultWeights()
			tc.change(&w)
			got := ""
			if err := w.Validate(); err != nil {
				got = err.Error()
			}
			if got != tc.wantErr {
				t.Errorf("Validate() = %q, want %q", got, tc.wantErr)
			}
		})
	}
}

// TestDefaultsFire: with the shipped weights and bands, a typical high-risk
// profile is in the high band (from which AtRiskOfNEET is raised by
// default) and a pupil with no factors is low.
func TestDefaultsFire(t *testing.T) {
	t.Parallel()
	w := risk.DefaultWeights()
	high := risk.Factors{
		Attendance:          &risk.Percent{Value: 81, AsAt: asAt},
		PermanentExclusions: &risk.Count{Value: 1, AsAt: asAt},
		Care:                &risk.CareStatus{Value: risk.CareLookedAfter, AsAt: asAt},
	}
	if s := risk.Compute(high, w); riskscale.DefaultBands.Of(int32(s.Total)) != riskscale.High {
		t.Errorf("persistent absence, a permanent exclusion and being looked after score %d: not high", s.Total)
	}
	if s := risk.Compute(risk.Factors{}, w); riskscale.DefaultBands.Of(int32(s.Total)) != riskscale.Low {
		t.Errorf("no factors score %d: not low", s.Total)
	}
}

// TestNotKnownAndVersion: a score names the factors with no data (not
// known, never "no") and the weights that made it.
func TestNotKnownAndVersion(t *testing.T) {
	t.Parallel()
	s := risk.Compute(risk.Factors{
		Attendance:  &risk.Percent{Value: 97, AsAt: asAt},
		YoungCarer:  &risk.Flag{Value: false, AsAt: asAt},
		ChildInNeed: &risk.Flag{Value: true, AsAt: asAt},
	}, risk.DefaultWeights())
	want := []string{"suspensions", "permanent_exclusions", "sen", "free_school_meals", "looked_after", "english_additional_language",
		"school_moves", "prior_attainment", "alternative_provision", "youth_justice", "young_parent", "home_educated", "mental_health"}
	if diff := cmp.Diff(want, s.NotKnown); diff != "" {
		t.Errorf("not known (-want +got):\n%s", diff)
	}
	if s.WeightsVersion != risk.DefaultWeightsVersion {
		t.Errorf("weights version %q", s.WeightsVersion)
	}
}

// Each lists the known factors, with their dates, in FactorNames' order.
func TestEachInFactorNamesOrder(t *testing.T) {
	t.Parallel()
	later := asAt.AddDate(0, 1, 0)
	f := risk.Factors{
		Attendance:           &risk.Percent{Value: 97, AsAt: asAt},
		Suspensions:          &risk.Count{AsAt: asAt},
		PermanentExclusions:  &risk.Count{AsAt: asAt},
		SEN:                  &risk.SENStatus{Value: risk.SENNone, AsAt: asAt},
		FreeSchoolMeals:      &risk.Flag{AsAt: asAt},
		Care:                 &risk.CareStatus{Value: risk.CareNone, AsAt: asAt},
		YoungCarer:           &risk.Flag{AsAt: asAt},
		EAL:                  &risk.Flag{AsAt: asAt},
		SchoolMoves:          &risk.Count{AsAt: asAt},
		PriorAttainment:      &risk.Attainment{Reading: 104, Maths: 98, AsAt: asAt},
		ChildInNeed:          &risk.Flag{AsAt: asAt},
		AlternativeProvision: &risk.Flag{AsAt: asAt},
		YouthJustice:         &risk.Flag{AsAt: asAt},
		YoungParent:          &risk.Flag{AsAt: asAt},
		HomeEducated:         &risk.Flag{AsAt: asAt},
		MentalHealth:         &risk.Flag{Value: true, AsAt: later},
	}
	var names []string
	f.Each(func(name string, at time.Time) {
		names = append(names, name)
		want := asAt
		if name == risk.FactorMentalHealth {
			want = later
		}
		if !at.Equal(want) {
			t.Errorf("%s as at %v, want %v", name, at, want)
		}
	})
	if diff := cmp.Diff(risk.FactorNames, names); diff != "" {
		t.Errorf("every factor known (-want +got):\n%s", diff)
	}
	if s := risk.Compute(f, risk.DefaultWeights()); len(s.NotKnown) != 0 {
		t.Errorf("not known: %v, want none", s.NotKnown)
	}
}

// BenchmarkCompute scores a member with a typical record: a few factors
// known, most not (each member of a cohort snapshot is scored once).
func BenchmarkCompute(b *testing.B) {
	f := risk.Factors{
		Attendance:      &risk.Percent{Value: 88, AsAt: asAt},
		SEN:             &risk.SENStatus{Value: risk.SENSupport, AsAt: asAt},
		FreeSchoolMeals: &risk.Flag{Value: true, AsAt: asAt},
		Care:            &risk.CareStatus{Value: risk.CareNone, AsAt: asAt},
	}
	w := risk.DefaultWeights()
	b.ReportAllocs()
	for b.Loop() {
		risk.Compute(f, w)
	}
}
