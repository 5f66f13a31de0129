package e2e_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/metrics"
)

// A full pass after the first writes the Cohort once: its status write
// claims the next pass's token, so the next pass makes no claim of its
// own. Each write moves the token by one, as a claim per pass did.
func TestFullPassWritesTheCohortOnce(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	s.seed(t)
	s.startManager(t, false)
	s.applyProgramme(t)
	s.waitForTasks(t, firstPass)
	ctx := context.Background()

	// settled waits until two more passes (resynced every second) have
	// been passed over, so no full pass is under way, and returns the
	// cohort then.
	settled := func() *nextstepv1alpha1.Cohort {
		t.Helper()
		unchanged := func() float64 {
			return testutil.ToFloat64(s.metrics[0].Reconciles.WithLabelValues(metrics.ResultUnchanged))
		}
		before := unchanged()
		eventually(t, 30*time.Second, func() error {
			if n := unchanged(); n < before+2 {
				return fmt.Errorf("%v passes passed over, want 2 more than %v", n, before)
			}
			return nil
		})
		c, err := s.cohort(t)
		check(t, "get cohort", err)
		return c
	}
	first := settled()

	watcher, err := client.NewWithWatch(restConfig, client.Options{Scheme: scheme})
	check(t, "watch client", err)
	w, err := watcher.Watch(ctx, &nextstepv1alpha1.CohortList{}, client.InNamespace(s.ns),
		client.MatchingFields{"metadata.name": first.Name}, &client.ListOptions{Raw: &metav1.ListOptions{ResourceVersion: first.ResourceVersion}})
	check(t, "watch the cohort", err)
	defer w.Stop()

	// A caseworker takes a task, which makes the cohort's next pass full.
	s.assignTask(t)
	eventually(t, 30*time.Second, func() error {
		c, err := s.cohort(t)
		if err != nil {
			return err
		}
		if c.Status.PassToken <= first.Status.PassToken {
			return fmt.Errorf("pass token still %d", c.Status.PassToken)
		}
		return nil
	})
	last := settled()

	writes := 0
	for done := false; !done; {
		select {
		case e := <-w.ResultChan():
			if e.Type != watch.Modified {
				t.Fatalf("watch event %s: %v", e.Type, e.Object)
			}
			writes++
			if c := e.Object.(*nextstepv1alpha1.Cohort); c.ResourceVersion == last.ResourceVersion {
				done = true
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("the watch did not reach resourceVersion %s after %d writes", last.ResourceVersion, writes)
		}
	}
	passes := int(last.Status.PassToken - first.Status.PassToken)
	if passes < 1 || writes != passes {
		t.Fatalf("%d full passes (pass token %d to %d) wrote the cohort %d times, want once each",
			passes, first.Status.PassToken, last.Status.PassToken, writes)
	}
}
