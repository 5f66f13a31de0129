// Package pupilapi implements nextstep.pupil.v1.PupilService: it checks the
// caller's scope, maps messages to rows and calls the store. Request fields
// have already been validated against the .proto rules by the interceptor.
package pupilapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5/pgxpool"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1/pupilv1connect"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/api/riskscale"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/calendar"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/establishment"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/lacode"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/yeargroup"
)

// Server implements PupilService.
type Server struct {
	pupilv1connect.UnimplementedPupilServiceHandler
	pool    *pgxpool.Pool
	logger  *slog.Logger
	weights risk.Weights
	bands   riskscale.Bands
	now     func() time.Time
}

// Options configure a Server; the zero value is the defaults.
type Options struct {
	// Weights score the risk of NEET; risk.DefaultWeights() if nil.
	Weights *risk.Weights
	// Bands draw the risk list (ExportRiskList: the high band); they
	// should be the hub's Programme's. riskscale.DefaultBands if nil.
	Bands *riskscale.Bands
}

// Services returns the pupil service's Connect services with the default
// options, for server.Main.
func Services(d server.Deps) []server.Service {
	return newServer(d).services()
}

func newServer(d server.Deps) *Server {
	s := &Server{pool: d.Pool, logger: d.Logger, weights: risk.DefaultWeights(), bands: riskscale.DefaultBands, now: d.Now}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// ServicesWith returns the pupil service's Connect services configured by
// opts, refusing invalid risk weights.
func ServicesWith(d server.Deps, opts Options) ([]server.Service, error) {
	s := newServer(d)
	if opts.Weights != nil {
		if err := opts.Weights.Validate(); err != nil {
			return nil, err
		}
		s.weights = *opts.Weights
	}
	if opts.Bands != nil {
		if err := opts.Bands.Validate(); err != nil {
			return nil, fmt.Errorf("risk bands: %w", err)
		}
		s.bands = *opts.Bands
	}
	return s.services(), nil
}

func (s *Server) services() []server.Service {
	return []server.Service{{
		Name: pupilv1connect.PupilServiceName,
		Mount: func(opts ...connect.HandlerOption) (string, http.Handler) {
			return pupilv1connect.NewPupilServiceHandler(s, opts...)
		},
	}}
}

// academicYear is the academic year today is in.
func (s *Server) academicYear() yeargroup.AcademicYear {
	return yeargroup.Containing(s.now().UTC())
}

// today is the date in England.
func (s *Server) today() time.Time { return calendar.Today(s.now()) }

// CreateSchool implements PupilService.
func (s *Server) CreateSchool(ctx context.Context, req *pupilv1.CreateSchoolRequest) (*pupilv1.CreateSchoolResponse, error) {
	p := auth.Caller(ctx)
	in := schoolFromProto(req.GetSchool())
	if !lacode.Current(in.LACode) {
		return nil, rpcerror.InvalidArgument(rpcerror.Violation{Field: "school.la_code", RuleID: "la_code.recognised", Message: "is not a current English local authority code"})
	}
	if t := in.EstablishmentType; t != "" && !establishment.Known(t) {
		return nil, rpcerror.InvalidArgument(rpcerror.Violation{Field: "school.establishment_type", RuleID: "establishment_type.known", Message: "is not an establishment type code GIAS uses"})
	}
	if !p.Scope.Covers(in.URN, in.LACode) {
		return nil, rpcerror.New(connect.CodePermissionDenied, refusalv1.Reason_REASON_OUT_OF_SCOPE, "the school's local authority is outside your scope")
	}
	stored, created, err := store.InsertSchool(ctx, s.pool, in)
	if errors.Is(err, store.ErrUKPRNExists) {
		return nil, rpcerror.InvalidArgument(rpcerror.Violation{Field: "school.ukprn", RuleID: "ukprn.unique", Message: "is registered to another institution"})
	}
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "insert school", err)
	}
	if !created && stored != in {
		return nil, rpcerror.New(connect.CodeAlreadyExists, refusalv1.Reason_REASON_SCHOOL_EXISTS, "a school with this URN exists with different details")
	}
	return &pupilv1.CreateSchoolResponse{School: schoolToProto(stored)}, nil
}

// GetSchool implements PupilService.
func (s *Server) GetSchool(ctx context.Context, req *pupilv1.GetSchoolRequest) (*pupilv1.GetSchoolResponse, error) {
	sch, err := store.GetSchool(ctx, s.pool, req.GetUrn())
	if errors.Is(err, store.ErrNotFound) || (err == nil && !auth.Caller(ctx).Scope.Covers(sch.URN, sch.LACode)) {
		return nil, rpcerror.NotFound("school")
	}
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "get school", err)
	}
	return &pupilv1.GetSchoolResponse{School: schoolToProto(sch)}, nil
}
