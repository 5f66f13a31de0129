package controller

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/nextstep-uk/nextstep/operator/internal/rules"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
	"github.com/nextstep-uk/nextstep/operator/metrics"
)

// A pass that would find nothing new is passed over: the operator
// remembers, in memory, what each cohort's last applied pass read, and a
// pass whose inputs and revisions are all as they were ends there, with no
// claim, no snapshot, no sync and no status write. While the services'
// change feeds are followed (cohort_feed.go), a remembered pass stands
// until a feed names what it read, and passing over takes no call; else
// the pass reads the revisions (three small calls) and compares.
// docs/design.md, "The incremental pass", says why.

// passInputs are what a pass reads besides the services' records.
type passInputs struct {
	// day is the rules' date: the first pass of each day is full.
	day time.Time
	// The programme's and the cohort's generations: a spec change.
	programme, cohort int64
	// passToken is the token the pass claimed: any other pass since, from
	// this operator or another, leaves it different.
	passToken int64
	// force is the force-sync annotation's value.
	force string
}

// lastPass is what a cohort's last applied pass read.
type lastPass struct {
	inputs    passInputs
	revisions sources.Revisions
	// urn and trackingKey are the cohort's school and tracking's key for
	// it, which the change feeds name.
	urn, trackingKey string
	// feedSeq is how many polls of the change feeds had been applied when
	// the pass began: those after it may name what it read.
	feedSeq uint64
	// pupilIDs are its members, whose revisions the next pass reads: 16
	// bytes each, not a 36-character string (a region's 300,000 members
	// in some 5 MiB rather than 20).
	pupilIDs []uuid.UUID
}

// compactIDs are the members' ids in 16 bytes each; ok is false if one is
// not a UUID (the pupil service's never are not).
func compactIDs(members []rules.Member) (ids []uuid.UUID, ok bool) {
	ids = make([]uuid.UUID, len(members))
	for i, m := range members {
		id, err := uuid.Parse(m.PupilID)
		if err != nil {
			return nil, false
		}
		ids[i] = id
	}
	return ids, true
}

// strings are the ids as the services take them, in lower case.
func idStrings(ids []uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}

// lastPasses remembers each cohort's last applied pass. It lives as long as
// the process: a restart, or a new leader, remembers nothing, so its first
// pass over each cohort is full.
type lastPasses struct {
	mu     sync.Mutex
	passes map[types.NamespacedName]lastPass
	// feedSeq counts the polls of the change feeds applied, the last of
	// which began at feedAt; recent are the latest polls that named
	// anything, oldest first, for the passes under way when they were
	// applied, and dropped the last poll no longer kept.
	feedSeq uint64
	feedAt  time.Time
	recent  []polled
	dropped uint64
}

// polled is one applied poll of the change feeds.
type polled struct {
	seq     uint64
	changes sources.Changes
}

// recentPolls is how many polls' changes are kept for the passes under
// way: a pass under way across more polls that named anything is not
// remembered (its next pass is full).
const recentPolls = 32

func (l *lastPasses) get(key types.NamespacedName) (lastPass, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	p, ok := l.passes[key]
	return p, ok
}

// remember records p, unless a poll applied since p began names what it
// read (or p began before the polls still kept): what p read may be
// stale, so its cohort's next pass must be full.
func (l *lastPasses) remember(key types.NamespacedName, p lastPass) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if p.feedSeq < l.feedSeq {
		if l.dropped > p.feedSeq {
			delete(l.passes, key)
			return
		}
		for _, r := range l.recent {
			if r.seq > p.feedSeq && names(r.changes, p) {
				delete(l.passes, key)
				return
			}
		}
	}
	if l.passes == nil {
		l.passes = map[types.NamespacedName]lastPass{}
	}
	l.passes[key] = p
}

// feed says how many polls have been applied, and whether the last began
// within staleAfter of now: then a remembered pass no poll named stands.
func (l *lastPasses) feed(now time.Time, staleAfter time.Duration) (seq uint64, live bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.feedSeq, l.feedSeq > 0 && now.Sub(l.feedAt) <= staleAfter
}

// apply records a poll of the change feeds that began at began: it
// forgets every remembered pass the changes name and returns their
// cohorts, whose next pass is then full.
func (l *lastPasses) apply(began time.Time, changes sources.Changes) []types.NamespacedName {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.feedSeq++
	l.feedAt = began
	if changes.Empty() {
		return nil
	}
	l.recent = append(l.recent, polled{seq: l.feedSeq, changes: changes})
	if n := len(l.recent) - recentPolls; n > 0 {
		l.dropped = l.recent[n-1].seq
		l.recent = slices.Delete(l.recent, 0, n)
	}
	var named []types.NamespacedName
	for key, p := range l.passes {
		if names(changes, p) {
			delete(l.passes, key)
			named = append(named, key)
		}
	}
	return named
}

// names tells whether the changes name anything the pass read: its school,
// a member, or its cohort's tasks or last pass token, unless they are as
// its own sync left them.
func names(c sources.Changes, p lastPass) bool {
	if c.Everything || c.Schools[p.urn] {
		return true
	}
	if k, ok := c.Cohorts[p.trackingKey]; ok && k != (sources.CohortRevision{Tasks: p.revisions.Tasks, LastPassToken: p.revisions.LastPassToken}) {
		return true
	}
	if len(c.Pupils) > 0 {
		for _, id := range p.pupilIDs {
			if c.Pupils[id] {
				return true
			}
		}
	}
	return false
}

func (l *lastPasses) forget(key types.NamespacedName) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.passes, key)
}

// passOverUnchanged ends the pass when the cohort's last applied pass read
// the same inputs and the same revisions as the services report now. The
// cohort's metrics stand; its last-sync time says it is known in sync now.
// A revision that cannot be read makes the pass full, which reports the
// failure as it does any other.
func (r *CohortReconciler) passOverUnchanged(ctx context.Context, s *cohortScope) (bool, error) {
	c := s.cohort
	s.today = r.today()
	s.inputs = passInputs{day: s.today, programme: s.programmeGeneration, cohort: c.Generation,
		passToken: c.Status.PassToken, force: c.Annotations[ForceSyncAnnotation]}
	// Before anything is read: a poll applied from here on may name it.
	seq, live := r.lastPasses.feed(time.Now(), r.feedStaleAfter())
	s.feedSeq = seq
	last, ok := r.lastPasses.get(s.key())
	if !ok || last.inputs != s.inputs {
		return false, nil
	}
	if !live {
		rev, err := r.Sources.Revisions(ctx, CohortKey(c), c.Spec.SchoolURN, idStrings(last.pupilIDs))
		if err != nil {
			log.FromContext(ctx).V(1).Info("revisions unread; the pass is full", "error", err.Error())
			return false, nil
		}
		if rev != last.revisions {
			return false, nil
		}
	}
	s.result = metrics.ResultUnchanged
	// To the millisecond: the region benchmark times a pass over
	// unchanged cohorts, which makes no call, by it.
	r.Metrics.SetLastSync(c.Namespace, c.Name, yearGroupLabel(c), r.now())
	return true, nil
}

// rememberPass records an applied pass for the next to compare with, or
// forgets the cohort's last when this pass applied nothing: a held, fenced
// or failed pass, or one whose status was not written.
func (r *CohortReconciler) rememberPass(s *cohortScope, written bool) {
	if s.result == metrics.ResultUnchanged {
		return
	}
	ids, ok := compactIDs(s.members)
	if !s.applied || !written || !ok {
		r.lastPasses.forget(s.key())
		return
	}
	s.inputs.passToken = s.cohort.Status.PassToken
	r.lastPasses.remember(s.key(), lastPass{inputs: s.inputs, revisions: s.revisions, pupilIDs: ids,
		urn: s.cohort.Spec.SchoolURN, trackingKey: CohortKey(s.cohort), feedSeq: s.feedSeq})
}
