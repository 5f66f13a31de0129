package controller

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/rules"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
	"github.com/nextstep-uk/nextstep/operator/metrics"
)

// The phases of a pass over a cohort, in the order Reconcile runs them.
// Each sets the cohort's status in memory (through the pure functions in
// cohort_status.go), its metrics and events; Reconcile writes the status.

// resolveProgramme resolves the cohort's programme into a policy. A missing
// or unusable programme, or an academic year that cannot be read, ends the
// pass with Ready False.
func (r *CohortReconciler) resolveProgramme(ctx context.Context, s *cohortScope) (bool, error) {
	c := s.cohort
	var programme nextstepv1alpha1.Programme
	err := r.Get(ctx, types.NamespacedName{Namespace: c.Namespace, Name: c.Spec.Programme}, &programme)
	if apierrors.IsNotFound(err) {
		markNotReady(c, nextstepv1alpha1.ConditionReasonProgrammeNotFound, fmt.Sprintf("Programme %q does not exist in this namespace.", c.Spec.Programme))
		return true, nil
	}
	if err != nil {
		return true, fmt.Errorf("get programme %q: %w", c.Spec.Programme, err)
	}
	if missing := rules.MissingDefaults(programme.Spec); len(missing) > 0 {
		markNotReady(c, nextstepv1alpha1.ConditionReasonInvalidProgramme, missingDefaultsMessage(programme.Name, missing))
		return true, nil
	}
	policy, err := rules.FromProgramme(programme.Spec)
	if err != nil {
		markNotReady(c, nextstepv1alpha1.ConditionReasonInvalidProgramme, err.Error())
		return true, nil
	}
	year, err := academicyear.Parse(c.Spec.AcademicYear)
	if err != nil {
		markNotReady(c, nextstepv1alpha1.ConditionReasonInvalidSpec, err.Error())
		return true, nil
	}
	s.policy, s.programmeGeneration, s.year, s.requeueAfter = policy, programme.Generation, year, policy.Resync
	return false, nil
}

// claimPass holds a pass token before anything touches tracking: the one
// the cohort's last pass claimed in its status write, if this process made
// that write and nothing has written the cohort since, else the next, in a
// write of its own. Either write fails on a conflict, so two operators can
// never claim the same token, and a deposed leader's later sync carries a
// stale one that tracking refuses.
func (r *CohortReconciler) claimPass(ctx context.Context, s *cohortScope) (bool, error) {
	if s.held {
		s.claimed = true
		return false, nil
	}
	claimed := s.cohort.DeepCopy()
	claimed.Status.PassToken++
	if err := r.Status().Update(ctx, claimed); err != nil {
		return true, fmt.Errorf("claim pass token: %w", err)
	}
	*s.cohort = *claimed
	s.base = claimed.DeepCopy()
	s.claimed = true
	return false, nil
}

// readSnapshot reads the school and its members in one snapshot, with the
// revisions it saw. If a source fails, the pass ends with nothing synced.
func (r *CohortReconciler) readSnapshot(ctx context.Context, s *cohortScope) (bool, error) {
	c := s.cohort
	school, err := r.Sources.School(ctx, c.Spec.SchoolURN)
	if err == nil {
		s.school = school
		s.members, s.revisions, err = r.Sources.RevisedSnapshot(ctx, CohortKey(c), c.Spec.SchoolURN, c.Spec.YearGroup, s.policy.EHCPlanToAge, s.year, s.today)
	}
	if err != nil {
		r.recordIncomplete(s, err)
		return true, fmt.Errorf("read snapshot: %w", err)
	}
	return false, nil
}

// evaluate judges every member (rules.Evaluate, no I/O).
func (r *CohortReconciler) evaluate(_ context.Context, s *cohortScope) (bool, error) {
	s.evaluation = rules.Evaluate(s.policy, rules.Cohort{YearGroup: s.cohort.Spec.YearGroup, AcademicYear: s.year, Grouped: GroupedReasons(s.cohort)}, s.today, s.members)
	return false, nil
}

// syncInterventions sends tracking the complete desired set and records
// what it answered: applied, held as a mass closure, or refused as stale.
func (r *CohortReconciler) syncInterventions(ctx context.Context, s *cohortScope) (bool, error) {
	c := s.cohort
	force := c.Annotations[ForceSyncAnnotation] == "true"
	res, err := r.Sources.Sync(ctx, syncRequest(c, s.school, s.policy, s.evaluation, force))
	switch {
	case errors.Is(err, sources.ErrHeld):
		r.recordHeld(s, err)
		return true, nil
	case errors.Is(err, sources.ErrStalePass):
		return true, r.recordStale(ctx, s, err)
	case err != nil:
		r.recordIncomplete(s, err)
		return true, fmt.Errorf("sync interventions: %w", err)
	}
	r.recordSynced(s, res, force)
	return true, nil
}

// recordIncomplete records a source failure. Nothing was synced, so nothing
// was closed.
func (r *CohortReconciler) recordIncomplete(s *cohortScope, cause error) {
	c := s.cohort
	s.result = metrics.ResultIncomplete
	r.Metrics.SourceErrors.WithLabelValues(failedSource(cause)).Inc()
	r.Metrics.SetDataComplete(c.Namespace, c.Name, yearGroupLabel(c), false)
	message := markDataIncomplete(c, cause)
	r.Recorder.Eventf(c, nil, corev1.EventTypeWarning, nextstepv1alpha1.ConditionReasonDataIncomplete, actionReconcile, "%s", message)
}

// recordHeld records that tracking refused a mass closure: the cohort waits
// for a person to check the data and set the force-sync annotation.
func (r *CohortReconciler) recordHeld(s *cohortScope, cause error) {
	c := s.cohort
	s.result = metrics.ResultHeld
	r.Metrics.SetSyncHeld(c.Namespace, c.Name, yearGroupLabel(c), true)
	r.Metrics.SetDataComplete(c.Namespace, c.Name, yearGroupLabel(c), true)
	markSyncHeld(c, s.evaluation.Counts)
	r.Recorder.Eventf(c, nil, corev1.EventTypeWarning, nextstepv1alpha1.ConditionReasonSyncHeld, actionSync, "%v", cause)
}

// recordStale handles tracking's refusal of the pass as stale: if another
// operator has claimed a newer token it owns the pass and this one stands
// down; if none has, the cohort is fenced out until a person acts.
func (r *CohortReconciler) recordStale(ctx context.Context, s *cohortScope, cause error) error {
	c := s.cohort
	fenced, err := r.fencedOut(ctx, c)
	if err != nil {
		return err
	}
	if !fenced {
		log.FromContext(ctx).Info("a newer pass has claimed this cohort; standing down", "passToken", c.Status.PassToken)
		s.result = metrics.ResultSynced
		return nil
	}
	s.result = metrics.ResultFenced
	r.Metrics.SetSyncFenced(c.Namespace, c.Name, yearGroupLabel(c), true)
	message := markSyncFenced(c, cause)
	r.Recorder.Eventf(c, nil, corev1.EventTypeWarning, nextstepv1alpha1.ConditionReasonSyncFenced, actionSync, "%s", message)
	return nil
}

// recordSynced records an applied sync. The metrics describe the pass,
// which has synced: they are set before the status is written, and even if
// that write fails, so whoever sees the status sees the metrics too.
func (r *CohortReconciler) recordSynced(s *cohortScope, res *trackingv1.SyncInterventionsResponse, forced bool) {
	c := s.cohort
	now := r.now()
	markSynced(c, s.evaluation, res, now)
	r.Metrics.Observe(c.Namespace, c.Name, yearGroupLabel(c), s.evaluation, res.GetOpen(), now)
	grouped := map[string]int{}
	for _, g := range s.evaluation.Grouped {
		grouped[ReasonCode(g.Reason)] = g.Pupils
	}
	r.Metrics.ObserveGrouped(c.Namespace, c.Name, yearGroupLabel(c), grouped)
	if res.GetCreated() > 0 || res.GetClosed() > 0 || res.GetGrouped() > 0 {
		r.Recorder.Eventf(c, nil, corev1.EventTypeNormal, eventReasonInterventionsSynced, actionSync,
			"%d interventions raised, %d closed as the condition cleared, %d grouped into the cohort's own", res.GetCreated(), res.GetClosed(), res.GetGrouped())
	}
	s.result = metrics.ResultSynced
	s.removeForceSync = forced
	s.applied, s.revisions.Tasks, s.revisions.LastPassToken = true, res.GetTasksRevision(), c.Status.PassToken
}
