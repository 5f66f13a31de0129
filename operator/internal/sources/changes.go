package sources

import (
	"context"

	"github.com/google/uuid"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/operator/metrics"
)

// Positions are where each service's change feed is to be read from next
// (pupil's ListSchoolChanges, placement's ListPupilChanges, tracking's
// ListCohortChanges), opaque strings as the services gave them; empty asks
// only where to start.
type Positions struct {
	Pupil, Placement, Tracking string
}

// Changes are what the change feeds listed: what moved of the revisions a
// pass reads (Revisions), since the positions read from.
type Changes struct {
	// Everything is set when a feed listed more than one answer holds:
	// take every cohort as changed.
	Everything bool
	// Schools are the schools whose revision moved, by URN.
	Schools map[string]bool
	// Pupils are the pupils whose revision in placement or tracking moved.
	Pupils map[uuid.UUID]bool
	// Cohorts are the cohorts whose tasks revision or last pass token
	// moved, by tracking's cohort key, with both as they are now.
	Cohorts map[string]CohortRevision
}

// CohortRevision is a cohort's tasks revision and last pass token.
type CohortRevision struct {
	Tasks, LastPassToken int64
}

// Empty tells whether nothing moved.
func (c Changes) Empty() bool {
	return !c.Everything && len(c.Schools) == 0 && len(c.Pupils) == 0 && len(c.Cohorts) == 0
}

// Changes reads the three change feeds from after, and returns what they
// listed with the positions to read from next. It fails, and moves no
// position, if any feed cannot be read. Three small calls, no personal
// data.
func (c *Clients) Changes(ctx context.Context, after Positions) (Changes, Positions, error) {
	out := Changes{Schools: map[string]bool{}, Pupils: map[uuid.UUID]bool{}, Cohorts: map[string]CohortRevision{}}
	var next Positions
	schools, err := c.Pupil.ListSchoolChanges(ctx, &pupilv1.ListSchoolChangesRequest{After: after.Pupil})
	if err != nil {
		return Changes{}, after, &Error{Source: metrics.SourcePupil, Op: "list school changes", Err: err}
	}
	credits, err := c.Placement.ListPupilChanges(ctx, &placementv1.ListPupilChangesRequest{After: after.Placement})
	if err != nil {
		return Changes{}, after, &Error{Source: metrics.SourcePlacement, Op: "list pupil changes", Err: err}
	}
	tracked, err := c.Tracking.ListCohortChanges(ctx, &trackingv1.ListCohortChangesRequest{After: after.Tracking})
	if err != nil {
		return Changes{}, after, &Error{Source: metrics.SourceTracking, Op: "list cohort changes", Err: err}
	}
	next = Positions{Pupil: schools.GetPosition(), Placement: credits.GetPosition(), Tracking: tracked.GetPosition()}
	out.Everything = schools.GetTruncated() || credits.GetTruncated() || tracked.GetTruncated()
	for _, urn := range schools.GetSchoolUrns() {
		out.Schools[urn] = true
	}
	for _, ids := range [][]string{credits.GetPupilIds(), tracked.GetPupilIds()} {
		for _, s := range ids {
			id, err := uuid.Parse(s)
			if err != nil {
				// Never from the services, whose ids are UUIDs; a pupil
				// the operator cannot name may be anyone's.
				out.Everything = true
				continue
			}
			out.Pupils[id] = true
		}
	}
	for _, k := range tracked.GetCohorts() {
		out.Cohorts[k.GetCohortKey()] = CohortRevision{Tasks: k.GetTasksRevision(), LastPassToken: k.GetLastPassToken()}
	}
	return out, next, nil
}
