package main

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
)

// demoNamespace holds the development region's programmes and cohorts.
const demoNamespace = "nextstep"

// applyProgrammes declares the region's desired state: this year's
// programme for Years 7 to 11, last year's, kept for its Year 11 leavers'
// destinations, and this year's post-16 programme for Years 12 and 13,
// whose activity must be known (and current) from the start of the year.
func applyProgrammes(ctx context.Context, cfg *rest.Config, today time.Time) (client.Client, error) {
	c, err := kubeClient(cfg)
	if err != nil {
		return nil, err
	}
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: demoNamespace}}); err != nil && !apierrors.IsAlreadyExists(err) {
		return nil, fmt.Errorf("create namespace: %w", err)
	}
	year := academicyear.Containing(today)
	las := nextstepv1alpha1.SchoolSelector{LACodes: []string{"336", "332"}}
	const resync = 30 // seconds
	for _, p := range []*nextstepv1alpha1.Programme{
		{
			ObjectMeta: metav1.ObjectMeta{Namespace: demoNamespace, Name: fmt.Sprintf("wmca-%d", year.Start)},
			Spec:       nextstepv1alpha1.ProgrammeSpec{AcademicYear: year.String(), Schools: las, ResyncIntervalSeconds: resync},
		},
		{
			ObjectMeta: metav1.ObjectMeta{Namespace: demoNamespace, Name: fmt.Sprintf("wmca-%d-leavers", year.Start-1)},
			Spec:       nextstepv1alpha1.ProgrammeSpec{AcademicYear: year.Plus(-1).String(), Schools: las, YearGroups: []int32{11}, ResyncIntervalSeconds: resync},
		},
		{
			ObjectMeta: metav1.ObjectMeta{Namespace: demoNamespace, Name: fmt.Sprintf("wmca-%d-post16", year.Start)},
			Spec: nextstepv1alpha1.ProgrammeSpec{
				AcademicYear: year.String(), Schools: las, YearGroups: []int32{12, 13}, ResyncIntervalSeconds: resync,
				DestinationDeadlines: []nextstepv1alpha1.DestinationDeadline{
					{YearGroup: 12, Date: "09-01", LeadDays: ptr.To[int32](0)},
					{YearGroup: 13, Date: "09-01", LeadDays: ptr.To[int32](0)},
				},
				// Post-16 has no work-experience trajectory to keep to.
				Rules: []nextstepv1alpha1.InterventionRule{{Reason: nextstepv1alpha1.ReasonBehindTrajectory, Enabled: ptr.To(false)}},
			},
		},
	} {
		if err := c.Create(ctx, p); err != nil && !apierrors.IsAlreadyExists(err) {
			return nil, fmt.Errorf("create programme %s: %w", p.Name, err)
		}
	}
	return c, nil
}

// kubeClient is a client of the API server that knows nextstep's kinds.
func kubeClient(cfg *rest.Config) (client.Client, error) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if err := nextstepv1alpha1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	return client.New(cfg, client.Options{Scheme: scheme})
}

// waitForCohorts reports progress until every cohort has synced once.
func waitForCohorts(ctx context.Context, c client.Client, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	last := -1
	for {
		var list nextstepv1alpha1.CohortList
		if err := c.List(ctx, &list, client.InNamespace(demoNamespace)); err != nil {
			return err
		}
		synced := 0
		for _, co := range list.Items {
			if co.Status.LastSyncTime != nil {
				synced++
			}
		}
		if synced != last {
			fmt.Printf("      %d of %d cohorts reconciled\n", synced, len(list.Items))
			last = synced
		}
		if len(list.Items) > 0 && synced == len(list.Items) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d cohorts reconciled after %s; see .run/logs/operator.log", synced, len(list.Items), timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}
