package trackingapi

import (
	"context"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/changefeed"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store"
)

// GetCohortRevision implements TrackingService. It answers numbers, no one's
// records, so it touches no audit target (and, read-only and not personal
// data, it is not audited). Pupils outside the caller's scope count 0, as
// GetLatestDestinations leaves them out; the reconciler acts as itself and
// sees everyone without a call to the pupil service.
func (s *Server) GetCohortRevision(ctx context.Context, req *trackingv1.GetCohortRevisionRequest) (*trackingv1.GetCohortRevisionResponse, error) {
	seen, err := s.caseload(ctx, auth.Caller(ctx).Scope, req.GetPupilIds())
	if err != nil {
		return nil, err
	}
	// caseload's keys are the ids in lower case, each once.
	ids := make([]string, 0, len(seen))
	for id, in := range seen {
		if in {
			ids = append(ids, id)
		}
	}
	r, err := store.CohortRevision(ctx, s.pool, req.GetCohortKey(), ids)
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "cohort revision", err)
	}
	return &trackingv1.GetCohortRevisionResponse{PupilsRevision: r.Pupils, TasksRevision: r.Tasks, LastPassToken: r.LastPassToken}, nil
}

// ListCohortChanges implements TrackingService: the change feed of what
// GetCohortRevision reads (kit/changefeed), for a caller that sees
// everything.
func (s *Server) ListCohortChanges(ctx context.Context, req *trackingv1.ListCohortChangesRequest) (*trackingv1.ListCohortChangesResponse, error) {
	if err := changefeed.Admit(ctx, req.GetAfter()); err != nil {
		return nil, err
	}
	c, position, truncated, err := store.CohortChanges(ctx, s.pool, req.GetAfter())
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "list cohort changes", err)
	}
	res := &trackingv1.ListCohortChangesResponse{Position: position, PupilIds: c.PupilIDs, Truncated: truncated}
	for _, k := range c.Cohorts {
		res.Cohorts = append(res.Cohorts, &trackingv1.CohortRevisionChange{CohortKey: k.CohortKey, TasksRevision: k.TasksRevision, LastPassToken: k.LastPassToken})
	}
	return res, nil
}
