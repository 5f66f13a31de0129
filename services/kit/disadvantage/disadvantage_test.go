package disadvantage_test

import (
	"testing"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/services/kit/disadvantage"
)

func TestDisadvantaged(t *testing.T) {
	t.Parallel()
	yes := &pupilv1.FlagFactor{Value: true}
	for name, tc := range map[string]struct {
		f    *pupilv1.RiskFactors
		want bool
	}{
		"nothing known":          {nil, false},
		"free school meals":      {&pupilv1.RiskFactors{FreeSchoolMeals: yes}, true},
		"not on free meals":      {&pupilv1.RiskFactors{FreeSchoolMeals: &pupilv1.FlagFactor{}}, false},
		"SEN support":            {&pupilv1.RiskFactors{Sen: &pupilv1.SENFactor{Status: pupilv1.SENStatus_SEN_STATUS_SEN_SUPPORT}}, true},
		"an EHC plan":            {&pupilv1.RiskFactors{Sen: &pupilv1.SENFactor{Status: pupilv1.SENStatus_SEN_STATUS_EHC_PLAN}}, true},
		"no SEN":                 {&pupilv1.RiskFactors{Sen: &pupilv1.SENFactor{Status: pupilv1.SENStatus_SEN_STATUS_NONE}}, false},
		"looked after":           {&pupilv1.RiskFactors{LookedAfter: &pupilv1.CareFactor{Status: pupilv1.CareStatus_CARE_STATUS_LOOKED_AFTER}}, true},
		"looked after before":    {&pupilv1.RiskFactors{LookedAfter: &pupilv1.CareFactor{Status: pupilv1.CareStatus_CARE_STATUS_EVER_LOOKED_AFTER}}, true},
		"a child in need":        {&pupilv1.RiskFactors{ChildInNeed: yes}, true},
		"a young carer, no more": {&pupilv1.RiskFactors{YoungCarer: yes}, false},
	} {
		if got := disadvantage.Disadvantaged(tc.f); got != tc.want {
			t.Errorf("%s: %v, want %v", name, got, tc.want)
		}
	}
}

func TestInCare(t *testing.T) {
	t.Parallel()
	yes := &pupilv1.FlagFactor{Value: true}
	for name, tc := range map[string]struct {
		f    *pupilv1.RiskFactors
		want bool
	}{
		"nothing known":       {nil, false},
		"looked after":        {&pupilv1.RiskFactors{LookedAfter: &pupilv1.CareFactor{Status: pupilv1.CareStatus_CARE_STATUS_LOOKED_AFTER}}, true},
		"looked after before": {&pupilv1.RiskFactors{LookedAfter: &pupilv1.CareFactor{Status: pupilv1.CareStatus_CARE_STATUS_EVER_LOOKED_AFTER}}, true},
		"never looked after":  {&pupilv1.RiskFactors{LookedAfter: &pupilv1.CareFactor{Status: pupilv1.CareStatus_CARE_STATUS_NONE}}, false},
		"a child in need":     {&pupilv1.RiskFactors{ChildInNeed: yes}, true},
		"free school meals":   {&pupilv1.RiskFactors{FreeSchoolMeals: yes}, false},
	} {
		if got := disadvantage.InCare(tc.f); got != tc.want {
			t.Errorf("%s: %v, want %v", name, got, tc.want)
		}
	}
}
