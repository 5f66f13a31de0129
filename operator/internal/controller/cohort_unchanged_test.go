package controller

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/rules"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
	"github.com/nextstep-uk/nextstep/operator/metrics"
)

// revisionsOnly answers Revisions alone: the decision to pass over a
// cohort is pure logic over what they return (the real services'
// revisions are tested in each service, and the whole loop end to end).
type revisionsOnly struct {
	rev   sources.Revisions
	err   error
	calls int
	ids   []string
}

func (f *revisionsOnly) Revisions(_ context.Context, _, _ string, ids []string) (sources.Revisions, error) {
	f.calls++
	f.ids = ids
	return f.rev, f.err
}
func (f *revisionsOnly) School(context.Context, string) (sources.School, error) {
	panic("not read when passing over")
}
func (f *revisionsOnly) RevisedSnapshot(context.Context, string, string, int32, int32, rules.AcademicYear, time.Time) ([]rules.Member, sources.Revisions, error) {
	panic("not read when passing over")
}
func (f *revisionsOnly) Sync(context.Context, *trackingv1.SyncInterventionsRequest) (*trackingv1.SyncInterventionsResponse, error) {
	panic("not called when passing over")
}

// The members of the applied pass.
const idA, idB = "0b8e2d5e-7d2a-4c1e-9f3a-2b6c8d0e1f2a", "5c4d3e2f-1a0b-4c9d-8e7f-6a5b4c3d2e1f"

func TestPassOverUnchanged(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	applied := sources.Revisions{School: 4, Credits: 30, Destinations: 2, Tasks: 7}
	// apply runs a pass that synced with applied's revisions, claiming
	// token 5 at generation 3 of the cohort and 2 of the programme.
	apply := func(r *CohortReconciler, c *nextstepv1alpha1.Cohort, result string, written bool) {
		s := &cohortScope{cohort: c, programmeGeneration: 2}
		if _, err := r.passOverUnchanged(context.Background(), s); err != nil {
			t.Fatal(err)
		}
		c.Status.PassToken = 5
		s.members = []rules.Member{{PupilID: idA}, {PupilID: idB}}
		s.revisions, s.applied, s.result = applied, result == metrics.ResultSynced, result
		r.rememberPass(s, written)
	}
	cases := []struct {
		name string
		// change changes the cohort, the reconciler or the revisions after
		// the applied pass.
		change     func(r *CohortReconciler, c *nextstepv1alpha1.Cohort, f *revisionsOnly)
		result     string // of the applied pass; synced if empty
		notWritten bool   // its status write failed
		passedOver bool
		reads      int // Revisions calls by the next pass
	}{
		{name: "nothing changed", passedOver: true, reads: 1},
		{name: "a service's revision moved", change: func(_ *CohortReconciler, _ *nextstepv1alpha1.Cohort, f *revisionsOnly) { f.rev.Credits++ }, reads: 1},
		{name: "the tasks moved", change: func(_ *CohortReconciler, _ *nextstepv1alpha1.Cohort, f *revisionsOnly) { f.rev.Tasks++ }, reads: 1},
		{name: "revisions unread", change: func(_ *CohortReconciler, _ *nextstepv1alpha1.Cohort, f *revisionsOnly) { f.err = errors.New("down") }, reads: 1},
		{name: "a new day", change: func(r *CohortReconciler, _ *nextstepv1alpha1.Cohort, _ *revisionsOnly) {
			r.Now = func() time.Time { return now.AddDate(0, 0, 1) }
		}},
		{name: "the cohort's spec changed", change: func(_ *CohortReconciler, c *nextstepv1alpha1.Cohort, _ *revisionsOnly) { c.Generation++ }},
		{name: "another pass claimed", change: func(_ *CohortReconciler, c *nextstepv1alpha1.Cohort, _ *revisionsOnly) { c.Status.PassToken++ }},
		{name: "force-sync set", change: func(_ *CohortReconciler, c *nextstepv1alpha1.Cohort, _ *revisionsOnly) {
			c.Annotations = map[string]string{ForceSyncAnnotation: "true"}
		}},
		{name: "the last pass was held", result: metrics.ResultHeld},
		{name: "the last pass was fenced", result: metrics.ResultFenced},
		{name: "the last status unwritten", notWritten: true},
		{name: "a member's id is not a UUID", change: func(r *CohortReconciler, c *nextstepv1alpha1.Cohort, f *revisionsOnly) {
			// A pass applied over a member whose id is not a UUID (the
			// pupil service's always are) is not remembered.
			s := &cohortScope{cohort: c, programmeGeneration: 2}
			if _, err := r.passOverUnchanged(context.Background(), s); err != nil {
				t.Fatal(err)
			}
			s.members = []rules.Member{{PupilID: idA}, {PupilID: "not-a-uuid"}}
			s.revisions, s.applied, s.result = applied, true, metrics.ResultSynced
			r.rememberPass(s, true)
			f.calls = 0
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &revisionsOnly{rev: applied}
			r := &CohortReconciler{Sources: f, Metrics: metrics.New(), Now: func() time.Time { return now }}
			c := cohortAt(nextstepv1alpha1.CohortStatus{PassToken: 4})
			result := tc.result
			if result == "" {
				result = metrics.ResultSynced
			}
			// An applied pass, then (for the pass that did not apply) the
			// one under test.
			apply(r, c, metrics.ResultSynced, true)
			if result != metrics.ResultSynced || tc.notWritten {
				apply(r, c, result, !tc.notWritten)
			}
			f.calls = 0
			if tc.change != nil {
				tc.change(r, c, f)
			}
			s := &cohortScope{cohort: c, programmeGeneration: 2, result: metrics.ResultError}
			done, err := r.passOverUnchanged(context.Background(), s)
			if err != nil {
				t.Fatal(err)
			}
			if done != tc.passedOver || (s.result == metrics.ResultUnchanged) != tc.passedOver {
				t.Errorf("passed over = %v (result %s), want %v", done, s.result, tc.passedOver)
			}
			if f.calls != tc.reads {
				t.Errorf("revisions read %d times, want %d", f.calls, tc.reads)
			}
			if tc.reads > 0 && !slices.Equal(f.ids, []string{idA, idB}) {
				t.Errorf("revisions read for %v, want the last pass's members", f.ids)
			}
			if tc.passedOver {
				if got, _ := r.Metrics.CohortValue(metrics.CohortLastSyncName, c.Namespace, c.Name); got != float64(now.Unix()) {
					t.Errorf("last sync gauge = %v, want now", got)
				}
			}
		})
	}
}
