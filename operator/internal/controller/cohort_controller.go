// Package controller holds the operator's reconcilers: Programme generates
// Cohorts; Cohort reconciles each cohort's desired state against the
// records the services hold.
package controller

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/rules"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
	"github.com/nextstep-uk/nextstep/operator/metrics"
)

// ForceSyncAnnotation, set to "true" on a Cohort by a person, lets the next
// pass apply a sync that tracking held as a mass closure. The operator
// removes it once the forced sync is applied.
const ForceSyncAnnotation = "nextstep.uk/force-sync"

// The events' actions, and the reason of the one event that is no
// condition's reason.
const (
	actionReconcile                = "Reconcile"
	actionSync                     = "Sync"
	eventReasonInterventionsSynced = "InterventionsSynced"
)

// Sources is what the cohort reconciler reads and writes outside the
// cluster; sources.Clients implements it over Connect.
type Sources interface {
	School(ctx context.Context, urn string) (sources.School, error)
	Snapshot(ctx context.Context, urn string, yearGroup int32, year rules.AcademicYear, today time.Time) ([]rules.Member, error)
	Sync(ctx context.Context, req *trackingv1.SyncInterventionsRequest) (*trackingv1.SyncInterventionsResponse, error)
}

// CohortReconciler reconciles a Cohort's desired state against the records.
type CohortReconciler struct {
	client.Client
	// APIReader reads from the API server, not the cache, for a decision
	// that must see the latest claim (whether a newer pass exists).
	APIReader client.Reader
	Sources   Sources
	Metrics   *metrics.Metrics
	Recorder  events.EventRecorder
	// Now is the clock; time.Now if nil.
	Now func() time.Time
}

// +kubebuilder:rbac:groups=nextstep.uk,resources=cohorts,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=nextstep.uk,resources=cohorts/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=nextstep.uk,resources=programmes,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile runs one pass over a cohort: claim a pass token, read one
// complete snapshot, evaluate the rules, sync the desired interventions,
// write the status and metrics, and come back after the resync interval.
func (r *CohortReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	start := time.Now()
	var cohort nextstepv1alpha1.Cohort
	if err := r.Get(ctx, req.NamespacedName, &cohort); err != nil {
		if apierrors.IsNotFound(err) {
			r.Metrics.Forget(req.Namespace, req.Name)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	result := metrics.ResultError
	defer func() {
		r.Metrics.Reconciles.WithLabelValues(result).Inc()
		r.Metrics.ReconcileDuration.WithLabelValues().Observe(time.Since(start).Seconds())
	}()

	pass, err := r.prepare(ctx, &cohort)
	if err != nil || pass == nil {
		return requeue(rules.DefaultResync, err)
	}

	// Claim the next pass token before touching tracking: the update fails
	// on a conflict, so two operators can never claim the same token, and a
	// deposed leader's later sync carries a stale one that tracking refuses.
	cohort.Status.PassToken++
	if err := r.Status().Update(ctx, &cohort); err != nil {
		return ctrl.Result{}, fmt.Errorf("claim pass token: %w", err)
	}

	today := rules.Day(r.now())
	school, members, err := r.snapshot(ctx, &cohort, pass.year, today)
	if err != nil {
		result = metrics.ResultIncomplete
		return ctrl.Result{}, r.dataIncomplete(ctx, &cohort, err)
	}
	evaluation := rules.Evaluate(pass.policy, rules.Cohort{YearGroup: cohort.Spec.YearGroup, AcademicYear: pass.year}, today, members)
	force := cohort.Annotations[ForceSyncAnnotation] == "true"
	synced, err := r.Sources.Sync(ctx, syncRequest(&cohort, school, pass.policy, evaluation, force))
	switch {
	case errors.Is(err, sources.ErrHeld):
		result = metrics.ResultHeld
		return requeue(pass.policy.Resync, r.syncHeld(ctx, &cohort, evaluation, err))
	case errors.Is(err, sources.ErrStalePass):
		fenced, ferr := r.fencedOut(ctx, &cohort)
		if ferr != nil {
			return ctrl.Result{}, ferr
		}
		if !fenced {
			// Another operator has claimed a newer token: it owns the pass.
			log.FromContext(ctx).Info("a newer pass has claimed this cohort; standing down", "passToken", cohort.Status.PassToken)
			result = metrics.ResultSynced
			return ctrl.Result{RequeueAfter: pass.policy.Resync}, nil
		}
		result = metrics.ResultFenced
		return requeue(pass.policy.Resync, r.syncFenced(ctx, &cohort, err))
	case err != nil:
		result = metrics.ResultIncomplete
		return ctrl.Result{}, r.dataIncomplete(ctx, &cohort, err)
	}
	if err := r.synced(ctx, &cohort, evaluation, synced, force); err != nil {
		return ctrl.Result{}, err
	}
	result = metrics.ResultSynced
	return ctrl.Result{RequeueAfter: pass.policy.Resync}, nil
}

// requeue comes back after the interval, or with backoff on an error
// (controller-runtime ignores RequeueAfter when an error is returned).
func requeue(after time.Duration, err error) (ctrl.Result, error) {
	if err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{RequeueAfter: after}, nil
}

// pass is what one reconcile pass works from.
type pass struct {
	policy rules.Policy
	year   rules.AcademicYear
}

// prepare resolves the cohort's programme into a policy. A missing or
// invalid programme is written to the status and returns a nil pass.
func (r *CohortReconciler) prepare(ctx context.Context, cohort *nextstepv1alpha1.Cohort) (*pass, error) {
	var programme nextstepv1alpha1.Programme
	err := r.Get(ctx, types.NamespacedName{Namespace: cohort.Namespace, Name: cohort.Spec.Programme}, &programme)
	if apierrors.IsNotFound(err) {
		return nil, r.notReady(ctx, cohort, nextstepv1alpha1.ConditionReasonProgrammeNotFound, fmt.Sprintf("Programme %q does not exist in this namespace.", cohort.Spec.Programme))
	}
	if err != nil {
		return nil, fmt.Errorf("get programme: %w", err)
	}
	policy, err := rules.FromProgramme(programme.Spec)
	if err != nil {
		return nil, r.notReady(ctx, cohort, nextstepv1alpha1.ConditionReasonInvalidProgramme, err.Error())
	}
	year, err := academicyear.Parse(cohort.Spec.AcademicYear)
	if err != nil {
		return nil, r.notReady(ctx, cohort, nextstepv1alpha1.ConditionReasonInvalidSpec, err.Error())
	}
	return &pass{policy: policy, year: year}, nil
}

func (r *CohortReconciler) snapshot(ctx context.Context, cohort *nextstepv1alpha1.Cohort, year rules.AcademicYear, today time.Time) (sources.School, []rules.Member, error) {
	school, err := r.Sources.School(ctx, cohort.Spec.SchoolURN)
	if err != nil {
		return sources.School{}, nil, err
	}
	members, err := r.Sources.Snapshot(ctx, cohort.Spec.SchoolURN, cohort.Spec.YearGroup, year, today)
	return school, members, err
}

// fencedOut tells, after tracking refused the pass as stale, whether a newer
// pass exists in the cluster (some operator claimed a later token: stand
// down) or not: then tracking has applied a pass no operator here claimed,
// and every pass this cluster makes will be refused until a person acts.
func (r *CohortReconciler) fencedOut(ctx context.Context, c *nextstepv1alpha1.Cohort) (bool, error) {
	reader := r.APIReader
	if reader == nil {
		reader = r.Client
	}
	var latest nextstepv1alpha1.Cohort
	if err := reader.Get(ctx, client.ObjectKeyFromObject(c), &latest); err != nil {
		return false, fmt.Errorf("read the cohort's latest pass token: %w", err)
	}
	return latest.Status.PassToken <= c.Status.PassToken, nil
}

func (r *CohortReconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// SetupWithManager registers the reconciler with mgr. A change to a
// Programme requeues every cohort that follows it.
func (r *CohortReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), &nextstepv1alpha1.Cohort{}, programmeIndex,
		func(o client.Object) []string { return []string{o.(*nextstepv1alpha1.Cohort).Spec.Programme} }); err != nil {
		return err
	}
	// Status writes (every pass makes two) must not trigger another pass:
	// only spec and annotation changes do, besides the resync interval.
	return ctrl.NewControllerManagedBy(mgr).
		For(&nextstepv1alpha1.Cohort{}, builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		Watches(&nextstepv1alpha1.Programme{}, handler.EnqueueRequestsFromMapFunc(r.cohortsOf), builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Named("cohort").
		Complete(r)
}

const programmeIndex = "spec.programme"

func (r *CohortReconciler) cohortsOf(ctx context.Context, o client.Object) []reconcile.Request {
	var list nextstepv1alpha1.CohortList
	if err := r.List(ctx, &list, client.InNamespace(o.GetNamespace()), client.MatchingFields{programmeIndex: o.GetName()}); err != nil {
		log.FromContext(ctx).Error(err, "list the programme's cohorts")
		return nil
	}
	reqs := make([]reconcile.Request, len(list.Items))
	for i, c := range list.Items {
		reqs[i] = reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&c)}
	}
	return reqs
}

func yearGroupLabel(c *nextstepv1alpha1.Cohort) string { return strconv.Itoa(int(c.Spec.YearGroup)) }
