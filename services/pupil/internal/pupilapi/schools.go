package pupilapi

import (
	"context"
	"errors"
	"regexp"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/changefeed"
	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store"
)

// Page sizes of list calls.
const (
	defaultPageSize = 100
	maxPageSize     = 500
)

// schoolCursor is ListSchools' page token: the URN of the last school.
type schoolCursor struct {
	After string `json:"a"`
}

func (c *schoolCursor) Valid() bool { return urnPattern.MatchString(c.After) }

var urnPattern = regexp.MustCompile(`^[0-9]{6}$`)

// pupilCursor is ListCohortPupils' page token: the id of the last pupil.
type pupilCursor struct {
	After string `json:"a"`
}

func (c *pupilCursor) Valid() bool { return pagetoken.UUID(c.After) }

// ListSchools implements PupilService.
func (s *Server) ListSchools(ctx context.Context, req *pupilv1.ListSchoolsRequest) (*pupilv1.ListSchoolsResponse, error) {
	var c schoolCursor
	if err := pagetoken.Decode(req.GetPageToken(), &c); err != nil {
		return nil, err
	}
	size := pagetoken.Size(req.GetPageSize(), defaultPageSize, maxPageSize)
	// One more than the page says whether there is a next one.
	schools, err := store.ListSchools(ctx, s.pool, auth.Caller(ctx).Scope, req.GetLaCode(), c.After, size+1)
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "list schools", err)
	}
	res := &pupilv1.ListSchoolsResponse{}
	if len(schools) > size {
		schools = schools[:size]
		res.NextPageToken = pagetoken.Encode(schoolCursor{After: schools[size-1].URN})
	}
	for _, sch := range schools {
		res.Schools = append(res.Schools, schoolToProto(sch))
	}
	return res, nil
}

// visibleSchool returns the school if the caller may see it, and NotFound
// otherwise, so scope cannot be probed.
func (s *Server) visibleSchool(ctx context.Context, urn string) (store.School, error) {
	sch, err := store.GetSchool(ctx, s.pool, urn)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !auth.Caller(ctx).Scope.Covers(sch.URN, sch.LACode)) {
		return store.School{}, rpcerror.NotFound("school")
	}
	if err != nil {
		return store.School{}, rpcerror.Internal(ctx, s.logger, "get school", err)
	}
	return sch, nil
}

// GetSchoolRevision implements PupilService: the school's revision, which
// the reconciler compares with the one of its last full pass. A school
// outside the caller's scope answers 0, as one nothing was written about
// does, so scope cannot be probed. A number, no personal data: not audited.
func (s *Server) GetSchoolRevision(ctx context.Context, req *pupilv1.GetSchoolRevisionRequest) (*pupilv1.GetSchoolRevisionResponse, error) {
	rev, err := store.SchoolRevision(ctx, s.pool, auth.Caller(ctx).Scope, req.GetSchoolUrn())
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "get school revision", err)
	}
	return &pupilv1.GetSchoolRevisionResponse{Revision: rev}, nil
}

// ListSchoolChanges implements PupilService: the change feed of school
// revisions (kit/changefeed), for a caller that sees everything.
func (s *Server) ListSchoolChanges(ctx context.Context, req *pupilv1.ListSchoolChangesRequest) (*pupilv1.ListSchoolChangesResponse, error) {
	if err := changefeed.Admit(ctx, req.GetAfter()); err != nil {
		return nil, err
	}
	urns, position, truncated, err := store.SchoolChanges(ctx, s.pool, req.GetAfter())
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "list school changes", err)
	}
	return &pupilv1.ListSchoolChangesResponse{Position: position, SchoolUrns: urns, Truncated: truncated}, nil
}
