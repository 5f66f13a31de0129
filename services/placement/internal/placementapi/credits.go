package placementapi

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/changefeed"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/placement/internal/store"
)

// GetCreditedDays implements PlacementService.
func (s *Server) GetCreditedDays(ctx context.Context, req *placementv1.GetCreditedDaysRequest) (*placementv1.GetCreditedDaysResponse, error) {
	asOf := s.today()
	if req.GetAsOf() != "" {
		d, err := parseDate("as_of", req.GetAsOf())
		if err != nil {
			return nil, err
		}
		asOf = d
	}
	encountersFrom := academicyear.Containing(asOf).FirstDay()
	if req.GetEncountersFrom() != "" {
		d, err := parseDate("encounters_from", req.GetEncountersFrom())
		if err != nil {
			return nil, err
		}
		encountersFrom = d
	}
	credits, err := store.CreditedDays(ctx, s.pool, auth.Caller(ctx).Scope, req.GetPupilIds(), asOf, encountersFrom)
	if err != nil {
		return nil, s.refusal(ctx, "get credited days", "pupil", err)
	}
	res := &placementv1.GetCreditedDaysResponse{Credits: make([]*placementv1.PupilCredit, len(credits))}
	for i, c := range credits {
		if c.Seen {
			audit.Touch(ctx, "pupil", c.PupilID)
		}
		// Credits come in request order; each carries the id as the caller
		// wrote it, so that it matches whatever case the caller used.
		res.Credits[i] = &placementv1.PupilCredit{PupilId: req.GetPupilIds()[i], HalfDays: c.HalfDays, Experiences: c.Experiences, Encounters: c.Encounters}
	}
	return res, nil
}

// GetPupilsRevision implements PlacementService. Not audited: the sum is a
// number that names no one.
func (s *Server) GetPupilsRevision(ctx context.Context, req *placementv1.GetPupilsRevisionRequest) (*placementv1.GetPupilsRevisionResponse, error) {
	revision, err := store.PupilsRevision(ctx, s.pool, auth.Caller(ctx).Scope, req.GetPupilIds())
	if err != nil {
		return nil, s.refusal(ctx, "get pupils revision", "pupil", err)
	}
	return &placementv1.GetPupilsRevisionResponse{Revision: revision}, nil
}

// ListPupilChanges implements PlacementService: the change feed of pupil
// revisions (kit/changefeed), for a caller that sees everything.
func (s *Server) ListPupilChanges(ctx context.Context, req *placementv1.ListPupilChangesRequest) (*placementv1.ListPupilChangesResponse, error) {
	if err := changefeed.Admit(ctx, req.GetAfter()); err != nil {
		return nil, err
	}
	ids, position, truncated, err := store.PupilChanges(ctx, s.pool, req.GetAfter())
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "list pupil changes", err)
	}
	return &placementv1.ListPupilChangesResponse{Position: position, PupilIds: ids, Truncated: truncated}, nil
}

// GetEngagement implements PlacementService.
func (s *Server) GetEngagement(ctx context.Context, req *placementv1.GetEngagementRequest) (*placementv1.GetEngagementResponse, error) {
	var from, to *time.Time
	for _, f := range []struct {
		name, value string
		into        **time.Time
	}{{"from", req.GetFrom(), &from}, {"to", req.GetTo(), &to}} {
		if f.value == "" {
			continue
		}
		d, err := parseDate(f.name, f.value)
		if err != nil {
			return nil, err
		}
		*f.into = &d
	}
	if from != nil && to != nil && to.Before(*from) {
		return nil, rpcerror.InvalidArgument(rpcerror.Violation{Field: "to", RuleID: "period.order", Message: "to must not be before from"})
	}
	rows, err := store.GetEngagement(ctx, s.pool, auth.Caller(ctx).Scope, from, to)
	if err != nil {
		return nil, s.refusal(ctx, "get engagement", "engagement", err)
	}
	res := &placementv1.GetEngagementResponse{}
	for _, r := range rows {
		res.Engagement = append(res.Engagement, &placementv1.Engagement{
			Sector:              reverse(sectors, r.Sector),
			SizeBand:            reverse(sizeBands, r.SizeBand),
			Opportunities:       r.Opportunities,
			Experiences:         r.Experiences,
			Bookings:            r.Bookings,
			Pupils:              r.Pupils,
			HalfDays:            r.HalfDays,
			CornerstoneBookings: r.CornerstoneBookings,
			CornerstoneHalfDays: r.CornerstoneHalfDays,
		})
	}
	slices.SortFunc(res.Engagement, func(a, b *placementv1.Engagement) int {
		return cmp.Or(cmp.Compare(a.GetSector(), b.GetSector()), cmp.Compare(a.GetSizeBand(), b.GetSizeBand()))
	})
	return res, nil
}
