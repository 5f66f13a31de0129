package pupilapi

import (
	"context"
	"errors"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/idempotency"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store"
)

// validPupil checks a Pupil message against the domain rules and that the
// caller may put a pupil in its school.
func (s *Server) validPupil(ctx context.Context, p *pupilv1.Pupil) (intake.Record, error) {
	row := recordFromProto(p)
	row.CheckDates(protoFields, s.today())
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
		return intake.Record{}, rpcerror.New(connect.CodeFailedPrecondition, refusalv1.Reason_REASON_SCHOOL_CLOSED, "the school is closed")
	}
	return row.Record, nil
}

// CreatePupil implements PupilService.
func (s *Server) CreatePupil(ctx context.Context, req *pupilv1.CreatePupilRequest) (*pupilv1.CreatePupilResponse, error) {
	rec, err := s.validPupil(ctx, req.GetPupil())
	if err != nil {
		return nil, err
	}
	p, err := store.InsertPupil(ctx, s.pool, req.GetIdempotencyKey(), idempotency.Fingerprint(req), store.NewID(), rec)
	switch {
	case errors.Is(err, store.ErrKeyReused):
		return nil, rpcerror.New(connect.CodeAlreadyExists, refusalv1.Reason_REASON_IDEMPOTENCY_KEY_REUSED, "idempotency_key was used for a different request: nothing was saved")
	case errors.Is(err, store.ErrUPNExists):
		return nil, s.upnTaken(ctx, rec.UPN)
	case err != nil:
		return nil, rpcerror.Internal(ctx, s.logger, "insert pupil", err)
	}
	if !p.InScope(auth.Caller(ctx).Scope) {
		// A retried key whose pupil has since moved out of scope.
		return nil, rpcerror.NotFound("pupil")
	}
	audit.Touch(ctx, "pupil", p.ID)
	return &pupilv1.CreatePupilResponse{Pupil: pupilToProto(p, s.academicYear(), s.weights)}, nil
}

// upnTaken refuses a new pupil whose UPN is registered already. Within the
// caller's scope that is AlreadyExists (they can find the pupil); outside
// it, the caller learns only that the UPN belongs to another school, never
// which or whose.
func (s *Server) upnTaken(ctx context.Context, upn string) error {
	existing, err := store.PupilByUPN(ctx, s.pool, upn)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return rpcerror.Internal(ctx, s.logger, "find pupil by UPN", err)
	}
	if err == nil && existing.InScope(auth.Caller(ctx).Scope) {
		return rpcerror.New(connect.CodeAlreadyExists, refusalv1.Reason_REASON_UPN_EXISTS, "a pupil with this UPN is registered")
	}
	return rpcerror.InvalidArgument(rpcerror.Violation{Field: "pupil.upn", RuleID: "upn.registered_elsewhere",
		Message: "belongs to a pupil at another school: ask for a transfer"})
}

// LocatePupils implements PupilService.
func (s *Server) LocatePupils(ctx context.Context, req *pupilv1.LocatePupilsRequest) (*pupilv1.LocatePupilsResponse, error) {
	found, err := store.LocatePupils(ctx, s.pool, auth.Caller(ctx).Scope, req.GetPupilIds())
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "locate pupils", err)
	}
	res := &pupilv1.LocatePupilsResponse{Locations: make([]*pupilv1.PupilLocation, 0, len(found))}
	for _, l := range found {
		audit.Touch(ctx, "pupil", l.PupilID)
		res.Locations = append(res.Locations, &pupilv1.PupilLocation{
			PupilId: l.PupilID, SchoolUrn: l.SchoolURN, LaCode: l.LACode, ResidenceLaCode: l.ResidenceLACode,
		})
	}
	return res, nil
}

// GetPupil implements PupilService.
func (s *Server) GetPupil(ctx context.Context, req *pupilv1.GetPupilRequest) (*pupilv1.GetPupilResponse, error) {
	p, err := s.visiblePupil(ctx, s.pool, req.GetId())
	if err != nil {
		return nil, err
	}
	out, err := s.render(ctx, p)
	if err != nil {
		return nil, err
	}
	audit.Touch(ctx, "pupil", p.ID)
	return &pupilv1.GetPupilResponse{Pupil: out}, nil
}

// render is the Pupil message for a stored pupil: their record, risk
// score, the risk review in force and the residences they have left.
func (s *Server) render(ctx context.Context, p store.Pupil) (*pupilv1.Pupil, error) {
	out, err := s.withReview(ctx, pupilToProto(p, s.academicYear(), s.weights))
	if err != nil {
		return nil, err
	}
	moves, err := store.ResidenceHistory(ctx, s.pool, p.ID)
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "read residence history", err)
	}
	out.ResidenceHistory = movesToProto(moves)
	out.LaCodeAtYear11 = store.LAAtYear11(p.Record, moves, s.today())
	return out, nil
}

func (s *Server) visiblePupil(ctx context.Context, db store.DB, id string) (store.Pupil, error) {
	p, err := store.GetPupil(ctx, db, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !p.InScope(auth.Caller(ctx).Scope)) {
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
			return rpcerror.New(connect.CodeFailedPrecondition, refusalv1.Reason_REASON_UPN_IMMUTABLE, "a pupil's UPN cannot be changed")
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
		return nil, rpcerror.New(connect.CodeAborted, refusalv1.Reason_REASON_STALE_VERSION, "the pupil has changed since you read it: read it again")
	case errors.Is(err, store.ErrNotFound):
		return nil, rpcerror.NotFound("pupil")
	case err != nil:
		return nil, rpcerror.Internal(ctx, s.logger, "update pupil", err)
	}
	audit.Touch(ctx, "pupil", updated.ID)
	out, err := s.render(ctx, updated)
	if err != nil {
		return nil, err
	}
	return &pupilv1.UpdatePupilResponse{Pupil: out}, nil
}
