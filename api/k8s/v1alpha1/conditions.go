package v1alpha1

// The conditions the operator sets, and the reasons it gives, declared once
// so the operator, its tests and anyone reading a status (kubectl, alerts,
// runbooks) use the same names. Reasons are CamelCase, as metav1.Condition
// requires; the same reasons name the Warning events the operator records.
// Condition reasons are prefixed ConditionReason so they are not mistaken
// for an intervention's Reason.

// Condition types on a Cohort.
const (
	// ConditionReady is True when the last pass reconciled the cohort and
	// synced its interventions.
	ConditionReady = "Ready"
	// ConditionDataComplete is True when the last pass read a complete
	// snapshot from every source. While it is False nothing is closed.
	ConditionDataComplete = "DataComplete"
	// ConditionOnTrack is True when no pupil is behind the trajectory.
	ConditionOnTrack = "OnTrack"
)

// Reasons of a Cohort's Ready condition.
const (
	// ConditionReasonSynced: the pass synced the cohort's interventions.
	ConditionReasonSynced = "Synced"
	// ConditionReasonSyncHeld: tracking held the sync because it would close
	// more than maxClosePercent of the cohort's open interventions; it waits
	// for a person to set the force-sync annotation.
	ConditionReasonSyncHeld = "SyncHeld"
	// ConditionReasonSyncFenced: tracking has applied a later pass than any
	// operator in the cluster claimed, and refuses every sync until the
	// cohort's pass token is moved past it.
	ConditionReasonSyncFenced = "SyncFenced"
	// ConditionReasonDataIncomplete: the pass could not read a complete
	// snapshot (see DataComplete), so nothing was synced.
	ConditionReasonDataIncomplete = "DataIncomplete"
	// ConditionReasonProgrammeNotFound: spec.programme names no Programme in
	// the cohort's namespace.
	ConditionReasonProgrammeNotFound = "ProgrammeNotFound"
	// ConditionReasonInvalidProgramme: the cohort's Programme cannot be
	// resolved into a policy.
	ConditionReasonInvalidProgramme = "InvalidProgramme"
	// ConditionReasonInvalidSpec: the spec cannot be acted on (on a Cohort,
	// its academic year; on a Programme, a field the API server defaults is
	// missing).
	ConditionReasonInvalidSpec = "InvalidSpec"
)

// Reasons of a Cohort's DataComplete condition.
const (
	// ConditionReasonSnapshotRead: every source answered with a complete
	// snapshot.
	ConditionReasonSnapshotRead = "SnapshotRead"
	// ConditionReasonSourceUnavailable: a source service failed or cut its
	// answer short. A Programme's CohortsGenerated gives it too, when the
	// pupil service cannot list the schools.
	ConditionReasonSourceUnavailable = "SourceUnavailable"
)

// Reasons of a Cohort's OnTrack condition.
const (
	// ConditionReasonOnTrajectory: no pupil is behind the trajectory.
	ConditionReasonOnTrajectory = "OnTrajectory"
	// ConditionReasonPupilsBehind: at least one pupil is behind it.
	ConditionReasonPupilsBehind = "PupilsBehind"
)

// Condition types on a Programme.
const (
	// ConditionCohortsGenerated is True when every covered school has its
	// cohorts.
	ConditionCohortsGenerated = "CohortsGenerated"
)

// Reasons of a Programme's CohortsGenerated condition, besides
// ConditionReasonSourceUnavailable and ConditionReasonInvalidSpec.
const (
	// ConditionReasonGenerated: every covered school has its cohorts.
	ConditionReasonGenerated = "Generated"
)
