package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// CohortSpec is the desired state of one school's year group in one
// academic year.
// +kubebuilder:validation:XValidation:rule="self.schoolURN == oldSelf.schoolURN && self.yearGroup == oldSelf.yearGroup && self.academicYear == oldSelf.academicYear",message="schoolURN, yearGroup and academicYear identify the cohort and cannot change"
type CohortSpec struct {
	// schoolURN is the school's 6-digit Unique Reference Number.
	// +required
	// +kubebuilder:validation:MinLength=6
	// +kubebuilder:validation:MaxLength=6
	// +kubebuilder:validation:Pattern=`^[0-9]{6}$`
	SchoolURN string `json:"schoolURN,omitempty"`

	// yearGroup is the National Curriculum year group, 7 to 13, or 14 for
	// the young people past Year 13 with an EHC plan whom the programme's
	// ehcPlanToAge tracks.
	// +required
	// +kubebuilder:validation:Minimum=7
	// +kubebuilder:validation:Maximum=14
	YearGroup int32 `json:"yearGroup,omitempty"`

	// academicYear is the year that runs 1 September to 31 August, written
	// 2025/26.
	// +required
	// +kubebuilder:validation:MinLength=7
	// +kubebuilder:validation:MaxLength=7
	// +kubebuilder:validation:Pattern=`^[0-9]{4}/[0-9]{2}$`
	// +kubebuilder:validation:XValidation:rule="(int(self.substring(0, 4)) + 1) % 100 == int(self.substring(5, 7))",message="academicYear must be two consecutive years, like 2025/26"
	AcademicYear string `json:"academicYear,omitempty"`

	// programme names the Programme, in the cohort's namespace, whose
	// trajectory, deadlines and rules the cohort follows.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Programme string `json:"programme,omitempty"`
}

// CohortStatus is what the operator last observed of the cohort. It holds
// aggregate counts only, never a pupil's data: anyone who can read the
// Cohort can read its status.
type CohortStatus struct {
	// conditions are the cohort's current conditions.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=16
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// observedGeneration is the spec generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// pupils counts the cohort's pupils by state. A pupil can be behind,
	// destination unknown and at risk at once; onTrack is none of them.
	// +optional
	Pupils PupilCounts `json:"pupils,omitempty"`

	// openInterventions is the number of open interventions for the cohort.
	// +optional
	OpenInterventions int32 `json:"openInterventions"`

	// overdueInterventions is the number of open interventions past due.
	// +optional
	OverdueInterventions int32 `json:"overdueInterventions"`

	// lastSyncTime is when the interventions were last synced.
	// +optional
	LastSyncTime *metav1.Time `json:"lastSyncTime,omitempty"`

	// passToken numbers the operator's passes over the cohort. A pass
	// claims its number by writing it here before it syncs (each pass's
	// status write claims the next pass's), so a deposed leader's late
	// sync carries an older token and is refused.
	// +optional
	PassToken int64 `json:"passToken,omitempty"`

	// groupedInterventions are the reasons most of the cohort shares, for
	// which one cohort-level intervention stands for its pupils' (the
	// Programme's grouping rules). The next pass keeps a reason grouped
	// until its share falls below the rule's release point.
	// +optional
	// +listType=map
	// +listMapKey=reason
	// +kubebuilder:validation:MaxItems=8
	GroupedInterventions []GroupedIntervention `json:"groupedInterventions,omitempty"`
}

// GroupedIntervention is one reason the cohort's own intervention stands
// for.
type GroupedIntervention struct {
	// reason is the intervention's reason.
	// +required
	Reason Reason `json:"reason,omitempty"`
	// pupils is how many of the cohort's pupils on roll have it.
	// +required
	// +kubebuilder:validation:Minimum=0
	Pupils *int32 `json:"pupils,omitempty"`
	// individual is how many of them keep an intervention of their own
	// whatever the grouping: looked after now or before, a child in need,
	// or in the high risk-of-NEET band.
	// +required
	// +kubebuilder:validation:Minimum=0
	Individual *int32 `json:"individual,omitempty"`
}

// PupilCounts are the cohort's pupils by state. Zeros are written, not
// omitted, so kubectl shows "0 behind" rather than a blank.
type PupilCounts struct {
	// total is the number of pupils on roll.
	// +optional
	Total int32 `json:"total"`
	// onTrack are on the trajectory with nothing outstanding.
	// +optional
	OnTrack int32 `json:"onTrack"`
	// behind have fewer days credited than the trajectory expects by now.
	// +optional
	Behind int32 `json:"behind"`
	// destinationUnknown have no known destination after the deadline.
	// +optional
	DestinationUnknown int32 `json:"destinationUnknown"`
	// atRisk have a risk-of-NEET score at or above the rule's threshold.
	// +optional
	AtRisk int32 `json:"atRisk"`
	// septemberGuarantee counts, for a Year 11 or Year 12 cohort, the young
	// people on roll at the end of May (the September Guarantee's cohort);
	// 0 for other year groups.
	// +optional
	SeptemberGuarantee int32 `json:"septemberGuarantee"`
	// septemberGuaranteeOffers counts those of them with an offer of a
	// place recorded.
	// +optional
	SeptemberGuaranteeOffers int32 `json:"septemberGuaranteeOffers"`
	// employerEncounter counts the pupils on roll who attended at least one
	// meaningful employer encounter (a talk, careers fair or mentoring)
	// this academic year: Gatsby benchmark 5.
	// +optional
	EmployerEncounter int32 `json:"employerEncounter"`
	// riskBands counts the pupils on roll by risk-of-NEET band, as the
	// programme's riskBands draw them.
	// +optional
	RiskBands RiskBandCounts `json:"riskBands,omitzero"`
}

// RiskBandCounts are pupils by risk-of-NEET band.
type RiskBandCounts struct {
	// low are below the medium band (green).
	// +optional
	Low int32 `json:"low"`
	// medium are in the medium band (amber).
	// +optional
	Medium int32 `json:"medium"`
	// high are in the high band (red).
	// +optional
	High int32 `json:"high"`
}

// Cohort is one school's year group in one academic year: the unit the
// operator reconciles.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=coh,categories=nextstep
// +kubebuilder:printcolumn:name="School",type=string,JSONPath=`.spec.schoolURN`
// +kubebuilder:printcolumn:name="Year",type=integer,JSONPath=`.spec.yearGroup`
// +kubebuilder:printcolumn:name="Academic year",type=string,JSONPath=`.spec.academicYear`
// +kubebuilder:printcolumn:name="Pupils",type=integer,JSONPath=`.status.pupils.total`
// +kubebuilder:printcolumn:name="On track",type=integer,JSONPath=`.status.pupils.onTrack`
// +kubebuilder:printcolumn:name="Behind",type=integer,JSONPath=`.status.pupils.behind`
// +kubebuilder:printcolumn:name="Dest unknown",type=integer,JSONPath=`.status.pupils.destinationUnknown`
// +kubebuilder:printcolumn:name="At risk",type=integer,JSONPath=`.status.pupils.atRisk`
// +kubebuilder:printcolumn:name="Open tasks",type=integer,JSONPath=`.status.openInterventions`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Cohort struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the cohort's desired state.
	// +required
	Spec CohortSpec `json:"spec,omitzero"`

	// status is the cohort's observed state.
	// +optional
	Status CohortStatus `json:"status,omitempty"`
}

// CohortList is a list of Cohorts.
//
// +kubebuilder:object:root=true
type CohortList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Cohort `json:"items"`
}
