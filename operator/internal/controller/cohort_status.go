package controller

import (
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/api/riskscale"
	"github.com/nextstep-uk/nextstep/operator/internal/rules"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
)

// The cohort's status is computed here, by pure functions: each takes what
// a pass found and sets the status that says so, for the cohort's current
// generation. The reconciler writes the result once, at the end of the
// pass, and only if it changed.

// setCondition sets one condition for the cohort's current generation.
func setCondition(c *nextstepv1alpha1.Cohort, typ string, status metav1.ConditionStatus, reason, message string) {
	meta.SetStatusCondition(&c.Status.Conditions, metav1.Condition{
		Type: typ, Status: status, Reason: reason, Message: message, ObservedGeneration: c.Generation,
	})
}

// observe marks the status as describing the cohort's current generation.
func observe(c *nextstepv1alpha1.Cohort) { c.Status.ObservedGeneration = c.Generation }

// pupilCounts maps the rules' counts to the status's.
func pupilCounts(c rules.Counts) nextstepv1alpha1.PupilCounts {
	return nextstepv1alpha1.PupilCounts{
		Total: c.Total, OnTrack: c.OnTrack, Behind: c.Behind, DestinationUnknown: c.DestinationUnknown, AtRisk: c.AtRisk,
		SeptemberGuarantee: c.SeptemberGuarantee, SeptemberGuaranteeOffers: c.SeptemberGuaranteeOffers,
		EmployerEncounter: c.EmployerEncounter,
		RiskBands: nextstepv1alpha1.RiskBandCounts{
			Low: c.RiskBands[riskscale.Low], Medium: c.RiskBands[riskscale.Medium], High: c.RiskBands[riskscale.High],
		},
	}
}

// openTotals sums tracking's open and overdue counts.
func openTotals(open []*trackingv1.OpenCount) (total, overdue int32) {
	for _, o := range open {
		total += o.GetOpen()
		overdue += o.GetOverdue()
	}
	return total, overdue
}

// onTrackCondition says whether any pupil is behind the trajectory.
func onTrackCondition(c rules.Counts) (metav1.ConditionStatus, string, string) {
	if c.Behind == 0 {
		return metav1.ConditionTrue, nextstepv1alpha1.ConditionReasonOnTrajectory, "No pupil is behind the work-experience trajectory."
	}
	return metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonPupilsBehind,
		fmt.Sprintf("%d of %d pupils are behind the work-experience trajectory.", c.Behind, c.Total)
}

// failedSource names the source service behind err, as the source label of
// nextstep_source_errors_total: "unknown" when no source is named.
func failedSource(err error) string {
	var serr *sources.Error
	if errors.As(err, &serr) {
		return serr.Source
	}
	return "unknown"
}

// snapshotRead is DataComplete when every source answered in full.
func snapshotRead(c *nextstepv1alpha1.Cohort) {
	setCondition(c, nextstepv1alpha1.ConditionDataComplete, metav1.ConditionTrue, nextstepv1alpha1.ConditionReasonSnapshotRead,
		"Every source answered with a complete snapshot.")
}

// markNotReady records why a pass could not start.
func markNotReady(c *nextstepv1alpha1.Cohort, reason, message string) {
	observe(c)
	setCondition(c, nextstepv1alpha1.ConditionReady, metav1.ConditionFalse, reason, message)
}

// markDataIncomplete records that a source failed, so nothing was synced
// (and nothing closed). It returns the message, for the event too.
func markDataIncomplete(c *nextstepv1alpha1.Cohort, cause error) string {
	observe(c)
	message := fmt.Sprintf("Reading %s failed, so nothing was changed: %v", failedSource(cause), cause)
	setCondition(c, nextstepv1alpha1.ConditionDataComplete, metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonSourceUnavailable, message)
	setCondition(c, nextstepv1alpha1.ConditionReady, metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonDataIncomplete,
		"The last pass could not read a complete snapshot; see DataComplete.")
	return message
}

// markSyncHeld records that tracking refused a mass closure: the cohort
// waits for a person to check the data and set the force-sync annotation.
func markSyncHeld(c *nextstepv1alpha1.Cohort, counts rules.Counts) {
	observe(c)
	c.Status.Pupils = pupilCounts(counts)
	snapshotRead(c)
	setCondition(c, nextstepv1alpha1.ConditionReady, metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonSyncHeld,
		fmt.Sprintf("Tracking held the sync because it would close too many open interventions at once. Check the source data, then annotate the cohort %s=true to apply it.", ForceSyncAnnotation))
}

// markSyncFenced records that tracking refuses the cohort's syncs because it
// has applied a later pass than any this cluster claimed (a restored
// database, a token forced from outside): the cohort cannot be synced until
// a person moves its pass token past tracking's. It returns the message,
// for the event too.
func markSyncFenced(c *nextstepv1alpha1.Cohort, cause error) string {
	observe(c)
	last := "a later pass"
	var stale *sources.StalePassError
	if errors.As(cause, &stale) && stale.Last > 0 {
		last = fmt.Sprintf("pass %d", stale.Last)
	}
	message := fmt.Sprintf("Tracking has applied %s to this cohort, later than its pass token %d, which no operator in this cluster claimed; every sync is refused until status.passToken is moved past it (see the NextstepCohortSyncFenced runbook).",
		last, c.Status.PassToken)
	setCondition(c, nextstepv1alpha1.ConditionReady, metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonSyncFenced, message)
	return message
}

// markSynced records a pass whose sync tracking applied at now.
func markSynced(c *nextstepv1alpha1.Cohort, ev rules.Result, res *trackingv1.SyncInterventionsResponse, now time.Time) {
	observe(c)
	synced := metav1.NewTime(now)
	c.Status.Pupils = pupilCounts(ev.Counts)
	c.Status.OpenInterventions, c.Status.OverdueInterventions = openTotals(res.GetOpen())
	c.Status.LastSyncTime = &synced
	c.Status.GroupedInterventions = nil
	for _, g := range ev.Grouped {
		c.Status.GroupedInterventions = append(c.Status.GroupedInterventions, nextstepv1alpha1.GroupedIntervention{
			Reason: g.Reason, Pupils: ptr.To(int32(g.Pupils)), Individual: ptr.To(int32(g.Individual)),
		})
	}
	snapshotRead(c)
	message := fmt.Sprintf("%d pupils assessed; %d interventions raised, %d closed as cleared", ev.Counts.Total, res.GetCreated(), res.GetClosed())
	if n := res.GetGrouped(); n > 0 {
		message += fmt.Sprintf(", %d grouped into the cohort's own", n)
	}
	setCondition(c, nextstepv1alpha1.ConditionReady, metav1.ConditionTrue, nextstepv1alpha1.ConditionReasonSynced, message+".")
	status, reason, message := onTrackCondition(ev.Counts)
	setCondition(c, nextstepv1alpha1.ConditionOnTrack, status, reason, message)
}
