package controller

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"k8s.io/apimachinery/pkg/types"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/rules"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
	"github.com/nextstep-uk/nextstep/operator/metrics"
)

// remembered is a pass over school 136001's cohort wmca/wmca-136001-y9,
// with members idA and idB, whose sync left tasks revision 7 at token 5;
// it began after seq polls.
func remembered(seq uint64) lastPass {
	return lastPass{
		revisions:   sources.Revisions{School: 4, Credits: 30, Destinations: 2, Tasks: 7, LastPassToken: 5},
		pupilIDs:    []uuid.UUID{uuid.MustParse(idA), uuid.MustParse(idB)},
		urn:         "136001",
		trackingKey: "wmca/wmca-136001-y9",
		feedSeq:     seq,
	}
}

var cohortKey = types.NamespacedName{Namespace: "wmca", Name: "wmca-136001-y9"}

// changes builds a poll's changes.
func changes(f func(c *sources.Changes)) sources.Changes {
	c := sources.Changes{Schools: map[string]bool{}, Pupils: map[uuid.UUID]bool{}, Cohorts: map[string]sources.CohortRevision{}}
	if f != nil {
		f(&c)
	}
	return c
}

// What a poll of the change feeds names forgets the remembered pass that
// read it, and queues its cohort; what it did not read leaves it, as do
// the cohort's own sync's writes.
func TestFeedNamesRememberedPasses(t *testing.T) {
	cases := []struct {
		name   string
		change func(c *sources.Changes)
		named  bool
	}{
		{name: "nothing moved"},
		{name: "another school", change: func(c *sources.Changes) { c.Schools["136002"] = true }},
		{name: "another pupil", change: func(c *sources.Changes) { c.Pupils[uuid.New()] = true }},
		{name: "another cohort's tasks", change: func(c *sources.Changes) {
			c.Cohorts["wmca/wmca-136001-y10"] = sources.CohortRevision{Tasks: 1, LastPassToken: 1}
		}},
		{name: "its own sync", change: func(c *sources.Changes) {
			c.Cohorts["wmca/wmca-136001-y9"] = sources.CohortRevision{Tasks: 7, LastPassToken: 5}
		}},
		{name: "its school", change: func(c *sources.Changes) { c.Schools["136001"] = true }, named: true},
		{name: "a member", change: func(c *sources.Changes) { c.Pupils[uuid.MustParse(idB)] = true }, named: true},
		{name: "its tasks, by a caseworker", change: func(c *sources.Changes) {
			c.Cohorts["wmca/wmca-136001-y9"] = sources.CohortRevision{Tasks: 8, LastPassToken: 5}
		}, named: true},
		{name: "another sync", change: func(c *sources.Changes) {
			c.Cohorts["wmca/wmca-136001-y9"] = sources.CohortRevision{Tasks: 7, LastPassToken: 6}
		}, named: true},
		{name: "more than an answer lists", change: func(c *sources.Changes) { c.Everything = true }, named: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var l lastPasses
			l.remember(cohortKey, remembered(0))
			got := l.apply(time.Now(), changes(tc.change))
			_, kept := l.get(cohortKey)
			if want := tc.named; kept == want || slices.Contains(got, cohortKey) != want {
				t.Errorf("kept %v, queued %v; want named %v", kept, got, want)
			}
		})
	}
}

// A pass under way when a poll names what it read is not remembered: it
// may have read before the write. One under way across more polls than
// are kept is not either; one no poll named since it began is.
func TestFeedPassUnderWay(t *testing.T) {
	var l lastPasses
	l.apply(time.Now(), changes(nil)) // seq 1
	// The pass begins after poll 1; poll 2 names its member.
	l.apply(time.Now(), changes(func(c *sources.Changes) { c.Pupils[uuid.MustParse(idA)] = true }))
	l.remember(cohortKey, remembered(1))
	if _, ok := l.get(cohortKey); ok {
		t.Error("remembered a pass a poll since it began named")
	}
	// One that began after poll 2: polls 3.. name others.
	for range recentPolls {
		l.apply(time.Now(), changes(func(c *sources.Changes) { c.Pupils[uuid.New()] = true }))
	}
	l.remember(cohortKey, remembered(2))
	if _, ok := l.get(cohortKey); !ok {
		t.Error("forgot a pass no poll since it began named")
	}
	// Polls after 2 are kept (recentPolls of them), but one more drops 3.
	l.apply(time.Now(), changes(func(c *sources.Changes) { c.Pupils[uuid.New()] = true }))
	l.remember(cohortKey, remembered(2))
	if _, ok := l.get(cohortKey); ok {
		t.Error("remembered a pass that began before a poll no longer kept")
	}
}

// With the feed live, a remembered pass no poll named is passed over with
// no call; with the feed stale, the pass reads the revisions.
func TestPassOverWithFeed(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for name, tc := range map[string]struct {
		lastPoll   time.Duration // ago
		reads      int
		passedOver bool
	}{
		"the feed live":  {lastPoll: 0, reads: 0, passedOver: true},
		"the feed stale": {lastPoll: time.Minute, reads: 1, passedOver: true},
	} {
		t.Run(name, func(t *testing.T) {
			f := &revisionsOnly{rev: sources.Revisions{School: 4, Credits: 30, Destinations: 2, Tasks: 7, LastPassToken: 5}}
			r := &CohortReconciler{Sources: f, Metrics: metrics.New(), Now: func() time.Time { return now }, FeedInterval: time.Second}
			c := cohortAt(nextstepv1alpha1.CohortStatus{PassToken: 4})
			c.Spec.SchoolURN = "136001"
			r.lastPasses.apply(time.Now(), changes(nil))
			s := &cohortScope{cohort: c, programmeGeneration: 2}
			if _, err := r.passOverUnchanged(context.Background(), s); err != nil {
				t.Fatal(err)
			}
			c.Status.PassToken = 5
			s.members = []rules.Member{{PupilID: idA}, {PupilID: idB}}
			s.revisions, s.applied, s.result = f.rev, true, metrics.ResultSynced
			r.rememberPass(s, true)
			r.lastPasses.feedAt = time.Now().Add(-tc.lastPoll)
			f.calls = 0
			next := &cohortScope{cohort: c, programmeGeneration: 2}
			done, err := r.passOverUnchanged(context.Background(), next)
			if err != nil {
				t.Fatal(err)
			}
			if done != tc.passedOver || f.calls != tc.reads {
				t.Errorf("passed over %v with %d reads, want %v with %d", done, f.calls, tc.passedOver, tc.reads)
			}
		})
	}
}
