package pupilapi

import (
	"context"
	"errors"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store"
)

// validPupil checks a Pupil message against the domain rules and that the
// caller may put a pupil in its school.
func (s *Server) validPupil(ctx context.Context, p *pupilv1.Pupil) (intake.Record, error) {
	row := recordFromProto(p)
	if len(row.Problems) > 0 {
		vs := make([]rpcerror.Violation, len(row.Problems))
		for i, pr := range row.Problems {
			vs[i] = rpcerror.Violation{Field: pr.Field, RuleID: pr.RuleID, Message: pr.Reason}
		}
		return intake.Record{}, rpcerror.InvalidArgument(vs...)
	}
	sch, err := s.visibleSchool(ctx, row.Record.SchoolURN)
	if err != nil {
		return intake.Record{}, err
	}
	if !sch.Open && row.Record.LeftOn.IsZero() {
		return intake.Record{}, rpcerror.New(connect.CodeFailedPrecondition, "SCHOOL_CLOSED", "the school is closed")
	}
	return row.Record, nil
}

// CreatePupil implements PupilService.
func (s *Server) CreatePupil(ctx context.Context, req *pupilv1.CreatePupilRequest) (*pupilv1.CreatePupilResponse, error) {
	rec, err := s.validPupil(ctx, req.GetPupil())
	if err != nil {
		return nil, err
	}
	p, err := store.InsertPupil(ctx, s.pool, req.GetIdempotencyKey(), store.NewID(), rec)
	switch {
	case errors.Is(err, store.ErrUPNExists):
		return nil, rpcerror.New(connect.CodeAlreadyExists, "UPN_EXISTS", "a pupil with this UPN is registered")
	case err != nil:
		return nil, rpcerror.Internal(ctx, s.logger, "insert pupil", err)
	}
	if !principal(ctx).CanSeeSchool(p.Record.SchoolURN, p.SchoolLACode) {
		// A retried key whose pupil has since moved out of scope.
		return nil, rpcerror.NotFound("pupil")
	}
	audit.Touch(ctx, "pupil", p.ID)
	return &pupilv1.CreatePupilResponse{Pupil: pupilToProto(p, s.academicYear(), s.weights)}, nil
}

// GetPupil implements PupilService.
func (s *Server) GetPupil(ctx context.Context, req *pupilv1.GetPupilRequest) (*pupilv1.GetPupilResponse, error) {
	p, err := s.visiblePupil(ctx, s.pool, req.GetId())
	if err != nil {
		return nil, err
	}
	audit.Touch(ctx, "pupil", p.ID)
	return &pupilv1.GetPupilResponse{Pupil: pupilToProto(p, s.academicYear(), s.weights)}, nil
}

func (s *Server) visiblePupil(ctx context.Context, db store.DB, id string) (store.Pupil, error) {
	p, err := store.GetPupil(ctx, db, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !principal(ctx).CanSeeSchool(p.Record.SchoolURN, p.SchoolLACode)) {
		return store.Pupil{}, rpcerror.NotFound("pupil")
	}
	if err != nil {
		return store.Pupil{}, rpcerror.Internal(ctx, s.logger, "get pupil", err)
	}
	return p, nil
}

// UpdatePupil implements PupilService.
func (s *Server) UpdatePupil(ctx context.Context, req *pupilv1.UpdatePupilRequest) (*pupilv1.UpdatePupilResponse, error) {
	id := req.GetPupil().GetId()
	if id == "" {
		return nil, rpcerror.InvalidArgument(rpcerror.Violation{Field: "pupil.id", RuleID: "id.required", Message: "names the pupil to update"})
	}
	rec, err := s.validPupil(ctx, req.GetPupil())
	if err != nil {
		return nil, err
	}
	var updated store.Pupil
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		current, err := s.visiblePupil(ctx, tx, id)
		if err != nil {
			return err
		}
		if current.Record.UPN != rec.UPN {
			return rpcerror.New(connect.CodeFailedPrecondition, "UPN_IMMUTABLE", "a pupil's UPN cannot be changed")
		}
		now := s.now().UTC()
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		updated, err = store.UpdatePupil(ctx, tx, id, req.GetVersion(), rec, today)
		return err
	})
	var cerr *connect.Error
	switch {
	case errors.As(err, &cerr):
		return nil, cerr
	case errors.Is(err, store.ErrStaleVersion):
		return nil, rpcerror.New(connect.CodeAborted, "STALE_VERSION", "the pupil has changed since you read it: read it again")
	case errors.Is(err, store.ErrNotFound):
		return nil, rpcerror.NotFound("pupil")
	case err != nil:
		return nil, rpcerror.Internal(ctx, s.logger, "update pupil", err)
	}
	audit.Touch(ctx, "pupil", updated.ID)
	return &pupilv1.UpdatePupilResponse{Pupil: pupilToProto(updated, s.academicYear(), s.weights)}, nil
}
