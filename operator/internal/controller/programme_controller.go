package controller

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

// Reconcile implements reconcile.Reconciler.
func (r *ProgrammeReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var p nextstepv1alpha1.Programme
	if err := r.Get(ctx, req.NamespacedName, &p); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	resync := rules.DefaultResync
	if p.Spec.ResyncInterval != nil && p.Spec.ResyncInterval.Duration > 0 {
		resync = p.Spec.ResyncInterval.Duration
	}
	all, err := r.Schools.Schools(ctx)
	if err != nil {
		return ctrl.Result{}, r.setStatus(ctx, &p, 0, 0, metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonSourceUnavailable, err.Error(), err)
	}
	schools := Covered(p.Spec.Schools, all)
	desired := DesiredCohorts(&p, schools)

	var existing nextstepv1alpha1.CohortList
	if err := r.List(ctx, &existing, client.InNamespace(p.Namespace), client.MatchingLabels{LabelProgramme: p.Name}); err != nil {
		return ctrl.Result{}, fmt.Errorf("list cohorts: %w", err)
	}
	for _, c := range desired {
		if err := controllerutil.SetControllerReference(&p, c, r.Scheme()); err != nil {
			return ctrl.Result{}, err
		}
		if err := r.Create(ctx, c); err != nil && !apierrors.IsAlreadyExists(err) {
			return ctrl.Result{}, fmt.Errorf("create cohort %s: %w", c.Name, err)
		}
	}
	for i := range existing.Items {
		c := &existing.Items[i]
		wanted := slices.ContainsFunc(desired, func(d *nextstepv1alpha1.Cohort) bool { return d.Name == c.Name })
		if !wanted && metav1.IsControlledBy(c, &p) {
			if err := r.Delete(ctx, c); client.IgnoreNotFound(err) != nil {
				return ctrl.Result{}, fmt.Errorf("delete cohort %s: %w", c.Name, err)
			}
		}
	}
	msg := fmt.Sprintf("%d cohorts for %d schools.", len(desired), len(schools))
	return requeue(resync, r.setStatus(ctx, &p, len(schools), len(desired), metav1.ConditionTrue, nextstepv1alpha1.ConditionReasonGenerated, msg, nil))
}

func (r *ProgrammeReconciler) setStatus(ctx context.Context, p *nextstepv1alpha1.Programme, schools, cohorts int, status metav1.ConditionStatus, reason, message string, cause error) error {
	orig := p.DeepCopy()
	p.Status.ObservedGeneration = p.Generation
	if cause == nil {
		p.Status.Schools, p.Status.Cohorts = int32(schools), int32(cohorts)
	}
	meta.SetStatusCondition(&p.Status.Conditions, metav1.Condition{
		Type: nextstepv1alpha1.ConditionCohortsGenerated, Status: status, Reason: reason, Message: message, ObservedGeneration: p.Generation,
	})
	if equality.Semantic.DeepEqual(orig.Status, p.Status) {
		return cause
	}
	// A merge patch: only the operator writes this status, so a stale cache
	// must not fail the write.
	if err := r.Status().Patch(ctx, p, client.MergeFrom(orig)); err != nil {
		return errors.Join(cause, fmt.Errorf("write programme status: %w", err))
	}
	return cause
}

// Covered returns the open schools a selector picks, in URN order.
func Covered(sel nextstepv1alpha1.SchoolSelector, all []sources.School) []sources.School {
	var out []sources.School
	for _, s := range all {
		if s.Open && (slices.Contains(sel.URNs, s.URN) || slices.Contains(sel.LACodes, s.LACode)) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b sources.School) int {
		switch {
		case a.URN < b.URN:
			return -1
		case a.URN > b.URN:
			return 1
		}
		return 0
	})
	return out
}

// DesiredCohorts are the cohorts a programme wants for schools.
func DesiredCohorts(p *nextstepv1alpha1.Programme, schools []sources.School) []*nextstepv1alpha1.Cohort {
	var out []*nextstepv1alpha1.Cohort
	for _, s := range schools {
		for _, yg := range rules.YearGroups(p.Spec) {
			out = append(out, &nextstepv1alpha1.Cohort{
				ObjectMeta: metav1.ObjectMeta{
					Namespace: p.Namespace,
					Name:      fmt.Sprintf("%s-%s-y%d", p.Name, s.URN, yg),
					Labels: map[string]string{
						LabelProgramme: p.Name, LabelSchoolURN: s.URN, LabelLACode: s.LACode, LabelYearGroup: strconv.Itoa(int(yg)),
					},
				},
				Spec: nextstepv1alpha1.CohortSpec{SchoolURN: s.URN, YearGroup: yg, AcademicYear: p.Spec.AcademicYear, Programme: p.Name},
			})
		}
	}
	return out
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
