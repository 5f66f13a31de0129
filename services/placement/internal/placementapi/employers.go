package placementapi

import (
	"context"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	"github.com/nextstep-uk/nextstep/services/kit/idempotency"
	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
	"github.com/nextstep-uk/nextstep/services/placement/internal/store"
)

// CreateEmployer implements PlacementService.
func (s *Server) CreateEmployer(ctx context.Context, req *placementv1.CreateEmployerRequest) (*placementv1.CreateEmployerResponse, error) {
	e, err := store.CreateEmployer(ctx, s.pool, req.GetIdempotencyKey(), idempotency.Fingerprint(req), employerFromProto(req.GetEmployer()))
	if err != nil {
		return nil, s.refusal(ctx, "create employer", "employer", err)
	}
	return &placementv1.CreateEmployerResponse{Employer: employerToProto(e)}, nil
}

// GetEmployer implements PlacementService.
func (s *Server) GetEmployer(ctx context.Context, req *placementv1.GetEmployerRequest) (*placementv1.GetEmployerResponse, error) {
	e, err := store.GetEmployer(ctx, s.pool, req.GetId())
	if err != nil {
		return nil, s.refusal(ctx, "get employer", "employer", err)
	}
	return &placementv1.GetEmployerResponse{Employer: employerToProto(e)}, nil
}

// UpdateEmployer implements PlacementService.
func (s *Server) UpdateEmployer(ctx context.Context, req *placementv1.UpdateEmployerRequest) (*placementv1.UpdateEmployerResponse, error) {
	if err := requireUUID("employer.id", req.GetEmployer().GetId()); err != nil {
		return nil, err
	}
	e, err := store.UpdateEmployer(ctx, s.pool, employerFromProto(req.GetEmployer()))
	if err != nil {
		return nil, s.refusal(ctx, "update employer", "employer", err)
	}
	return &placementv1.UpdateEmployerResponse{Employer: employerToProto(e)}, nil
}

// ListEmployers implements PlacementService.
func (s *Server) ListEmployers(ctx context.Context, req *placementv1.ListEmployersRequest) (*placementv1.ListEmployersResponse, error) {
	var after store.EmployerCursor
	if err := pagetoken.Decode(req.GetPageToken(), &after); err != nil {
		return nil, err
	}
	size := pagetoken.Size(req.GetPageSize(), defaultPageSize, maxPageSize)
	employers, err := store.ListEmployers(ctx, s.pool, sectors[req.GetSector()], after, size+1)
	if err != nil {
		return nil, s.refusal(ctx, "list employers", "employer", err)
	}
	res := &placementv1.ListEmployersResponse{}
	if len(employers) > size {
		employers = employers[:size]
		last := employers[size-1]
		res.NextPageToken = pagetoken.Encode(store.EmployerCursor{Name: last.Name, ID: last.ID})
	}
	for _, e := range employers {
		res.Employers = append(res.Employers, employerToProto(e))
	}
	return res, nil
}
