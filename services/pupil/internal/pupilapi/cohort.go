package pupilapi

import (
	"context"

	"connectrpc.com/connect"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/yeargroup"
)

// snapshotChunk is the most members one snapshot message carries.
const snapshotChunk = 500

// cohort checks a cohort request: a real academic year and a school the
// caller may see.
func (s *Server) cohort(ctx context.Context, urn string, group int32, academicYear string) (store.Cohort, error) {
	year, err := yeargroup.ParseAcademicYear(academicYear)
	if err != nil {
		return store.Cohort{}, rpcerror.InvalidArgument(rpcerror.Violation{Field: "academic_year", RuleID: "academic_year.valid", Message: err.Error()})
	}
	if _, err := s.visibleSchool(ctx, urn); err != nil {
		return store.Cohort{}, err
	}
	return store.Cohort{SchoolURN: urn, YearGroup: int(group), Year: year}, nil
}

// ListCohortPupils implements PupilService.
func (s *Server) ListCohortPupils(ctx context.Context, req *pupilv1.ListCohortPupilsRequest) (*pupilv1.ListCohortPupilsResponse, error) {
	c, err := s.cohort(ctx, req.GetSchoolUrn(), req.GetYearGroup(), req.GetAcademicYear())
	if err != nil {
		return nil, err
	}
	var cur pupilCursor
	if err := pagetoken.Decode(req.GetPageToken(), &cur); err != nil {
		return nil, err
	}
	size := pagetoken.Size(req.GetPageSize(), defaultPageSize, maxPageSize)
	var members []store.Member
	err = store.EachMember(ctx, s.pool, auth.Caller(ctx).Scope, c, cur.After, size+1, func(m store.Member) error {
		members = append(members, m)
		return nil
	})
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "list cohort", err)
	}
	res := &pupilv1.ListCohortPupilsResponse{}
	if len(members) > size {
		members = members[:size]
		res.NextPageToken = pagetoken.Encode(pupilCursor{After: members[size-1].Pupil.ID})
	}
	reviews, err := s.riskReviews(ctx, members)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		audit.Touch(ctx, "pupil", m.Pupil.ID)
		p := pupilToProto(m.Pupil, c.Year, s.weights)
		p.RiskReview = reviewToProto(reviews[m.Pupil.ID])
		res.Pupils = append(res.Pupils, p)
	}
	return res, nil
}

// GetCohortSnapshot implements PupilService: one query, streamed out in
// chunks, ending with a message that says the snapshot is complete.
func (s *Server) GetCohortSnapshot(ctx context.Context, req *pupilv1.GetCohortSnapshotRequest, stream *connect.ServerStream[pupilv1.GetCohortSnapshotResponse]) error {
	c, err := s.cohort(ctx, req.GetSchoolUrn(), req.GetYearGroup(), req.GetAcademicYear())
	if err != nil {
		return err
	}
	c.EHCPlanToAge = int(req.GetEhcPlanToAge())
	// The store reads the cohort in one query, in full, so collecting it
	// costs nothing more; its reviews are one more.
	var members []store.Member
	err = store.EachMember(ctx, s.pool, auth.Caller(ctx).Scope, c, "", 0, func(m store.Member) error {
		members = append(members, m)
		return nil
	})
	if err != nil {
		return rpcerror.Internal(ctx, s.logger, "cohort snapshot", err)
	}
	reviews, err := s.riskReviews(ctx, members)
	if err != nil {
		return err
	}
	chunk := &pupilv1.GetCohortSnapshotResponse{}
	for _, m := range members {
		audit.Touch(ctx, "pupil", m.Pupil.ID)
		member := memberToProto(m, c, s.weights)
		member.RiskReview = reviewToProto(reviews[m.Pupil.ID])
		chunk.Members = append(chunk.Members, member)
		if len(chunk.Members) == snapshotChunk {
			if err := stream.Send(chunk); err != nil {
				return err
			}
			chunk = &pupilv1.GetCohortSnapshotResponse{}
		}
	}
	chunk.Complete, chunk.Total = true, int32(len(members))
	return stream.Send(chunk)
}

func memberToProto(m store.Member, c store.Cohort, w risk.Weights) *pupilv1.CohortMember {
	r := m.Pupil.Record
	return &pupilv1.CohortMember{
		PupilId:     m.Pupil.ID,
		YearGroup:   int32(yeargroup.Of(r.DateOfBirth, r.YearGroupOffset, c.Year)),
		JoinedOn:    dateString(m.JoinedOn),
		LeftOn:      dateString(m.LeftOn),
		RiskFactors: factorsToProto(r.RiskFactors()),
		Risk:        scoreToProto(risk.Compute(r.RiskFactors(), w)),
	}
}
