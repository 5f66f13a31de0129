package trackingapi

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"connectrpc.com/connect"

	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/enrolment"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/syncplan"
)

// SyncInterventions implements TrackingService.
func (s *Server) SyncInterventions(ctx context.Context, req *trackingv1.SyncInterventionsRequest) (*trackingv1.SyncInterventionsResponse, error) {
	p := auth.Caller(ctx)
	desired := make([]syncplan.Intervention, len(req.GetDesired()))
	for i, d := range req.GetDesired() {
		if _, err := s.parseDate("desired.due_date", d.GetDueDate()); err != nil {
			return nil, err
		}
		desired[i] = syncplan.Intervention{
			Key:      syncplan.Key{PupilID: strings.ToLower(d.GetPupilId()), Reason: d.GetReasonCode()},
			Priority: int(d.GetPriority()), DueDate: d.GetDueDate(), Summary: d.GetSummary(), Evidence: d.GetEvidence(),
		}
	}
	if i := syncplan.Duplicate(desired); i >= 0 {
		return nil, rpcerror.InvalidArgument(rpcerror.Violation{Field: "desired", RuleID: "desired.unique",
			Message: "an entry repeats the pupil and reason of an earlier one"})
	}
	in := store.SyncInput{
		CohortKey: req.GetCohortKey(), SchoolURN: req.GetSchoolUrn(), LACode: req.GetLaCode(), PassToken: req.GetPassToken(),
		Desired: desired, MaxCloseFraction: req.GetMaxCloseFraction(), HoldMinCloses: int(req.GetHoldMinCloses()),
		Force: req.GetForce(), Actor: p.Subject, Today: s.today(),
	}
	if err := s.checkCohort(ctx, p, req, &in); err != nil {
		return nil, err
	}
	if err := s.placeTasks(ctx, in.Desired); err != nil {
		return nil, err
	}
	res, err := store.Sync(ctx, s.pool, in)
	var held *store.HeldError
	var stale *store.StalePassError
	switch {
	case errors.As(err, &stale):
		return nil, rpcerror.WithMetadata(
			rpcerror.New(connect.CodeFailedPrecondition, refusalv1.Reason_REASON_STALE_PASS, "pass %d is older than pass %d, the last applied to this cohort", req.GetPassToken(), stale.Last),
			map[string]string{"last_pass_token": strconv.FormatInt(stale.Last, 10)})
	case errors.Is(err, store.ErrPassAhead):
		return nil, rpcerror.New(connect.CodeFailedPrecondition, refusalv1.Reason_REASON_PASS_TOKEN_AHEAD, "a forced sync's pass token may be at most one ahead of the last applied to this cohort")
	case errors.Is(err, store.ErrCohortMismatch):
		return nil, cohortMismatch()
	case errors.As(err, &held):
		return nil, rpcerror.New(connect.CodeFailedPrecondition, refusalv1.Reason_REASON_MASS_CLOSURE_HELD, "%v, more than the allowed share: nothing was changed; a hub admin may force it", held)
	case err != nil:
		return nil, rpcerror.Internal(ctx, s.logger, "sync interventions", err)
	}
	for _, id := range res.Pupils {
		if id != syncplan.CohortLevel {
			audit.TouchAt(ctx, "pupil", id, in.SchoolURN, in.LACode)
		}
	}
	return &trackingv1.SyncInterventionsResponse{
		Created: int32(res.Created), Closed: int32(res.Closed), Unchanged: int32(res.Unchanged), Updated: int32(res.Updated),
		Suppressed: int32(res.Suppressed), Grouped: int32(res.Grouped), Open: countsToProto(res.Open),
		TasksRevision: res.TasksRevision,
	}, nil
}

// checkCohort decides from the records, not the request, whose cohort this
// is. A cohort's school and local authority are fixed by its first sync,
// which only the reconciler makes, and checked then against the pupil
// service; a hub admin may only force a held sync of a cohort that exists
// and is in their scope, fenced to at most one pass ahead, naming only
// pupils in their scope.
func (s *Server) checkCohort(ctx context.Context, p auth.Principal, req *trackingv1.SyncInterventionsRequest, in *store.SyncInput) error {
	stored, err := store.GetCohort(ctx, s.pool, req.GetCohortKey())
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return rpcerror.Internal(ctx, s.logger, "get cohort", err)
	}
	exists := err == nil
	if p.Role == auth.RoleHubAdmin {
		// Staff release a held sync; the reconciler makes the ordinary ones.
		if !req.GetForce() {
			return rpcerror.New(connect.CodePermissionDenied, refusalv1.Reason_REASON_FORCE_ONLY, "a hub admin may call SyncInterventions only to force a held sync")
		}
		if !exists || !p.Scope.Covers(stored.SchoolURN, stored.LACode) {
			return rpcerror.NotFound("cohort")
		}
		in.MaxAhead = 1
		return s.desiredInScope(ctx, p, in.Desired)
	}
	if exists {
		// The store checks again under the cohort's lock.
		if stored.SchoolURN != req.GetSchoolUrn() || stored.LACode != req.GetLaCode() {
			return cohortMismatch()
		}
		return nil
	}
	school, err := s.pupils.School(ctx, req.GetSchoolUrn())
	switch {
	case errors.Is(err, enrolment.ErrNoSchool):
		return rpcerror.InvalidArgument(rpcerror.Violation{Field: "school_urn", RuleID: "school_urn.registered", Message: "is not a school the pupil service knows"})
	case err != nil:
		return enrolment.Unavailable(ctx, s.logger, err)
	case school.LACode != req.GetLaCode():
		return rpcerror.InvalidArgument(rpcerror.Violation{Field: "la_code", RuleID: "la_code.of_school", Message: "is not the local authority of the school"})
	}
	return nil
}

// placeTasks puts each desired task in the queue of the local authority
// its young person lives in, as the pupil service says now, in one batched
// call: a resident educated out of area is their home LA's to follow, and
// a mover's tasks move with them. A pupil it does not know (or one without
// a recorded residence), and the cohort's own tasks, stay in the cohort's
// authority.
func (s *Server) placeTasks(ctx context.Context, desired []syncplan.Intervention) error {
	seen := map[string]bool{syncplan.CohortLevel: true}
	ids := make([]string, 0, len(desired))
	for _, d := range desired {
		if !seen[d.PupilID] {
			seen[d.PupilID] = true
			ids = append(ids, d.PupilID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	found, err := s.pupils.Locate(ctx, ids)
	if err != nil {
		return enrolment.Unavailable(ctx, s.logger, err)
	}
	for i := range desired {
		if e, ok := found[desired[i].PupilID]; ok {
			desired[i].LACode = e.CaseloadLA()
		}
	}
	return nil
}

// desiredInScope refuses a desired set naming a pupil the caller may not
// see (or who does not exist), so a forced sync cannot put a task for
// another area's pupil into a queue. The cohort's own tasks are the
// cohort's, whose scope checkCohort has decided.
func (s *Server) desiredInScope(ctx context.Context, p auth.Principal, desired []syncplan.Intervention) error {
	var ids []string
	for _, d := range desired {
		if d.PupilID != syncplan.CohortLevel {
			ids = append(ids, d.PupilID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	_, refused, err := enrolment.InScope(ctx, s.pupils, p.Scope, ids)
	switch {
	case err != nil:
		return enrolment.Unavailable(ctx, s.logger, err)
	case refused >= 0:
		return rpcerror.New(connect.CodeNotFound, refusalv1.Reason_REASON_NOT_FOUND, "desired intervention %d: pupil not found", refused+1)
	}
	return nil
}

func cohortMismatch() error {
	return rpcerror.New(connect.CodeFailedPrecondition, refusalv1.Reason_REASON_COHORT_MISMATCH, "the cohort was first synced for another school or local authority")
}
