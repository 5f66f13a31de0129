package controller

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/rules"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
)

// Labels on generated cohorts, for selection with kubectl.
const (
	LabelProgramme = "nextstep.uk/programme"
	LabelSchoolURN = "nextstep.uk/school-urn"
	LabelLACode    = "nextstep.uk/la-code"
	LabelYearGroup = "nextstep.uk/year-group"
)

// SchoolLister lists the schools the pupil service knows.
type SchoolLister interface {
	Schools(ctx context.Context) ([]sources.School, error)
}

// ProgrammeReconciler generates a Programme's cohorts: one per open school
// it covers and year group, owned by the programme, so a region's cohorts
// are never written by hand. Cohorts of schools it no longer covers are
// deleted.
type ProgrammeReconciler struct {
	client.Client
	Schools SchoolLister
}

// +kubebuilder:rbac:groups=nextstep.uk,resources=programmes,verbs=get;list;watch
// +kubebuilder:rbac:groups=nextstep.uk,resources=programmes/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=nextstep.uk,resources=cohorts,verbs=get;list;watch;create;delete

// Reconcile plans the programme's cohorts from the schools it covers and
// those that exist, creates what is missing and deletes what it no longer
// covers. The status is written once, when the pass ends, and only if it
// changed.
func (r *ProgrammeReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	p := &nextstepv1alpha1.Programme{}
	if err := r.Get(ctx, req.NamespacedName, p); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	base := p.DeepCopy()
	defer func() {
		if err := r.writeStatus(ctx, base, p); err != nil {
			result, retErr = ctrl.Result{}, errors.Join(retErr, err)
		}
	}()

	if missing := rules.MissingDefaults(p.Spec); len(missing) > 0 {
		// Neither create nor delete: with no year groups, every cohort
		// would look unwanted.
		markNotGenerated(p, nextstepv1alpha1.ConditionReasonInvalidSpec, missingDefaultsMessage(p.Name, missing))
		return ctrl.Result{RequeueAfter: recheckNotReady}, nil
	}
	all, err := r.Schools.Schools(ctx)
	if err != nil {
		markNotGenerated(p, nextstepv1alpha1.ConditionReasonSourceUnavailable, err.Error())
		return ctrl.Result{}, fmt.Errorf("list schools: %w", err)
	}
	schools := Covered(p.Spec.Schools, all)
	desired := DesiredCohorts(p, schools)
	var existing nextstepv1alpha1.CohortList
	if err := r.List(ctx, &existing, client.InNamespace(p.Namespace), client.MatchingLabels{LabelProgramme: p.Name}); err != nil {
		return ctrl.Result{}, fmt.Errorf("list cohorts: %w", err)
	}
	if err := r.apply(ctx, p, planCohorts(p, desired, existing.Items)); err != nil {
		return ctrl.Result{}, err
	}
	markGenerated(p, len(schools), len(desired))
	return ctrl.Result{RequeueAfter: time.Duration(p.Spec.ResyncIntervalSeconds) * time.Second}, nil
}

// apply carries out a plan. The list it was made from comes from the
// cache, which may not have seen a cohort created a moment ago: one that
// exists already is kept, not an error.
func (r *ProgrammeReconciler) apply(ctx context.Context, p *nextstepv1alpha1.Programme, plan cohortPlan) error {
	for _, c := range plan.Create {
		if err := controllerutil.SetControllerReference(p, c, r.Scheme()); err != nil {
			return fmt.Errorf("own cohort %s: %w", c.Name, err)
		}
		if err := r.Create(ctx, c); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create cohort %s: %w", c.Name, err)
		}
	}
	for _, c := range plan.Delete {
		if err := client.IgnoreNotFound(r.Delete(ctx, c)); err != nil {
			return fmt.Errorf("delete cohort %s: %w", c.Name, err)
		}
	}
	return nil
}

// writeStatus writes the programme's status if the pass changed it. A merge
// patch without a resourceVersion: only the operator writes this status,
// so a stale cache must not fail the write.
func (r *ProgrammeReconciler) writeStatus(ctx context.Context, base, p *nextstepv1alpha1.Programme) error {
	if equality.Semantic.DeepEqual(base.Status, p.Status) {
		return nil
	}
	if err := r.Status().Patch(ctx, p, client.MergeFrom(base)); err != nil {
		return fmt.Errorf("write programme status: %w", err)
	}
	return nil
}

// SetupWithManager registers the reconciler with mgr.
func (r *ProgrammeReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&nextstepv1alpha1.Programme{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		// A cohort deleted by hand is made again; its status updates are
		// no concern of the programme's.
		Owns(&nextstepv1alpha1.Cohort{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Named("programme").
		Complete(r)
}
