package controller

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/rules"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
	"github.com/nextstep-uk/nextstep/operator/metrics"
)

// cohortAt is a cohort at generation 3 with status s.
func cohortAt(s nextstepv1alpha1.CohortStatus) *nextstepv1alpha1.Cohort {
	return &nextstepv1alpha1.Cohort{ObjectMeta: metav1.ObjectMeta{Namespace: "wmca", Name: "wmca-136001-y9", Generation: 3}, Status: s}
}

// condition is a condition for generation 3.
func condition(typ string, status metav1.ConditionStatus, reason, message string) metav1.Condition {
	return metav1.Condition{Type: typ, Status: status, Reason: reason, Message: message, ObservedGeneration: 3}
}

// ignoreTransitions leaves out when a condition last changed: the tables
// compare what it says.
var ignoreTransitions = cmpopts.IgnoreFields(metav1.Condition{}, "LastTransitionTime")

func TestCohortStatus(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	earlier := metav1.NewTime(now.Add(-time.Hour))
	synced := metav1.NewTime(now)
	// What an earlier pass left: a sync, counts, Ready.
	last := nextstepv1alpha1.CohortStatus{
		ObservedGeneration: 2, PassToken: 9, LastSyncTime: &earlier,
		Pupils:            nextstepv1alpha1.PupilCounts{Total: 30, OnTrack: 30},
		OpenInterventions: 5, OverdueInterventions: 1,
		Conditions: []metav1.Condition{
			{Type: nextstepv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: nextstepv1alpha1.ConditionReasonSynced, Message: "30 pupils assessed; 0 interventions raised, 0 closed as cleared.", ObservedGeneration: 2},
		},
	}
	behind := rules.Result{Counts: rules.Counts{Total: 30, OnTrack: 24, Behind: 4, DestinationUnknown: 1, AtRisk: 3}}
	res := &trackingv1.SyncInterventionsResponse{Created: 2, Closed: 1, Open: []*trackingv1.OpenCount{{Open: 4, Overdue: 1}, {Open: 3}}}
	placementDown := &sources.Error{Source: metrics.SourcePlacement, Op: "GetCreditedDays", Err: errors.New("connection refused")}
	snapshotRead := condition(nextstepv1alpha1.ConditionDataComplete, metav1.ConditionTrue, nextstepv1alpha1.ConditionReasonSnapshotRead, "Every source answered with a complete snapshot.")
	// with is last with what a pass changed.
	with := func(change func(*nextstepv1alpha1.CohortStatus)) nextstepv1alpha1.CohortStatus {
		s := *last.DeepCopy()
		s.ObservedGeneration = 3
		change(&s)
		return s
	}

	cases := map[string]struct {
		status nextstepv1alpha1.CohortStatus
		mark   func(*nextstepv1alpha1.Cohort)
		want   nextstepv1alpha1.CohortStatus
	}{
		"a programme that does not exist: Ready False, nothing else touched": {
			status: last,
			mark: func(c *nextstepv1alpha1.Cohort) {
				markNotReady(c, nextstepv1alpha1.ConditionReasonProgrammeNotFound, `Programme "wmca" does not exist in this namespace.`)
			},
			want: with(func(s *nextstepv1alpha1.CohortStatus) {
				s.Conditions = []metav1.Condition{condition(nextstepv1alpha1.ConditionReady, metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonProgrammeNotFound, `Programme "wmca" does not exist in this namespace.`)}
			}),
		},
		"a new cohort whose programme is invalid": {
			mark: func(c *nextstepv1alpha1.Cohort) {
				markNotReady(c, nextstepv1alpha1.ConditionReasonInvalidProgramme, "destinationDeadlines[yearGroup=11]: date \"13-01\" is not MM-DD")
			},
			want: nextstepv1alpha1.CohortStatus{ObservedGeneration: 3, Conditions: []metav1.Condition{
				condition(nextstepv1alpha1.ConditionReady, metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonInvalidProgramme, "destinationDeadlines[yearGroup=11]: date \"13-01\" is not MM-DD"),
			}},
		},
		"a source down: DataComplete names it, the last counts and sync stay": {
			status: last,
			mark:   func(c *nextstepv1alpha1.Cohort) { markDataIncomplete(c, placementDown) },
			want: with(func(s *nextstepv1alpha1.CohortStatus) {
				s.Conditions = []metav1.Condition{
					condition(nextstepv1alpha1.ConditionReady, metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonDataIncomplete, "The last pass could not read a complete snapshot; see DataComplete."),
					condition(nextstepv1alpha1.ConditionDataComplete, metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonSourceUnavailable,
						"Reading placement failed, so nothing was changed: placement GetCreditedDays: connection refused"),
				}
			}),
		},
		"a failure no source claims": {
			mark: func(c *nextstepv1alpha1.Cohort) { markDataIncomplete(c, errors.New("context deadline exceeded")) },
			want: nextstepv1alpha1.CohortStatus{ObservedGeneration: 3, Conditions: []metav1.Condition{
				condition(nextstepv1alpha1.ConditionDataComplete, metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonSourceUnavailable,
					"Reading unknown failed, so nothing was changed: context deadline exceeded"),
				condition(nextstepv1alpha1.ConditionReady, metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonDataIncomplete, "The last pass could not read a complete snapshot; see DataComplete."),
			}},
		},
		"held: this pass's counts, the last sync's interventions": {
			status: last,
			mark:   func(c *nextstepv1alpha1.Cohort) { markSyncHeld(c, behind.Counts) },
			want: with(func(s *nextstepv1alpha1.CohortStatus) {
				s.Pupils = nextstepv1alpha1.PupilCounts{Total: 30, OnTrack: 24, Behind: 4, DestinationUnknown: 1, AtRisk: 3}
				s.Conditions = []metav1.Condition{
					condition(nextstepv1alpha1.ConditionReady, metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonSyncHeld,
						"Tracking held the sync because it would close too many open interventions at once. Check the source data, then annotate the cohort nextstep.uk/force-sync=true to apply it."),
					snapshotRead,
				}
			}),
		},
		"fenced: names the pass tracking applied": {
			status: last,
			mark: func(c *nextstepv1alpha1.Cohort) {
				markSyncFenced(c, &sources.StalePassError{Last: 1009, Err: errors.New("stale")})
			},
			want: with(func(s *nextstepv1alpha1.CohortStatus) {
				s.Conditions = []metav1.Condition{condition(nextstepv1alpha1.ConditionReady, metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonSyncFenced,
					"Tracking has applied pass 1009 to this cohort, later than its pass token 9, which no operator in this cluster claimed; every sync is refused until status.passToken is moved past it (see the NextstepCohortSyncFenced runbook).")}
			}),
		},
		"fenced: tracking did not say which pass": {
			status: last,
			mark:   func(c *nextstepv1alpha1.Cohort) { markSyncFenced(c, fmt.Errorf("sync: %w", sources.ErrStalePass)) },
			want: with(func(s *nextstepv1alpha1.CohortStatus) {
				s.Conditions = []metav1.Condition{condition(nextstepv1alpha1.ConditionReady, metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonSyncFenced,
					"Tracking has applied a later pass to this cohort, later than its pass token 9, which no operator in this cluster claimed; every sync is refused until status.passToken is moved past it (see the NextstepCohortSyncFenced runbook).")}
			}),
		},
		"synced with pupils behind": {
			status: last,
			mark:   func(c *nextstepv1alpha1.Cohort) { markSynced(c, behind, res, now) },
			want: with(func(s *nextstepv1alpha1.CohortStatus) {
				s.Pupils = nextstepv1alpha1.PupilCounts{Total: 30, OnTrack: 24, Behind: 4, DestinationUnknown: 1, AtRisk: 3}
				s.OpenInterventions, s.OverdueInterventions = 7, 1
				s.LastSyncTime = &synced
				s.Conditions = []metav1.Condition{
					condition(nextstepv1alpha1.ConditionReady, metav1.ConditionTrue, nextstepv1alpha1.ConditionReasonSynced, "30 pupils assessed; 2 interventions raised, 1 closed as cleared."),
					snapshotRead,
					condition(nextstepv1alpha1.ConditionOnTrack, metav1.ConditionFalse, nextstepv1alpha1.ConditionReasonPupilsBehind, "4 of 30 pupils are behind the work-experience trajectory."),
				}
			}),
		},
		"synced with nobody behind and nothing open": {
			mark: func(c *nextstepv1alpha1.Cohort) {
				markSynced(c, rules.Result{Counts: rules.Counts{Total: 12, OnTrack: 12}}, &trackingv1.SyncInterventionsResponse{}, now)
			},
			want: nextstepv1alpha1.CohortStatus{
				ObservedGeneration: 3, LastSyncTime: &synced,
				Pupils: nextstepv1alpha1.PupilCounts{Total: 12, OnTrack: 12},
				Conditions: []metav1.Condition{
					snapshotRead,
					condition(nextstepv1alpha1.ConditionReady, metav1.ConditionTrue, nextstepv1alpha1.ConditionReasonSynced, "12 pupils assessed; 0 interventions raised, 0 closed as cleared."),
					condition(nextstepv1alpha1.ConditionOnTrack, metav1.ConditionTrue, nextstepv1alpha1.ConditionReasonOnTrajectory, "No pupil is behind the work-experience trajectory."),
				},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := cohortAt(*tc.status.DeepCopy())
			tc.mark(c)
			if diff := cmp.Diff(tc.want, c.Status, ignoreTransitions); diff != "" {
				t.Errorf("status (-want +got):\n%s", diff)
			}
		})
	}
}

// A pass that finds what the last one found leaves the status as it was,
// so the reconciler writes nothing.
func TestSameFindingIsNoChange(t *testing.T) {
	cases := map[string]func(*nextstepv1alpha1.Cohort){
		"programme not found": func(c *nextstepv1alpha1.Cohort) {
			markNotReady(c, nextstepv1alpha1.ConditionReasonProgrammeNotFound, `Programme "wmca" does not exist in this namespace.`)
		},
		"source down": func(c *nextstepv1alpha1.Cohort) {
			markDataIncomplete(c, &sources.Error{Source: metrics.SourcePupil, Op: "GetSchool", Err: errors.New("unavailable")})
		},
		"held":   func(c *nextstepv1alpha1.Cohort) { markSyncHeld(c, rules.Counts{Total: 8, Behind: 8}) },
		"fenced": func(c *nextstepv1alpha1.Cohort) { markSyncFenced(c, &sources.StalePassError{Last: 40}) },
	}
	for name, mark := range cases {
		t.Run(name, func(t *testing.T) {
			c := cohortAt(nextstepv1alpha1.CohortStatus{PassToken: 4})
			mark(c)
			before := c.Status.DeepCopy()
			mark(c)
			if !equality.Semantic.DeepEqual(*before, c.Status) {
				t.Errorf("the same finding changed the status (-before +after):\n%s", cmp.Diff(*before, c.Status))
			}
		})
	}
}

// The condition types and reasons are read by people, alerts and runbooks
// by these names: a constant may be renamed, its value may not.
func TestConditionNamesOnTheWire(t *testing.T) {
	constants := map[string]string{
		"Ready": nextstepv1alpha1.ConditionReady, "DataComplete": nextstepv1alpha1.ConditionDataComplete,
		"OnTrack": nextstepv1alpha1.ConditionOnTrack, "CohortsGenerated": nextstepv1alpha1.ConditionCohortsGenerated,
		"Synced": nextstepv1alpha1.ConditionReasonSynced, "SyncHeld": nextstepv1alpha1.ConditionReasonSyncHeld,
		"SyncFenced": nextstepv1alpha1.ConditionReasonSyncFenced, "DataIncomplete": nextstepv1alpha1.ConditionReasonDataIncomplete,
		"ProgrammeNotFound": nextstepv1alpha1.ConditionReasonProgrammeNotFound, "InvalidProgramme": nextstepv1alpha1.ConditionReasonInvalidProgramme,
		"InvalidSpec": nextstepv1alpha1.ConditionReasonInvalidSpec, "SnapshotRead": nextstepv1alpha1.ConditionReasonSnapshotRead,
		"SourceUnavailable": nextstepv1alpha1.ConditionReasonSourceUnavailable, "OnTrajectory": nextstepv1alpha1.ConditionReasonOnTrajectory,
		"PupilsBehind": nextstepv1alpha1.ConditionReasonPupilsBehind, "Generated": nextstepv1alpha1.ConditionReasonGenerated,
	}
	for wire, got := range constants {
		if got != wire {
			t.Errorf("the constant for %s is %q", wire, got)
		}
	}
}

func TestOnTrackCondition(t *testing.T) {
	if s, reason, _ := onTrackCondition(rules.Counts{Total: 30}); s != metav1.ConditionTrue || reason != nextstepv1alpha1.ConditionReasonOnTrajectory {
		t.Errorf("nobody behind: %s %s", s, reason)
	}
	if s, _, msg := onTrackCondition(rules.Counts{Total: 30, Behind: 4}); s != metav1.ConditionFalse || msg != "4 of 30 pupils are behind the work-experience trajectory." {
		t.Errorf("four behind: %s %q", s, msg)
	}
}

func TestOpenTotals(t *testing.T) {
	total, overdue := openTotals([]*trackingv1.OpenCount{{Open: 3, Overdue: 1}, {Open: 2}})
	if total != 5 || overdue != 1 {
		t.Errorf("open %d overdue %d", total, overdue)
	}
}
