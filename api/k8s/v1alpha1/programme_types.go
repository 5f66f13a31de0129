package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ProgrammeSpec is the desired state a hub declares once for many schools:
// the work-experience trajectory, when destinations must be known, which
// rules raise interventions, and which schools it covers. The operator
// generates one Cohort per covered school and year group.
type ProgrammeSpec struct {
	// academicYear is the year the programme's cohorts run in, like 2025/26.
	// +required
	// +kubebuilder:validation:MinLength=7
	// +kubebuilder:validation:MaxLength=7
	// +kubebuilder:validation:Pattern=`^[0-9]{4}/[0-9]{2}$`
	// +kubebuilder:validation:XValidation:rule="(int(self.substring(0, 4)) + 1) % 100 == int(self.substring(5, 7))",message="academicYear must be two consecutive years, like 2025/26"
	AcademicYear string `json:"academicYear,omitempty"`

	// schools are the schools the programme covers: those named by URN and
	// every open school of the named local authorities the pupil service
	// knows.
	// +required
	Schools SchoolSelector `json:"schools,omitzero"`

	// yearGroups are the year groups to generate cohorts for, at least one.
	// Defaults to 7 to 11.
	// +optional
	// +listType=set
	// +kubebuilder:default={7,8,9,10,11}
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=7
	// +kubebuilder:validation:items:Minimum=7
	// +kubebuilder:validation:items:Maximum=13
	YearGroups []int32 `json:"yearGroups,omitempty"`

	// ehcPlanToAge tracks, when set, the young people with an EHC plan past
	// Year 13 until this age, as an LA may (NCCIS: up to 25): each covered
	// school gets one more cohort, year group 14 (PastYear13), of its
	// former pupils of academic age 18 up to one less than this with an
	// EHC plan recorded, followed for their destination alone (a
	// confirmed activity that lapses, disengaging), by default from
	// 1 September. Unset: tracking stops at Year 13.
	// +optional
	// +kubebuilder:validation:Minimum=19
	// +kubebuilder:validation:Maximum=25
	EHCPlanToAge int32 `json:"ehcPlanToAge,omitempty"`

	// trajectory is the cumulative work experience expected by the end of
	// each year group, in half days. Defaults to 2, 4, 6, 8 and 10 days by
	// the end of Years 7 to 11. Expectations rise evenly through each year.
	// +optional
	// +listType=map
	// +listMapKey=yearGroup
	// +kubebuilder:validation:MaxItems=7
	// +kubebuilder:validation:XValidation:rule="self.all(a, self.all(b, a.yearGroup >= b.yearGroup || a.halfDays <= b.halfDays))",message="trajectory must not fall from one year group to the next"
	Trajectory []TrajectoryPoint `json:"trajectory,omitempty"`

	// destinationDeadlines say by when each pupil's post-16 destination
	// must be known. Defaults to Year 11 cohorts by 1 November after the
	// year ends (the annual activity survey), raised from 60 days before.
	// +optional
	// +listType=map
	// +listMapKey=yearGroup
	// +kubebuilder:validation:MaxItems=7
	DestinationDeadlines []DestinationDeadline `json:"destinationDeadlines,omitempty"`

	// rules set the priority and service level of each kind of
	// intervention. Omitted reasons take their defaults.
	// +optional
	// +listType=map
	// +listMapKey=reason
	// +kubebuilder:validation:MaxItems=8
	Rules []InterventionRule `json:"rules,omitempty"`
	// riskBands are the risk-of-NEET scores at which the medium and high
	// bands begin, on the pupil service's scale (each factor 1 point when
	// it makes NEET likely, 2 when very likely). Cohorts count their pupils
	// by band, and AtRiskOfNEET is raised from the high band unless its
	// rule sets a threshold. Defaults to medium 3 and high 5.
	// +optional
	RiskBands RiskBands `json:"riskBands,omitzero"`

	// resyncIntervalSeconds is how often, in seconds, each cohort is
	// reconciled even when nothing in Kubernetes changed. Defaults to 600
	// (ten minutes).
	// +optional
	// +kubebuilder:default=600
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=86400
	ResyncIntervalSeconds int32 `json:"resyncIntervalSeconds,omitempty"`

	// maxClosePercent is the largest share of a cohort's open interventions
	// one pass may close; a pass that would close more is held for a person
	// to look at. Defaults to 50.
	// +optional
	// +kubebuilder:default=50
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	MaxClosePercent int32 `json:"maxClosePercent,omitempty"`
}

// SchoolSelector picks schools by URN or by local authority.
// +kubebuilder:validation:XValidation:rule="has(self.urns) || has(self.laCodes)",message="schools must name at least one URN or LA code"
// +kubebuilder:validation:MinProperties=1
type SchoolSelector struct {
	// urns are 6-digit school URNs.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=500
	// +kubebuilder:validation:items:MaxLength=6
	// +kubebuilder:validation:items:Pattern=`^[0-9]{6}$`
	URNs []string `json:"urns,omitempty"`

	// laCodes are 3-digit local authority codes.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=200
	// +kubebuilder:validation:items:MaxLength=3
	// +kubebuilder:validation:items:Pattern=`^[0-9]{3}$`
	LACodes []string `json:"laCodes,omitempty"`
}

// RiskBands are where the risk-of-NEET bands begin.
// +kubebuilder:validation:XValidation:rule="self.high > self.medium",message="riskBands.high must be above riskBands.medium"
type RiskBands struct {
	// medium is the lowest score in the medium (amber) band.
	// +required
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	Medium int32 `json:"medium,omitempty"`
	// high is the lowest score in the high (red) band.
	// +required
	// +kubebuilder:validation:Minimum=2
	// +kubebuilder:validation:Maximum=100
	High int32 `json:"high,omitempty"`
}

// TrajectoryPoint is the cumulative work experience expected by the end of
// a year group.
type TrajectoryPoint struct {
	// yearGroup is the National Curriculum year group, 7 to 13.
	// +required
	// +kubebuilder:validation:Minimum=7
	// +kubebuilder:validation:Maximum=13
	YearGroup int32 `json:"yearGroup,omitempty"`

	// halfDays is the cumulative experience expected by the end of the year
	// group, in half days (20 is the 10-day guarantee). 0 is a target too.
	// +required
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=200
	HalfDays *int32 `json:"halfDays,omitempty"`
}

// DestinationDeadline is the date by which a cohort's destinations must be
// known: a month and day in the cohort's academic year, or in the one after.
type DestinationDeadline struct {
	// yearGroup is the year group it applies to (14: past Year 13, see
	// ehcPlanToAge).
	// +required
	// +kubebuilder:validation:Minimum=7
	// +kubebuilder:validation:Maximum=14
	YearGroup int32 `json:"yearGroup,omitempty"`

	// date is a month and day, MM-DD, in an academic year that starts on
	// 1 September: 03-31 is the March of that year.
	// +required
	// +kubebuilder:validation:MinLength=5
	// +kubebuilder:validation:MaxLength=5
	// +kubebuilder:validation:Pattern=`^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`
	Date string `json:"date,omitempty"`

	// yearsAfter counts academic years after the cohort's: 0 for a date in
	// the cohort's own year, 1 for the year after it (where a Year 11
	// cohort's destinations are surveyed). Defaults to 0.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=2
	YearsAfter *int32 `json:"yearsAfter,omitempty"`

	// leadDays is how long before the deadline an intervention is raised
	// for a pupil whose destination is not yet known. Defaults to 30.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=365
	LeadDays *int32 `json:"leadDays,omitempty"`
}

// PastYear13 is the year group of the cohort past Year 13 that a
// programme's ehcPlanToAge makes: the year group its young people would be
// in had school gone on (academic age 18 is Year 14).
const PastYear13 int32 = 14

// Reason is why an intervention is raised.
// +kubebuilder:validation:Enum=BehindTrajectory;DestinationUnknown;AtRiskOfNEET;NoSeptemberGuaranteeOffer;Disengaged;NoEmployerEncounter
type Reason string

// The reasons the reconciler raises interventions for.
const (
	ReasonBehindTrajectory   Reason = "BehindTrajectory"
	ReasonDestinationUnknown Reason = "DestinationUnknown"
	ReasonAtRiskOfNEET       Reason = "AtRiskOfNEET"
	// ReasonNoSeptemberGuaranteeOffer is a Year 11 or Year 12 young person,
	// on roll at the end of May, with no offer of a place for September
	// recorded (the September Guarantee).
	ReasonNoSeptemberGuaranteeOffer Reason = "NoSeptemberGuaranteeOffer"
	// ReasonDisengaged is a young person whose confirmed activity changed
	// from education, employment or training to NEET: disengaging post 16.
	ReasonDisengaged Reason = "Disengaged"
	// ReasonNoEmployerEncounter is a pupil on roll with no meaningful
	// employer encounter (a talk, careers fair or mentoring) attended this
	// academic year by the rule's date: Gatsby benchmark 5 asks for one
	// every year from Year 7. Off unless the Programme turns it on.
	ReasonNoEmployerEncounter Reason = "NoEmployerEncounter"
)

// Priority orders a caseworker's queue.
// +kubebuilder:validation:Enum=Low;Normal;High;Urgent
type Priority string

// The priorities, lowest first.
const (
	PriorityLow    Priority = "Low"
	PriorityNormal Priority = "Normal"
	PriorityHigh   Priority = "High"
	PriorityUrgent Priority = "Urgent"
)

// InterventionRule sets how an intervention of one reason is raised.
type InterventionRule struct {
	// reason is the kind of intervention.
	// +required
	Reason Reason `json:"reason,omitempty"`

	// enabled turns the rule off when false. Defaults to true.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`

	// priority is the intervention's priority.
	// +optional
	Priority Priority `json:"priority,omitempty"`

	// serviceLevelDays is how many days a caseworker has to act.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=365
	ServiceLevelDays int32 `json:"serviceLevelDays,omitempty"`

	// threshold is the rule's trigger: for BehindTrajectory the half days a
	// pupil may fall behind before it fires (default 0); for AtRiskOfNEET
	// the risk score at which it fires (default: where the high band of
	// riskBands begins). Unused for DestinationUnknown.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1000
	Threshold *int32 `json:"threshold,omitempty"`

	// by is a month and day, MM-DD, in the cohort's academic year (which
	// starts on 1 September): for NoEmployerEncounter, the day by which
	// each pupil should have had an encounter this year (default 03-31).
	// Unused for the other reasons.
	// +optional
	// +kubebuilder:validation:MinLength=5
	// +kubebuilder:validation:MaxLength=5
	// +kubebuilder:validation:Pattern=`^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`
	By string `json:"by,omitempty"`

	// grouping raises one cohort-level intervention, for the school's
	// careers leader and the hub, in place of one per pupil when most of a
	// cohort has the reason: a year group mostly behind needs a group
	// placement, not 200 phone calls. Pupils looked after now or before, in
	// need or in the high risk band keep their own whatever the grouping.
	// Defaults for BehindTrajectory and NoEmployerEncounter: from 50% of
	// the pupils on roll and at least 10 of them, released below 40%; the
	// other reasons are about one young person each and are not grouped
	// unless set here.
	// +optional
	Grouping *Grouping `json:"grouping,omitempty"`
}

// Grouping is when a reason's interventions are raised for the cohort as a
// whole. Between releaseBelowPercent and fromPercent a grouped reason stays
// grouped and an ungrouped one stays ungrouped, so a share hovering at the
// threshold does not make tasks flap.
// +kubebuilder:validation:XValidation:rule="!has(self.releaseBelowPercent) || !has(self.fromPercent) || self.releaseBelowPercent <= self.fromPercent",message="grouping.releaseBelowPercent must not be above fromPercent"
type Grouping struct {
	// enabled turns grouping off when false. Defaults to true.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
	// fromPercent is the share of the cohort's pupils on roll with the
	// reason at which the cohort's intervention replaces theirs.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	FromPercent int32 `json:"fromPercent,omitempty"`
	// releaseBelowPercent is the share below which a grouped reason is
	// ungrouped: the cohort's intervention closes and the pupils still
	// with the reason get their own.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	ReleaseBelowPercent *int32 `json:"releaseBelowPercent,omitempty"`
	// minPupils is the fewest pupils with the reason for it to be grouped.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=10000
	MinPupils int32 `json:"minPupils,omitempty"`
}

// ProgrammeStatus is what the operator last observed of the programme.
type ProgrammeStatus struct {
	// conditions are the programme's current conditions.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=16
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// observedGeneration is the spec generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// schools is the number of schools the programme covers.
	// +optional
	Schools int32 `json:"schools,omitempty"`

	// cohorts is the number of cohorts generated.
	// +optional
	Cohorts int32 `json:"cohorts,omitempty"`
}

// Programme is a hub's work-experience and destinations programme for one
// academic year: the shared desired state of the cohorts it generates.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=prog,categories=nextstep
// +kubebuilder:printcolumn:name="Academic year",type=string,JSONPath=`.spec.academicYear`
// +kubebuilder:printcolumn:name="Schools",type=integer,JSONPath=`.status.schools`
// +kubebuilder:printcolumn:name="Cohorts",type=integer,JSONPath=`.status.cohorts`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="CohortsGenerated")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Programme struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the programme's desired state.
	// +required
	Spec ProgrammeSpec `json:"spec,omitzero"`

	// status is the programme's observed state.
	// +optional
	Status ProgrammeStatus `json:"status,omitempty"`
}

// ProgrammeList is a list of Programmes.
//
// +kubebuilder:object:root=true
type ProgrammeList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Programme `json:"items"`
}
