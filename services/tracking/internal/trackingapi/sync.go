package trackingapi

import (
	"context"
	"errors"

	"connectrpc.com/connect"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/syncplan"
)

// SyncInterventions implements TrackingService.
func (s *Server) SyncInterventions(ctx context.Context, req *trackingv1.SyncInterventionsRequest) (*trackingv1.SyncInterventionsResponse, error) {
	p := principal(ctx)
	if p.Role == auth.RoleHubAdmin {
		// Staff release a held sync; the reconciler makes the ordinary ones.
		if !req.GetForce() {
			return nil, rpcerror.New(connect.CodePermissionDenied, "FORCE_ONLY", "a hub admin may call SyncInterventions only to force a held sync")
		}
		if !p.CanSeeSchool(req.GetSchoolUrn(), req.GetLaCode()) {
			return nil, rpcerror.New(connect.CodePermissionDenied, "OUT_OF_SCOPE", "the cohort's school is outside your scope")
		}
	}
	desired := make([]syncplan.Intervention, len(req.GetDesired()))
	for i, d := range req.GetDesired() {
		if _, err := parseDate("desired.due_date", d.GetDueDate()); err != nil {
			return nil, err
		}
		desired[i] = syncplan.Intervention{
			Key:      syncplan.Key{PupilID: d.GetPupilId(), Reason: d.GetReasonCode()},
			Priority: int(d.GetPriority()), DueDate: d.GetDueDate(), Summary: d.GetSummary(), Evidence: d.GetEvidence(),
		}
	}
	if i := syncplan.Duplicate(desired); i >= 0 {
		return nil, rpcerror.InvalidArgument(rpcerror.Violation{Field: "desired", RuleID: "desired.unique",
			Message: "an entry repeats the pupil and reason of an earlier one"})
	}
	res, err := store.Sync(ctx, s.pool, store.SyncInput{
		CohortKey: req.GetCohortKey(), SchoolURN: req.GetSchoolUrn(), LACode: req.GetLaCode(), PassToken: req.GetPassToken(),
		Desired: desired, MaxCloseFraction: req.GetMaxCloseFraction(), HoldMinCloses: int(req.GetHoldMinCloses()),
		Force: req.GetForce(), Actor: p.Subject, Today: s.today(),
	})
	var held *store.HeldError
	switch {
	case errors.Is(err, store.ErrStalePass):
		return nil, rpcerror.New(connect.CodeFailedPrecondition, "STALE_PASS", "pass %d is older than the last pass applied to this cohort", req.GetPassToken())
	case errors.As(err, &held):
		return nil, rpcerror.New(connect.CodeFailedPrecondition, "MASS_CLOSURE_HELD", "%v, more than the allowed share: nothing was changed; a hub admin may force it", held)
	case err != nil:
		return nil, rpcerror.Internal(ctx, s.logger, "sync interventions", err)
	}
	for _, id := range res.Pupils {
		audit.Touch(ctx, "pupil", id)
	}
	return &trackingv1.SyncInterventionsResponse{
		Created: int32(res.Created), Closed: int32(res.Closed), Unchanged: int32(res.Unchanged), Updated: int32(res.Updated),
		Suppressed: int32(res.Suppressed), Open: countsToProto(res.Open),
	}, nil
}
