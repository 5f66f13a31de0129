package risk_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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
			want: risk.Score{Total: 3, Contributions: []risk.Contribution{
				{Factor: "attendance", Weight: 3, Evidence: "attendance 84.5% below 90% (as at 2025-10-01)"},
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
				Care:                &risk.CareStatus{Value: risk.CarePreviouslyLookedAfter, AsAt: asAt},
				YoungCarer:          &risk.Flag{Value: true, AsAt: asAt},
				EAL:                 &risk.Flag{Value: true, AsAt: asAt},
				SchoolMoves:         &risk.Count{Value: 3, AsAt: asAt},
			},
			want: risk.Score{Total: 20, Contributions: []risk.Contribution{
				{Factor: "attendance", Weight: 3, Evidence: "attendance 72% below 90% (as at 2025-10-01)"},
				{Factor: "suspensions", Weight: 2, Evidence: "2 suspensions (as at 2025-10-01)"},
				{Factor: "permanent_exclusions", Weight: 4, Evidence: "1 permanent exclusion (as at 2025-10-01)"},
				{Factor: "sen", Weight: 2, Evidence: "EHC plan (as at 2025-10-01)"},
				{Factor: "free_school_meals", Weight: 2, Evidence: "eligible for free school meals (as at 2025-10-01)"},
				{Factor: "looked_after", Weight: 2, Evidence: "previously looked after (as at 2025-10-01)"},
				{Factor: "young_carer", Weight: 2, Evidence: "young carer (as at 2025-10-01)"},
				{Factor: "english_additional_language", Weight: 1, Evidence: "English as an additional language (as at 2025-10-01)"},
				{Factor: "school_moves", Weight: 2, Evidence: "3 school moves, at least 2 (as at 2025-10-01)"},
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
				w.AttendanceBelow, w.Attendance = 95, 5
				w.SENSupport = 1
				w.SchoolMovesAtLeast = 1
				w.EAL = 0 // switched off
			},
			want: risk.Score{Total: 8, Contributions: []risk.Contribution{
				{Factor: "attendance", Weight: 5, Evidence: "attendance 93% below 95% (as at 2025-10-01)"},
				{Factor: "sen", Weight: 1, Evidence: "SEN support (as at 2025-10-01)"},
				{Factor: "school_moves", Weight: 2, Evidence: "1 school move, at least 1 (as at 2025-10-01)"},
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
			if diff := cmp.Diff(tc.want, risk.Compute(tc.factors, w)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestWeightsValidate(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		change  func(*risk.Weights)
		wantErr bool
	}{
		"defaults":              {change: func(*risk.Weights) {}},
		"negative weight":       {change: func(w *risk.Weights) { w.EAL = -1 }, wantErr: true},
		"threshold over 100":    {change: func(w *risk.Weights) { w.AttendanceBelow = 101 }, wantErr: true},
		"zero moves threshold":  {change: func(w *risk.Weights) { w.SchoolMovesAtLeast = 0 }, wantErr: true},
		"a factor switched off": {change: func(w *risk.Weights) { w.YoungCarer = 0 }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := risk.DefaultWeights()
			tc.change(&w)
			if err := w.Validate(); (err != nil) != tc.wantErr {
				t.Errorf("Validate() = %v, wantErr %v", err, tc.wantErr)
			}
		})
	}
}
