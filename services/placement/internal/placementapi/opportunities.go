package placementapi

import (
	"context"
	"time"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	"github.com/nextstep-uk/nextstep/services/kit/idempotency"
	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/placement/internal/schedule"
	"github.com/nextstep-uk/nextstep/services/placement/internal/store"
)

// CreateOpportunity implements PlacementService.
func (s *Server) CreateOpportunity(ctx context.Context, req *placementv1.CreateOpportunityRequest) (*placementv1.CreateOpportunityResponse, error) {
	days, err := checkSchedule(req.GetOpportunity(), s.today())
	if err != nil {
		return nil, err
	}
	o, err := store.CreateOpportunity(ctx, s.pool, req.GetIdempotencyKey(), idempotency.Fingerprint(req), opportunityFromProto(req.GetOpportunity(), days))
	if err != nil {
		return nil, s.refusal(ctx, "create opportunity", "opportunity", err)
	}
	return &placementv1.CreateOpportunityResponse{Opportunity: opportunityToProto(o)}, nil
}

// checkSchedule returns the opportunity's days, or its schedule's problems
// as field violations.
func checkSchedule(o *placementv1.Opportunity, today time.Time) ([]schedule.Day, error) {
	days, problems := schedule.Check(opportunityPlan(o, today))
	if len(problems) == 0 {
		return days, nil
	}
	vs := make([]rpcerror.Violation, len(problems))
	for i, p := range problems {
		vs[i] = rpcerror.Violation{Field: "opportunity." + p.Field, RuleID: p.Rule, Message: p.Message}
	}
	return nil, rpcerror.InvalidArgument(vs...)
}

// GetOpportunity implements PlacementService.
func (s *Server) GetOpportunity(ctx context.Context, req *placementv1.GetOpportunityRequest) (*placementv1.GetOpportunityResponse, error) {
	o, err := store.GetOpportunity(ctx, s.pool, req.GetId())
	if err != nil {
		return nil, s.refusal(ctx, "get opportunity", "opportunity", err)
	}
	return &placementv1.GetOpportunityResponse{Opportunity: opportunityToProto(o)}, nil
}

// UpdateOpportunity implements PlacementService.
func (s *Server) UpdateOpportunity(ctx context.Context, req *placementv1.UpdateOpportunityRequest) (*placementv1.UpdateOpportunityResponse, error) {
	if err := requireUUID("opportunity.id", req.GetOpportunity().GetId()); err != nil {
		return nil, err
	}
	days, err := checkSchedule(req.GetOpportunity(), s.today())
	if err != nil {
		return nil, err
	}
	o, err := store.UpdateOpportunity(ctx, s.pool, opportunityFromProto(req.GetOpportunity(), days))
	if err != nil {
		return nil, s.refusal(ctx, "update opportunity", "opportunity", err)
	}
	return &placementv1.UpdateOpportunityResponse{Opportunity: opportunityToProto(o)}, nil
}

// ListOpportunities implements PlacementService.
func (s *Server) ListOpportunities(ctx context.Context, req *placementv1.ListOpportunitiesRequest) (*placementv1.ListOpportunitiesResponse, error) {
	var after store.OpportunityCursor
	if err := pagetoken.Decode(req.GetPageToken(), &after); err != nil {
		return nil, err
	}
	f := store.OpportunityFilter{EmployerID: req.GetEmployerId(), YearGroup: req.GetYearGroup()}
	if req.GetFrom() != "" {
		from, err := parseDate("from", req.GetFrom())
		if err != nil {
			return nil, err
		}
		f.From = &from
	}
	size := pagetoken.Size(req.GetPageSize(), defaultPageSize, maxPageSize)
	opportunities, err := store.ListOpportunities(ctx, s.pool, f, after, size+1)
	if err != nil {
		return nil, s.refusal(ctx, "list opportunities", "opportunity", err)
	}
	res := &placementv1.ListOpportunitiesResponse{}
	if len(opportunities) > size {
		opportunities = opportunities[:size]
		last := opportunities[size-1]
		res.NextPageToken = pagetoken.Encode(store.OpportunityCursor{StartsOn: last.Days[0].Date, ID: last.ID})
	}
	for _, o := range opportunities {
		res.Opportunities = append(res.Opportunities, opportunityToProto(o))
	}
	return res, nil
}
