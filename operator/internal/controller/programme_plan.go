package controller

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
)

// Covered returns the open schools a selector picks, in URN order.
func Covered(sel nextstepv1alpha1.SchoolSelector, all []sources.School) []sources.School {
	var out []sources.School
	for _, s := range all {
		if s.Open && (slices.Contains(sel.URNs, s.URN) || slices.Contains(sel.LACodes, s.LACode)) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b sources.School) int { return strings.Compare(a.URN, b.URN) })
	return out
}

// DesiredCohorts are the cohorts a programme wants for schools: one per
// school and year group, in that order.
func DesiredCohorts(p *nextstepv1alpha1.Programme, schools []sources.School) []*nextstepv1alpha1.Cohort {
	var out []*nextstepv1alpha1.Cohort
	groups := p.Spec.YearGroups
	if p.Spec.EHCPlanToAge > 0 {
		groups = append(slices.Clone(groups), nextstepv1alpha1.PastYear13)
	}
	for _, s := range schools {
		for _, yg := range groups {
			out = append(out, &nextstepv1alpha1.Cohort{
				ObjectMeta: metav1.ObjectMeta{
					Namespace: p.Namespace,
					Name:      fmt.Sprintf("%s-%s-y%d", p.Name, s.URN, yg),
					Labels: map[string]string{
						LabelProgramme: p.Name, LabelSchoolURN: s.URN, LabelLACode: s.LACode, LabelYearGroup: strconv.Itoa(int(yg)),
					},
				},
				Spec: nextstepv1alpha1.CohortSpec{SchoolURN: s.URN, YearGroup: yg, AcademicYear: p.Spec.AcademicYear, Programme: p.Name},
			})
		}
	}
	return out
}

// cohortPlan is what a pass over a programme does to its cohorts.
type cohortPlan struct {
	// Create are the desired cohorts that do not exist, in desired order.
	Create []*nextstepv1alpha1.Cohort
	// Keep names the desired cohorts that exist already, in desired order.
	Keep []string
	// Delete are the existing cohorts the programme controls but no
	// longer wants, in name order.
	Delete []*nextstepv1alpha1.Cohort
}

// planCohorts compares the cohorts a programme wants with those that exist
// (listed by its label) and plans the difference: a resync creates only
// what is missing, and deletes only cohorts the programme itself controls,
// never one a person labelled or wrote.
func planCohorts(p *nextstepv1alpha1.Programme, desired []*nextstepv1alpha1.Cohort, existing []nextstepv1alpha1.Cohort) cohortPlan {
	exists := make(map[string]bool, len(existing))
	for i := range existing {
		exists[existing[i].Name] = true
	}
	wanted := make(map[string]bool, len(desired))
	var plan cohortPlan
	for _, d := range desired {
		wanted[d.Name] = true
		if exists[d.Name] {
			plan.Keep = append(plan.Keep, d.Name)
		} else {
			plan.Create = append(plan.Create, d)
		}
	}
	for i := range existing {
		c := &existing[i]
		if !wanted[c.Name] && metav1.IsControlledBy(c, p) {
			plan.Delete = append(plan.Delete, c)
		}
	}
	slices.SortFunc(plan.Delete, func(a, b *nextstepv1alpha1.Cohort) int { return strings.Compare(a.Name, b.Name) })
	return plan
}
