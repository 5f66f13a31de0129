package controller

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
)

func TestCoveredAndDesiredCohorts(t *testing.T) {
	all := []sources.School{
		{URN: "136003", LACode: "336", Open: true},
		{URN: "136001", LACode: "336", Open: true},
		{URN: "136002", LACode: "336", Open: false},
		{URN: "103001", LACode: "330", Open: true},
		{URN: "140001", LACode: "201", Open: true},
	}
	sel := nextstepv1alpha1.SchoolSelector{LACodes: []string{"336"}, URNs: []string{"103001", "999999"}}
	var urns []string
	for _, s := range Covered(sel, all) {
		urns = append(urns, s.URN)
	}
	if diff := cmp.Diff([]string{"103001", "136001", "136003"}, urns); diff != "" {
		t.Errorf("covered schools (-want +got):\n%s", diff)
	}
	p := &nextstepv1alpha1.Programme{ObjectMeta: metav1.ObjectMeta{Namespace: "wmca", Name: "wmca"},
		Spec: nextstepv1alpha1.ProgrammeSpec{AcademicYear: "2025/26", YearGroups: []int32{9, 11}}}
	var names []string
	for _, c := range DesiredCohorts(p, Covered(sel, all)) {
		names = append(names, c.Name)
		if c.Spec.Programme != "wmca" || c.Spec.AcademicYear != "2025/26" || c.Labels[LabelSchoolURN] != c.Spec.SchoolURN {
			t.Errorf("cohort %s: spec %+v labels %v", c.Name, c.Spec, c.Labels)
		}
	}
	want := []string{"wmca-103001-y9", "wmca-103001-y11", "wmca-136001-y9", "wmca-136001-y11", "wmca-136003-y9", "wmca-136003-y11"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("cohort names (-want +got):\n%s", diff)
	}

	// Tracking EHC plans to 25 adds each school's cohort past Year 13.
	p.Spec.YearGroups, p.Spec.EHCPlanToAge = []int32{13}, 25
	names = nil
	for _, c := range DesiredCohorts(p, Covered(sel, all)[:1]) {
		names = append(names, c.Name)
	}
	if diff := cmp.Diff([]string{"wmca-103001-y13", "wmca-103001-y14"}, names); diff != "" {
		t.Errorf("cohort names with ehcPlanToAge (-want +got):\n%s", diff)
	}
}

// existingCohort is a cohort as the cache lists it: named, and controlled
// by the programme with UID owner unless owner is empty.
func existingCohort(name string, owner types.UID) nextstepv1alpha1.Cohort {
	c := nextstepv1alpha1.Cohort{ObjectMeta: metav1.ObjectMeta{Namespace: "wmca", Name: name, Labels: map[string]string{LabelProgramme: "wmca"}}}
	if owner != "" {
		c.OwnerReferences = []metav1.OwnerReference{{
			APIVersion: nextstepv1alpha1.GroupVersion.String(), Kind: "Programme", Name: "wmca", UID: owner, Controller: ptr.To(true),
		}}
	}
	return c
}

func TestPlanCohorts(t *testing.T) {
	p := &nextstepv1alpha1.Programme{ObjectMeta: metav1.ObjectMeta{Namespace: "wmca", Name: "wmca", UID: "programme-uid"},
		Spec: nextstepv1alpha1.ProgrammeSpec{AcademicYear: "2025/26", YearGroups: []int32{9, 11}}}
	desired := DesiredCohorts(p, []sources.School{{URN: "136001", LACode: "336", Open: true}, {URN: "136003", LACode: "336", Open: true}})
	// plan is what the tables compare: names.
	type plan struct{ Create, Keep, Delete []string }
	cases := map[string]struct {
		desired  []*nextstepv1alpha1.Cohort
		existing []nextstepv1alpha1.Cohort
		want     plan
	}{
		"the first pass creates every cohort": {
			desired: desired,
			want:    plan{Create: []string{"wmca-136001-y9", "wmca-136001-y11", "wmca-136003-y9", "wmca-136003-y11"}},
		},
		"a resync with everything in place creates nothing": {
			desired: desired,
			existing: []nextstepv1alpha1.Cohort{
				existingCohort("wmca-136003-y11", "programme-uid"), existingCohort("wmca-136001-y9", "programme-uid"),
				existingCohort("wmca-136001-y11", "programme-uid"), existingCohort("wmca-136003-y9", "programme-uid"),
			},
			want: plan{Keep: []string{"wmca-136001-y9", "wmca-136001-y11", "wmca-136003-y9", "wmca-136003-y11"}},
		},
		"a cohort deleted by hand is made again, and only it": {
			desired: desired,
			existing: []nextstepv1alpha1.Cohort{
				existingCohort("wmca-136001-y9", "programme-uid"), existingCohort("wmca-136001-y11", "programme-uid"), existingCohort("wmca-136003-y11", "programme-uid"),
			},
			want: plan{Create: []string{"wmca-136003-y9"}, Keep: []string{"wmca-136001-y9", "wmca-136001-y11", "wmca-136003-y11"}},
		},
		"a school no longer covered loses the cohorts the programme made": {
			desired: desired[:2],
			existing: []nextstepv1alpha1.Cohort{
				existingCohort("wmca-136003-y9", "programme-uid"), existingCohort("wmca-136001-y9", "programme-uid"),
				existingCohort("wmca-136003-y11", "programme-uid"), existingCohort("wmca-136001-y11", "programme-uid"),
			},
			want: plan{Keep: []string{"wmca-136001-y9", "wmca-136001-y11"}, Delete: []string{"wmca-136003-y11", "wmca-136003-y9"}},
		},
		"a labelled cohort the programme does not control is never deleted": {
			desired: desired[:1],
			existing: []nextstepv1alpha1.Cohort{
				existingCohort("wmca-136001-y9", "programme-uid"), existingCohort("by-hand", ""), existingCohort("wmca-136001-y11", "an-earlier-programme-uid"),
			},
			want: plan{Keep: []string{"wmca-136001-y9"}},
		},
		"a desired cohort someone else made is kept, not made again": {
			desired:  desired[:1],
			existing: []nextstepv1alpha1.Cohort{existingCohort("wmca-136001-y9", "")},
			want:     plan{Keep: []string{"wmca-136001-y9"}},
		},
		"nothing covered, nothing there": {},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := planCohorts(p, tc.desired, tc.existing)
			names := func(cs []*nextstepv1alpha1.Cohort) []string {
				var out []string
				for _, c := range cs {
					out = append(out, c.Name)
				}
				return out
			}
			if diff := cmp.Diff(tc.want, plan{Create: names(got.Create), Keep: got.Keep, Delete: names(got.Delete)}); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
		})
	}
}
