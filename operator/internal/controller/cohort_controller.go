// Package controller holds the operator's reconcilers.
package controller

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
)

// CohortReconciler reconciles a Cohort's desired state against the records.
type CohortReconciler struct {
	client.Client
}

// +kubebuilder:rbac:groups=nextstep.uk,resources=cohorts,verbs=get;list;watch
// +kubebuilder:rbac:groups=nextstep.uk,resources=cohorts/status,verbs=get;update;patch

// Reconcile implements reconcile.Reconciler.
func (r *CohortReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var cohort nextstepv1alpha1.Cohort
	if err := r.Get(ctx, req.NamespacedName, &cohort); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	log.FromContext(ctx).V(1).Info("reconciling cohort", "generation", cohort.Generation)

	before := cohort.Status.DeepCopy()
	cohort.Status.ObservedGeneration = cohort.Generation
	meta.SetStatusCondition(&cohort.Status.Conditions, metav1.Condition{
		Type:               nextstepv1alpha1.ConditionReady,
		Status:             metav1.ConditionTrue,
		Reason:             "Accepted",
		Message:            "The cohort's spec is valid.",
		ObservedGeneration: cohort.Generation,
	})
	if equality.Semantic.DeepEqual(before, &cohort.Status) {
		return ctrl.Result{}, nil
	}
	if err := r.Status().Update(ctx, &cohort); err != nil {
		return ctrl.Result{}, fmt.Errorf("write cohort status: %w", err)
	}
	return ctrl.Result{}, nil
}

// SetupWithManager registers the reconciler with mgr.
func (r *CohortReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&nextstepv1alpha1.Cohort{}).
		Named("cohort").
		Complete(r)
}
