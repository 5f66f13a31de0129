package pupilapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"
	"google.golang.org/protobuf/types/known/timestamppb"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/api/riskscale"
	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/calendar"
	"github.com/nextstep-uk/nextstep/services/kit/csvexport"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/risk"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/yeargroup"
)

var decisionNames = map[pupilv1.RiskDecision]string{
	pupilv1.RiskDecision_RISK_DECISION_ADDED:      store.RiskAdded,
	pupilv1.RiskDecision_RISK_DECISION_SUPPRESSED: store.RiskSuppressed,
}

// ReviewRisk implements PupilService.
func (s *Server) ReviewRisk(ctx context.Context, req *pupilv1.ReviewRiskRequest) (*pupilv1.ReviewRiskResponse, error) {
	today := s.today()
	var review *store.RiskReview
	if r := req.GetReview(); r != nil {
		v, err := validReview(r, today)
		if err != nil {
			return nil, err
		}
		v.DecidedBy = auth.Caller(ctx).Subject
		review = &v
	}
	var p store.Pupil
	var stored store.RiskReview
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Scope is the pupil's school's, as this service records it.
		var err error
		if p, err = s.visiblePupil(ctx, tx, req.GetPupilId()); err != nil {
			return err
		}
		if review == nil {
			return store.ClearRiskReview(ctx, tx, p.ID)
		}
		stored, err = store.SetRiskReview(ctx, tx, p.ID, *review)
		return err
	})
	var cerr *connect.Error
	switch {
	case errors.As(err, &cerr):
		return nil, cerr
	case err != nil:
		return nil, rpcerror.Internal(ctx, s.logger, "review risk", err)
	}
	audit.Touch(ctx, "pupil", p.ID)
	out := pupilToProto(p, s.academicYear(), s.weights)
	if review != nil {
		out.RiskReview = reviewToProto(stored)
	}
	return &pupilv1.ReviewRiskResponse{Pupil: out}, nil
}

// validReview checks what the contract's rules cannot: a suppression has a
// review date, and a review date is after today and within a year.
func validReview(r *pupilv1.RiskReview, today time.Time) (store.RiskReview, error) {
	v := store.RiskReview{Decision: decisionNames[r.GetDecision()], Reason: r.GetReason()}
	if r.GetReviewOn() == "" {
		if v.Decision == store.RiskSuppressed {
			return v, rpcerror.InvalidArgument(rpcerror.Violation{Field: "review.review_on", RuleID: "review_on.required", Message: "is required to suppress a flag"})
		}
		return v, nil
	}
	on, ok := calendar.Parse(r.GetReviewOn())
	switch {
	case !ok:
		return v, rpcerror.InvalidArgument(rpcerror.Violation{Field: "review.review_on", RuleID: "date.valid", Message: "is not a date"})
	case !on.After(today):
		return v, rpcerror.InvalidArgument(rpcerror.Violation{Field: "review.review_on", RuleID: "review_on.future", Message: "must be after today"})
	case on.After(today.AddDate(1, 0, 0)):
		return v, rpcerror.InvalidArgument(rpcerror.Violation{Field: "review.review_on", RuleID: "review_on.within_year", Message: "must be within a year: review it at least once a year"})
	}
	v.ReviewOn = on
	return v, nil
}

// withReview adds the pupil's review in force today, if any.
func (s *Server) withReview(ctx context.Context, p *pupilv1.Pupil) (*pupilv1.Pupil, error) {
	reviews, err := store.RiskReviews(ctx, s.pool, []string{p.GetId()}, s.today())
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "read risk review", err)
	}
	p.RiskReview = reviewToProto(reviews[p.GetId()])
	return p, nil
}

// riskReviews reads the reviews in force today of the members.
func (s *Server) riskReviews(ctx context.Context, members []store.Member) (map[string]store.RiskReview, error) {
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.Pupil.ID
	}
	reviews, err := store.RiskReviews(ctx, s.pool, ids, s.today())
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "read risk reviews", err)
	}
	return reviews, nil
}

// reviewToProto renders a review; nil for none (the zero review).
func reviewToProto(r store.RiskReview) *pupilv1.RiskReview {
	if r.Decision == "" {
		return nil
	}
	out := &pupilv1.RiskReview{Reason: r.Reason, ReviewOn: dateString(r.ReviewOn), DecidedBy: r.DecidedBy, DecidedAt: timestamppb.New(r.DecidedAt)}
	for d, name := range decisionNames {
		if name == r.Decision {
			out.Decision = d
		}
	}
	return out
}

// riskListHeader is the risk list's first row; README.md documents each
// column.
var riskListHeader = []string{
	"pupil_id", "upn", "legal_surname", "legal_forename", "year_group", "score", "band", "factors",
	"review", "review_reason", "review_on", "reviewed_by",
}

// riskListChunkBytes is roughly how much CSV each message carries.
const riskListChunkBytes = 64 << 10

// listed is one row of the risk list.
type listed struct {
	pupil  store.Pupil
	score  risk.Score
	band   riskscale.Band
	review store.RiskReview
}

// ExportRiskList implements PupilService.
func (s *Server) ExportRiskList(ctx context.Context, req *pupilv1.ExportRiskListRequest, stream *connect.ServerStream[pupilv1.ExportRiskListResponse]) error {
	year := s.academicYear()
	if _, err := s.visibleSchool(ctx, req.GetSchoolUrn()); err != nil {
		return err
	}
	today := s.today()
	// Everyone on the school's roll today, year group by year group.
	var members []store.Member
	for group := yeargroup.First; group <= yeargroup.Last; group++ {
		c := store.Cohort{SchoolURN: req.GetSchoolUrn(), YearGroup: group, Year: year}
		err := store.EachMember(ctx, s.pool, auth.Caller(ctx).Scope, c, "", 0, func(m store.Member) error {
			if m.Pupil.Record.SchoolURN == c.SchoolURN && (m.LeftOn.IsZero() || m.LeftOn.After(today)) && !m.JoinedOn.After(today) {
				members = append(members, m)
			}
			return nil
		})
		if err != nil {
			return rpcerror.Internal(ctx, s.logger, "risk list", err)
		}
	}
	reviews, err := s.riskReviews(ctx, members)
	if err != nil {
		return err
	}
	var list []listed
	for _, m := range members {
		l := listed{pupil: m.Pupil, score: risk.Compute(m.Pupil.Record.RiskFactors(), s.weights), review: reviews[m.Pupil.ID]}
		l.band = s.bands.Of(int32(l.score.Total))
		if l.band == riskscale.High || l.review.Decision == store.RiskAdded {
			list = append(list, l)
		}
	}
	// Highest score first; ties by id, so the file is the same each time.
	sort.Slice(list, func(i, j int) bool {
		if list[i].score.Total != list[j].score.Total {
			return list[i].score.Total > list[j].score.Total
		}
		return list[i].pupil.ID < list[j].pupil.ID
	})
	return s.writeRiskList(ctx, stream, list, year)
}

func (s *Server) writeRiskList(ctx context.Context, stream *connect.ServerStream[pupilv1.ExportRiskListResponse], list []listed, year yeargroup.AcademicYear) error {
	var buf bytes.Buffer
	w := csvexport.NewWriter(&buf)
	flush := func(force bool) error {
		w.Flush()
		if err := w.Error(); err != nil || buf.Len() == 0 || (!force && buf.Len() < riskListChunkBytes) {
			return err
		}
		chunk := bytes.Clone(buf.Bytes())
		buf.Reset()
		return stream.Send(&pupilv1.ExportRiskListResponse{Chunk: chunk})
	}
	err := w.Write(riskListHeader)
	for _, l := range list {
		if err != nil {
			break
		}
		audit.Touch(ctx, "pupil", l.pupil.ID)
		r := l.pupil.Record
		factors := make([]string, len(l.score.Contributions))
		for i, c := range l.score.Contributions {
			factors[i] = fmt.Sprintf("%s (%d): %s", c.Factor, c.Weight, c.Evidence)
		}
		err = w.Write([]string{
			l.pupil.ID, r.UPN, r.LegalSurname, r.LegalForename, strconv.Itoa(yeargroup.Of(r.DateOfBirth, r.YearGroupOffset, year)),
			strconv.Itoa(l.score.Total), string(l.band), strings.Join(factors, "; "),
			l.review.Decision, l.review.Reason, dateString(l.review.ReviewOn), l.review.DecidedBy,
		})
		if err == nil {
			err = flush(false)
		}
	}
	if err == nil {
		err = flush(true)
	}
	if err != nil {
		if ctx.Err() != nil {
			return connect.NewError(connect.CodeCanceled, ctx.Err())
		}
		return rpcerror.Internal(ctx, s.logger, "write risk list", err)
	}
	return nil
}
