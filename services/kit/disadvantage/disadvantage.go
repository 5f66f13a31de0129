// Package disadvantage says which pupils are in the group the work
// experience guarantee serves first, "the most disadvantaged young people"
// (DfE careers statutory guidance 2025; ../shared/DOMAIN.md): those eligible
// for free school meals in the last six years (FSM6, as the Pupil Premium
// counts them), with SEN support or an EHC plan, looked after now or
// before, or a child in need. The operator's impact measures and the
// console's overview split their figures by it; one definition serves both.
package disadvantage

import pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"

// Disadvantaged reports whether a pupil with factors f is in the group. A
// factor that is not known counts as not.
func Disadvantaged(f *pupilv1.RiskFactors) bool {
	sen, care := f.GetSen().GetStatus(), f.GetLookedAfter().GetStatus()
	return f.GetFreeSchoolMeals().GetValue() || f.GetChildInNeed().GetValue() ||
		sen == pupilv1.SENStatus_SEN_STATUS_SEN_SUPPORT || sen == pupilv1.SENStatus_SEN_STATUS_EHC_PLAN ||
		care == pupilv1.CareStatus_CARE_STATUS_LOOKED_AFTER || care == pupilv1.CareStatus_CARE_STATUS_EVER_LOOKED_AFTER
}

// InCare reports whether a pupil with factors f is looked after now or was
// before, or is a child in need: the most disadvantaged, whom allocation
// serves first and who keep an intervention of their own when their
// cohort's stands for the rest.
func InCare(f *pupilv1.RiskFactors) bool {
	care := f.GetLookedAfter().GetStatus()
	return f.GetChildInNeed().GetValue() ||
		care == pupilv1.CareStatus_CARE_STATUS_LOOKED_AFTER || care == pupilv1.CareStatus_CARE_STATUS_EVER_LOOKED_AFTER
}
