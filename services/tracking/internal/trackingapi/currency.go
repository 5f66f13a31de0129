package trackingapi

import (
	"context"
	"strings"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/enrolment"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store"
)

// ConfirmCurrency implements TrackingService. Scope is where each pupil is
// on roll now, as the pupil service says; a pupil it does not know or that
// is out of scope is skipped and reported not found, and the rest are
// confirmed in one statement.
func (s *Server) ConfirmCurrency(ctx context.Context, req *trackingv1.ConfirmCurrencyRequest) (*trackingv1.ConfirmCurrencyResponse, error) {
	p := auth.Caller(ctx)
	ids := make([]string, len(req.GetPupilIds()))
	seen := map[string]bool{}
	for i, id := range req.GetPupilIds() {
		ids[i] = strings.ToLower(id)
		if seen[ids[i]] {
			return nil, rpcerror.InvalidArgument(rpcerror.Violation{Field: "pupil_ids", RuleID: "repeated.unique", Message: "names a pupil twice"})
		}
		seen[ids[i]] = true
	}
	found, err := s.pupils.Locate(ctx, ids)
	if err != nil {
		return nil, enrolment.Unavailable(ctx, s.logger, err)
	}
	var inScope []store.Located
	for _, id := range ids {
		if e, ok := found[id]; ok && p.Scope.CoversPupil(e.SchoolURN, e.LACode, e.ResidenceLACode) {
			inScope = append(inScope, store.Located{PupilID: id, SchoolURN: e.SchoolURN, LACode: e.CaseloadLA()})
		}
	}
	var confirmed map[string]store.Destination
	if len(inScope) > 0 {
		if confirmed, err = store.ConfirmCurrency(ctx, s.pool, inScope, req.GetSource(), p.Subject, s.now()); err != nil {
			return nil, rpcerror.Internal(ctx, s.logger, "confirm currency", err)
		}
	}
	res := &trackingv1.ConfirmCurrencyResponse{Outcomes: make([]*trackingv1.CurrencyOutcome, len(req.GetPupilIds()))}
	for i, id := range ids {
		out := &trackingv1.CurrencyOutcome{PupilId: id, Result: trackingv1.CurrencyResult_CURRENCY_RESULT_NOT_FOUND}
		if e, ok := found[id]; ok && p.Scope.CoversPupil(e.SchoolURN, e.LACode, e.ResidenceLACode) {
			out.Result = trackingv1.CurrencyResult_CURRENCY_RESULT_NO_CONFIRMED_ACTIVITY
			if d, ok := confirmed[id]; ok {
				out.Result, out.LapsesOn = trackingv1.CurrencyResult_CURRENCY_RESULT_CONFIRMED, dateString(s.lapsesOn(d))
				res.Confirmed++
				audit.TouchAt(ctx, "pupil", id, d.SchoolURN, d.LACode)
			}
		}
		res.Outcomes[i] = out
	}
	return res, nil
}
