package controller

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/rules"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
)

// setCondition sets one condition for the cohort's current generation.
func setCondition(c *nextstepv1alpha1.Cohort, typ string, status metav1.ConditionStatus, reason, message string) {
	meta.SetStatusCondition(&c.Status.Conditions, metav1.Condition{
		Type: typ, Status: status, Reason: reason, Message: message, ObservedGeneration: c.Generation,
	})
}

// pupilCounts maps the rules' counts to the status's.
func pupilCounts(c rules.Counts) nextstepv1alpha1.PupilCounts {
	return nextstepv1alpha1.PupilCounts{
		Total: c.Total, OnTrack: c.OnTrack, Behind: c.Behind, DestinationUnknown: c.DestinationUnknown, AtRisk: c.AtRisk,
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
	return metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonPupilsBehind, fmt.Sprintf("%d of %d pupils are behind the work-experience trajectory.", c.Behind, c.Total)
}

func (r *CohortReconciler) writeStatus(ctx context.Context, c *nextstepv1alpha1.Cohort) error {
	c.Status.ObservedGeneration = c.Generation
	if err := r.Status().Update(ctx, c); err != nil {
		return fmt.Errorf("write cohort status: %w", err)
	}
	return nil
}

// notReady records why a pass could not start, writing only a change.
func (r *CohortReconciler) notReady(ctx context.Context, c *nextstepv1alpha1.Cohort, reason, message string) error {
	before := c.Status.DeepCopy()
	setCondition(c, nextstepv1alpha1.ConditionReady, metav1.ConditionFalse, reason, message)
	if c.Status.ObservedGeneration == c.Generation && equality.Semantic.DeepEqual(before, &c.Status) {
		return nil
	}
	return r.writeStatus(ctx, c)
}

// dataIncomplete records a source failure. Nothing was synced, so nothing
// was closed; the error is returned so the pass is retried with backoff.
func (r *CohortReconciler) dataIncomplete(ctx context.Context, c *nextstepv1alpha1.Cohort, cause error) error {
	source := "unknown"
	var serr *sources.Error
	if errors.As(cause, &serr) {
		source = serr.Source
	}
	r.Metrics.SourceErrors.WithLabelValues(source).Inc()
	r.Metrics.CohortDataComplete.WithLabelValues(c.Namespace, c.Name, yearGroupLabel(c)).Set(0)
	message := fmt.Sprintf("Reading %s failed, so nothing was changed: %v", source, cause)
	setCondition(c, nextstepv1alpha1.ConditionDataComplete, metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonSourceUnavailable, message)
	setCondition(c, nextstepv1alpha1.ConditionReady, metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonDataIncomplete, "The last pass could not read a complete snapshot; see DataComplete.")
	r.Recorder.Eventf(c, nil, corev1.EventTypeWarning, nextstepv1alpha1.ConditionReasonDataIncomplete, actionReconcile, "%s", message)
	if err := r.writeStatus(ctx, c); err != nil {
		return errors.Join(cause, err)
	}
	return cause
}

// syncHeld records that tracking refused a mass closure: the cohort waits
// for a person to check the data and set the force-sync annotation.
func (r *CohortReconciler) syncHeld(ctx context.Context, c *nextstepv1alpha1.Cohort, ev rules.Result, cause error) error {
	labels := []string{c.Namespace, c.Name, yearGroupLabel(c)}
	r.Metrics.CohortSyncHeld.WithLabelValues(labels...).Set(1)
	r.Metrics.CohortDataComplete.WithLabelValues(labels...).Set(1)
	c.Status.Pupils = pupilCounts(ev.Counts)
	setCondition(c, nextstepv1alpha1.ConditionDataComplete, metav1.ConditionTrue, nextstepv1alpha1.ConditionReasonSnapshotRead, "Every source answered with a complete snapshot.")
	setCondition(c, nextstepv1alpha1.ConditionReady, metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonSyncHeld,
		fmt.Sprintf("Tracking held the sync because it would close too many open interventions at once. Check the source data, then annotate the cohort %s=true to apply it.", ForceSyncAnnotation))
	r.Recorder.Eventf(c, nil, corev1.EventTypeWarning, nextstepv1alpha1.ConditionReasonSyncHeld, actionSync, "%v", cause)
	return r.writeStatus(ctx, c)
}

// syncFenced records that tracking refuses the cohort's syncs because it has
// applied a later pass than any this cluster claimed (a restored database,
// a token forced from outside): the cohort cannot be synced until a person
// moves its pass token past tracking's.
func (r *CohortReconciler) syncFenced(ctx context.Context, c *nextstepv1alpha1.Cohort, cause error) error {
	labels := []string{c.Namespace, c.Name, yearGroupLabel(c)}
	r.Metrics.CohortSyncFenced.WithLabelValues(labels...).Set(1)
	last := "a later pass"
	var stale *sources.StalePassError
	if errors.As(cause, &stale) && stale.Last > 0 {
		last = fmt.Sprintf("pass %d", stale.Last)
	}
	message := fmt.Sprintf("Tracking has applied %s to this cohort, later than its pass token %d, which no operator in this cluster claimed; every sync is refused until status.passToken is moved past it (see the NextstepCohortSyncFenced runbook).",
		last, c.Status.PassToken)
	setCondition(c, nextstepv1alpha1.ConditionReady, metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonSyncFenced, message)
	r.Recorder.Eventf(c, nil, corev1.EventTypeWarning, nextstepv1alpha1.ConditionReasonSyncFenced, actionSync, "%s", message)
	return r.writeStatus(ctx, c)
}

// synced records a successful pass.
func (r *CohortReconciler) synced(ctx context.Context, c *nextstepv1alpha1.Cohort, ev rules.Result, res *trackingv1.SyncInterventionsResponse, forced bool) error {
	now := metav1.NewTime(r.now())
	c.Status.Pupils = pupilCounts(ev.Counts)
	c.Status.OpenInterventions, c.Status.OverdueInterventions = openTotals(res.GetOpen())
	c.Status.LastSyncTime = &now
	setCondition(c, nextstepv1alpha1.ConditionDataComplete, metav1.ConditionTrue, nextstepv1alpha1.ConditionReasonSnapshotRead, "Every source answered with a complete snapshot.")
	setCondition(c, nextstepv1alpha1.ConditionReady, metav1.ConditionTrue, nextstepv1alpha1.ConditionReasonSynced,
		fmt.Sprintf("%d pupils assessed; %d interventions raised, %d closed as cleared.", ev.Counts.Total, res.GetCreated(), res.GetClosed()))
	status, reason, message := onTrackCondition(ev.Counts)
	setCondition(c, nextstepv1alpha1.ConditionOnTrack, status, reason, message)
	// The metrics describe the pass, which has synced: they are set even if
	// the status write below fails, and before it, so whoever sees the
	// status sees the metrics too.
	r.Metrics.Observe(c.Namespace, c.Name, yearGroupLabel(c), ev, res.GetOpen(), now.Time)
	if err := r.writeStatus(ctx, c); err != nil {
		return err
	}
	if res.GetCreated() > 0 || res.GetClosed() > 0 {
		r.Recorder.Eventf(c, nil, corev1.EventTypeNormal, eventReasonInterventionsSynced, actionSync,
			"%d interventions raised, %d closed as the condition cleared", res.GetCreated(), res.GetClosed())
	}
	if forced {
		patch := client.MergeFrom(c.DeepCopy())
		delete(c.Annotations, ForceSyncAnnotation)
		if err := r.Patch(ctx, c, patch); err != nil {
			return fmt.Errorf("remove %s: %w", ForceSyncAnnotation, err)
		}
	}
	return nil
}
