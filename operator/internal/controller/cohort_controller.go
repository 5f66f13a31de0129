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

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/rules"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
	"github.com/nextstep-uk/nextstep/operator/metrics"
)

// ForceSyncAnnotation is the annotation a person sets to "true" on a Cohort
// to let the next pass apply a sync that tracking held as a mass closure. The operator
// removes it once the forced sync is applied.
const ForceSyncAnnotation = "nextstep.uk/force-sync"

// Sources is what the cohort reconciler reads and writes outside the
// cluster; sources.Clients implements it over Connect.
type Sources interface {
	School(ctx context.Context, urn string) (sources.School, error)
	RevisedSnapshot(ctx context.Context, key, urn string, yearGroup, ehcPlanToAge int32, year rules.AcademicYear, today time.Time) ([]rules.Member, sources.Revisions, error)
	Revisions(ctx context.Context, key, urn string, ids []string) (sources.Revisions, error)
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
	// Changes and FeedInterval are the services' change feeds and how
	// often they are read (cohort_feed.go); with no interval there is no
	// feed, and a pass over a remembered cohort reads its revisions.
	Changes      ChangeSource
	FeedInterval time.Duration

	lastPasses lastPasses
	claims     claims
}

// +kubebuilder:rbac:groups=nextstep.uk,resources=cohorts,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=nextstep.uk,resources=cohorts/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=nextstep.uk,resources=programmes,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// recheckNotReady is when a cohort whose pass could not start (its
// programme missing or unusable), or a programme missing a defaulted field,
// is looked at again. A change to the programme requeues both at once; this
// is the fallback.
const recheckNotReady = 10 * time.Minute

// The events' actions, and the reason of the one event that is no
// condition's reason.
const (
	actionReconcile                = "Reconcile"
	actionSync                     = "Sync"
	eventReasonInterventionsSynced = "InterventionsSynced"
)

// cohortScope is one pass over a cohort: the cohort, what the API server
// holds of it, and what each phase found for the next.
type cohortScope struct {
	cohort *nextstepv1alpha1.Cohort
	// base is the cohort as the API server last returned it: the pass's
	// status patch is the difference from it.
	base *nextstepv1alpha1.Cohort

	policy              rules.Policy
	programmeGeneration int64
	year                rules.AcademicYear
	today               time.Time
	// inputs and revisions are what the pass read, remembered once it is
	// applied (cohort_unchanged.go).
	inputs     passInputs
	revisions  sources.Revisions
	school     sources.School
	members    []rules.Member
	evaluation rules.Result
	// held is set when the cohort's token is one this process claimed and
	// has not used (cohort_claim.go); claimed once the pass holds a token
	// to use, which its status write then moves on to the next.
	held, claimed bool
	// applied is set once tracking applied the pass's sync.
	applied bool
	// feedSeq is how many polls of the change feeds were applied when the
	// pass began (cohort_unchanged.go).
	feedSeq uint64

	// result labels the pass in nextstep_reconciles_total.
	result string
	// requeueAfter is when the cohort is next reconciled, unless the pass
	// fails (then it backs off).
	requeueAfter time.Duration
	// removeForceSync is set once a sync forced by the annotation is
	// applied: the annotation goes once the status shows it.
	removeForceSync bool
}

// cohortPhase is one step of a pass. It returns done when the pass ends
// there, and an error saying what failed.
type cohortPhase func(ctx context.Context, s *cohortScope) (done bool, err error)

// Reconcile runs one pass over a cohort: resolve its programme, pass over
// the cohort if nothing it reads changed since its last applied pass, claim
// a pass token (the fencing write, unless the last pass's status write
// claimed it), read one complete snapshot, evaluate
// the rules and sync the desired interventions. Metrics and events are set as
// each phase decides; the status is written once, when the pass ends,
// and only if it changed. The cohort comes back after the resync interval.
func (r *CohortReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	start := time.Now()
	cohort := &nextstepv1alpha1.Cohort{}
	if err := r.Get(ctx, req.NamespacedName, cohort); err != nil {
		if apierrors.IsNotFound(err) {
			r.Metrics.Forget(req.Namespace, req.Name)
			r.lastPasses.forget(req.NamespacedName)
			r.claims.forget(req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	s := &cohortScope{cohort: cohort, base: cohort.DeepCopy(), result: metrics.ResultError, requeueAfter: recheckNotReady,
		held: r.claims.take(cohort, req.NamespacedName)}
	defer func() {
		r.Metrics.Reconciles.WithLabelValues(s.result).Inc()
		r.Metrics.ReconcileDuration.WithLabelValues().Observe(time.Since(start).Seconds())
	}()
	defer func() {
		err := r.writeBack(ctx, s)
		if err == nil && (s.held || s.claimed) {
			r.claims.hold(s.cohort, req.NamespacedName)
		}
		r.rememberPass(s, err == nil)
		if err != nil {
			if s.result == metrics.ResultSynced {
				// The sync is applied but the cohort does not show it:
				// the pass failed, and is retried.
				s.result = metrics.ResultError
			}
			retErr = errors.Join(retErr, err)
		}
		if retErr != nil {
			// controller-runtime ignores RequeueAfter beside an error: the
			// pass is retried with backoff.
			result = ctrl.Result{}
		}
	}()

	for _, phase := range []cohortPhase{r.resolveProgramme, r.passOverUnchanged, r.claimPass, r.readSnapshot, r.evaluate, r.syncInterventions} {
		done, err := phase(ctx, s)
		if err != nil {
			return ctrl.Result{}, err
		}
		if done {
			break
		}
	}
	return ctrl.Result{RequeueAfter: s.requeueAfter}, nil
}

// writeBack makes the pass's writes: the status, in one patch and only if
// it changed, then the removal of a force-sync annotation whose sync was
// applied. A pass that used a token claims the next pass's in the same
// patch (cohort_claim.go). The patch carries base's resourceVersion (the
// claim's, once the pass has claimed in a write of its own), so it fails,
// as an update would, if the cohort changed since: a newer pass's status is
// never overwritten by an older one's, and no two operators claim the same
// token.
func (r *CohortReconciler) writeBack(ctx context.Context, s *cohortScope) error {
	if s.claimed {
		s.cohort.Status.PassToken++
	}
	if !equality.Semantic.DeepEqual(s.base.Status, s.cohort.Status) {
		patch := client.MergeFromWithOptions(s.base, client.MergeFromWithOptimisticLock{})
		if err := r.Status().Patch(ctx, s.cohort, patch); err != nil {
			return fmt.Errorf("write cohort status: %w", err)
		}
	}
	if s.removeForceSync {
		patch := client.MergeFrom(s.cohort.DeepCopy())
		delete(s.cohort.Annotations, ForceSyncAnnotation)
		if err := r.Patch(ctx, s.cohort, patch); err != nil {
			return fmt.Errorf("remove %s: %w", ForceSyncAnnotation, err)
		}
	}
	return nil
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

// today is the rules' date.
func (r *CohortReconciler) today() time.Time { return rules.Day(r.now()) }

func (s *cohortScope) key() types.NamespacedName { return client.ObjectKeyFromObject(s.cohort) }

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
	// Status writes (the pass's status, and a claim when the operator
	// holds none) must not trigger another pass: only spec and annotation changes do,
	// and the change feed, besides the resync interval.
	b := ctrl.NewControllerManagedBy(mgr).
		For(&nextstepv1alpha1.Cohort{}, builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		Watches(&nextstepv1alpha1.Programme{}, handler.EnqueueRequestsFromMapFunc(r.cohortsOf), builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Named("cohort")
	if r.FeedInterval > 0 && r.Changes != nil {
		queue := make(chan event.GenericEvent, 1024)
		feed := &changeFeed{source: r.Changes, passes: &r.lastPasses, interval: r.FeedInterval, queue: queue,
			log: mgr.GetLogger().WithName("change-feed")}
		if err := mgr.Add(feed); err != nil {
			return err
		}
		b = b.WatchesRawSource(source.Channel(queue, &handler.EnqueueRequestForObject{}))
	}
	return b.Complete(r)
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
