package pupilapi

import (
	"context"
	"time"

	"connectrpc.com/connect"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/yeargroup"
)

// transferCursor is ListResidenceTransfers' page token: the day and id of
// the last transfer.
type transferCursor struct {
	MovedOn string `json:"d"`
	ID      int64  `json:"i"`
}

func (c *transferCursor) Valid() bool {
	_, ok := intake.ParseDate(c.MovedOn)
	return ok && c.ID > 0
}

// ListResidenceTransfers implements PupilService.
func (s *Server) ListResidenceTransfers(ctx context.Context, req *pupilv1.ListResidenceTransfersRequest) (*pupilv1.ListResidenceTransfersResponse, error) {
	la := req.GetLaCode()
	if !auth.Caller(ctx).Scope.CoversLA(la) {
		return nil, rpcerror.New(connect.CodePermissionDenied, refusalv1.Reason_REASON_OUT_OF_SCOPE, "la_code is outside your scope")
	}
	since, ok := intake.ParseDate(req.GetSince())
	if !ok {
		return nil, rpcerror.InvalidArgument(rpcerror.Violation{Field: "since", RuleID: "date.valid", Message: "is not a real date"})
	}
	c := transferCursor{MovedOn: "0001-01-01"}
	if err := pagetoken.Decode(req.GetPageToken(), &c); err != nil {
		return nil, err
	}
	after, _ := time.Parse(time.DateOnly, c.MovedOn)
	size := pagetoken.Size(req.GetPageSize(), defaultPageSize, maxPageSize)
	// One more than the page says whether there is a next one.
	transfers, err := store.ResidenceTransfers(ctx, s.pool, la, since, after, c.ID, size+1)
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "list residence transfers", err)
	}
	res := &pupilv1.ListResidenceTransfersResponse{}
	if len(transfers) > size {
		transfers = transfers[:size]
		last := transfers[size-1]
		res.NextPageToken = pagetoken.Encode(transferCursor{MovedOn: dateString(last.MovedOn), ID: last.ID})
	}
	for _, t := range transfers {
		audit.TouchAt(ctx, "pupil", t.PupilID, "", la)
		res.Transfers = append(res.Transfers, &pupilv1.ResidenceTransfer{
			PupilId: t.PupilID, FromLaCode: t.From, ToLaCode: t.To, MovedOn: dateString(t.MovedOn),
		})
	}
	return res, nil
}

// residentsChunk is how many residents GetResidents sends a message.
const residentsChunk = 5000

// GetResidents implements PupilService: one query, streamed in chunks,
// ending with a message that says the list is complete. It is audited as
// one call touching each LA it lists, not each young person: it carries
// no more than an id, an LA and an age of each.
func (s *Server) GetResidents(ctx context.Context, req *pupilv1.GetResidentsRequest, stream *connect.ServerStream[pupilv1.GetResidentsResponse]) error {
	year, err := yeargroup.ParseAcademicYear(req.GetAcademicYear())
	if err != nil {
		return rpcerror.InvalidArgument(rpcerror.Violation{Field: "academic_year", RuleID: "academic_year.valid", Message: err.Error()})
	}
	residents, err := store.Residents(ctx, s.pool, year.Start, int(req.GetMinAcademicAge()), int(req.GetMaxAcademicAge()), req.GetLaCode())
	if err != nil {
		return rpcerror.Internal(ctx, s.logger, "residents", err)
	}
	areas := map[string]bool{}
	chunk := &pupilv1.GetResidentsResponse{}
	for _, r := range residents {
		if !areas[r.LACode] {
			areas[r.LACode] = true
			audit.TouchAt(ctx, "area", r.LACode, "", r.LACode)
		}
		chunk.Residents = append(chunk.Residents, &pupilv1.Resident{PupilId: r.PupilID, LaCode: r.LACode, AcademicAge: int32(r.AcademicAge)})
		if len(chunk.Residents) == residentsChunk {
			if err := stream.Send(chunk); err != nil {
				return err
			}
			chunk = &pupilv1.GetResidentsResponse{}
		}
	}
	chunk.Complete, chunk.Total = true, int32(len(residents))
	return stream.Send(chunk)
}
