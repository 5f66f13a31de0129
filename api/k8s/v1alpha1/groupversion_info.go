// Package v1alpha1 holds the nextstep custom resources: a Cohort declares the
// desired state of one school's year group (work experience on trajectory,
// post-16 destination known by the deadline), and the operator reconciles it
// against the records the services hold.
//
// The package depends on apimachinery alone, so clients can import it
// without controller-runtime.
//
// +kubebuilder:object:generate=true
// +groupName=nextstep.uk
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the API group and version of these resources.
	GroupVersion = schema.GroupVersion{Group: "nextstep.uk", Version: "v1alpha1"}

	// SchemeBuilder registers the types with a runtime.Scheme.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds the types in this group-version to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, &Cohort{}, &CohortList{}, &Programme{}, &ProgrammeList{})
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
