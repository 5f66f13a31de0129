package controller

import (
	"context"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
)

// DefaultChangeFeedInterval is how often the services' change feeds are
// read: a write reaches its cohort's pass within about that.
const DefaultChangeFeedInterval = time.Second

// ChangeSource is what the change feed reads; sources.Clients implements
// it over Connect.
type ChangeSource interface {
	Changes(ctx context.Context, after sources.Positions) (sources.Changes, sources.Positions, error)
}

// changeFeed follows the services' change feeds (kit/changefeed) for the
// cohort reconciler, as the leader: every interval it reads what moved
// since its last read, forgets each remembered pass that read any of it
// and queues that cohort at once. A pass over a cohort whose remembered
// pass stands is then passed over without a call (cohort_unchanged.go).
// A write the feed has not read yet when a pass is passed over is read at
// the next poll, which queues the cohort: a write reaches a pass within
// about one interval, not the resync interval. The positions are the
// services' and are kept in memory: a new leader starts from now, and
// remembers no pass either.
type changeFeed struct {
	source   ChangeSource
	passes   *lastPasses
	interval time.Duration
	queue    chan<- event.GenericEvent
	log      logr.Logger
}

// NeedLeaderElection: only the leader reconciles, so only it follows.
func (f *changeFeed) NeedLeaderElection() bool { return true }

// Start polls until ctx ends. A failed poll moves no position, so the next
// one reads what it would have; while none succeeds, passes are no longer
// passed over on the feed's word (feedStaleAfter) but compare revisions.
func (f *changeFeed) Start(ctx context.Context) error {
	var at sources.Positions
	ticker := time.NewTicker(f.interval)
	defer ticker.Stop()
	failing := false
	for {
		began := time.Now()
		changes, next, err := f.source.Changes(ctx, at)
		switch {
		case err != nil && ctx.Err() != nil:
			return nil
		case err != nil:
			if !failing {
				f.log.Info("change feed unread; passes compare revisions until it is read again", "error", err.Error())
			}
			failing = true
		default:
			if failing {
				f.log.Info("change feed read again")
			}
			failing = false
			at = next
			for _, key := range f.passes.apply(began, changes) {
				cohort := &nextstepv1alpha1.Cohort{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name}}
				select {
				case f.queue <- event.GenericEvent{Object: client.Object(cohort)}:
				case <-ctx.Done():
					return nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}

// feedStaleAfter is how long after the last poll began its word stands:
// three intervals, so that one slow or failed poll does not turn every
// pass into a read of revisions. Zero with no feed.
func (r *CohortReconciler) feedStaleAfter() time.Duration {
	return 3 * r.FeedInterval
}
