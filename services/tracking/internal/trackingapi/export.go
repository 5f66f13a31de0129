package trackingapi

import (
	"bytes"
	"context"
	"slices"
	"time"

	"connectrpc.com/connect"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/csvexport"
	"github.com/nextstep-uk/nextstep/services/kit/enrolment"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/nccis"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store"
)

// exportHeader is the CSV's first row; README.md documents each column.
var exportHeader = []string{
	"pupil_id", "la_code", "school_urn", "activity_code", "activity_description", "activity_group",
	"destination_kind", "start_date", "date_ascertained", "source",
}

const (
	// exportChunkBytes is roughly how much CSV each message carries.
	exportChunkBytes = 64 << 10
	// exportBatch is how many young people the export locates at a time.
	exportBatch = 1000
	// The academic ages whose caseload an LA's export asks the pupil
	// service for: every age it answers for (an EHC plan runs to 25).
	exportMinAge, exportMaxAge = 4, 25
)

// exportFilter is who an export covers, decided from where each young
// person is now, as the pupil service says, never from where they were
// when a record was written: an LA's export is its caseload (those who
// live in it, or attend its schools until a residence is recorded), so a
// young person who moved is exported by the LA they moved to, under its
// code, and no longer by the one they left.
type exportFilter struct {
	scope      auth.Scope
	laCode     string // the request's filter, if any
	schoolURN  string // the request's filter, if any
	caseloadOf []string
}

func newExportFilter(scope auth.Scope, laCode, schoolURN string) exportFilter {
	f := exportFilter{scope: scope, laCode: laCode, schoolURN: schoolURN}
	switch {
	case laCode != "":
		f.caseloadOf = []string{laCode}
	case !scope.All && scope.SchoolURN == "":
		f.caseloadOf = scope.LACodes
	}
	return f
}

// includes reports whether the young person enrolled as e is in the
// export: in the caller's scope as a caseload, and in the filters.
func (f exportFilter) includes(e enrolment.Enrolment) bool {
	if f.laCode != "" && e.CaseloadLA() != f.laCode || f.schoolURN != "" && e.SchoolURN != f.schoolURN {
		return false
	}
	switch {
	case f.scope.All:
		return true
	case f.scope.SchoolURN != "":
		return e.SchoolURN == f.scope.SchoolURN
	default:
		return slices.Contains(f.scope.LACodes, e.CaseloadLA())
	}
}

// ExportDestinations implements TrackingService. It walks the latest
// record of every young person with a record in the caller's scope and
// filters, and of everyone the pupil service says is in the caseload of
// the LAs asked for (a young person who moved in may have records only
// under the LA they left), locates them in batches and writes those the
// filter includes, each under the LA and school they are in now.
func (s *Server) ExportDestinations(ctx context.Context, req *trackingv1.ExportDestinationsRequest, stream *connect.ServerStream[trackingv1.ExportDestinationsResponse]) error {
	f := newExportFilter(auth.Caller(ctx).Scope, req.GetLaCode(), req.GetSchoolUrn())
	var also []string
	year := academicyear.Containing(s.today()).String()
	for _, la := range f.caseloadOf {
		residents, err := s.pupils.Residents(ctx, year, la, exportMinAge, exportMaxAge)
		if err != nil {
			return enrolment.Unavailable(ctx, s.logger, err)
		}
		for _, r := range residents {
			also = append(also, r.PupilID)
		}
	}

	var buf bytes.Buffer
	w := csvexport.NewWriter(&buf)
	flush := func(force bool) error {
		w.Flush()
		if buf.Len() == 0 || (!force && buf.Len() < exportChunkBytes) {
			return w.Error()
		}
		chunk := bytes.Clone(buf.Bytes())
		buf.Reset()
		return stream.Send(&trackingv1.ExportDestinationsResponse{Chunk: chunk})
	}
	if err := w.Write(exportHeader); err != nil {
		return rpcerror.Internal(ctx, s.logger, "export destinations", err)
	}
	batch := make([]store.Destination, 0, exportBatch)
	var unlocated error // the pupil service's failure, told apart from the store's
	write := func() error {
		ids := make([]string, len(batch))
		for i, d := range batch {
			ids[i] = d.PupilID
		}
		found, err := s.pupils.Locate(ctx, ids)
		if err != nil {
			unlocated = err
			return err
		}
		for _, d := range batch {
			e, ok := found[d.PupilID]
			if !ok || !f.includes(e) {
				continue
			}
			la := e.CaseloadLA()
			c, _ := nccis.Lookup(d.ActivityCode)
			audit.TouchAt(ctx, "pupil", d.PupilID, e.SchoolURN, la)
			if err := w.Write([]string{
				d.PupilID, la, e.SchoolURN, d.ActivityCode, c.Description, c.Group.String(),
				d.Kind, d.EffectiveDate.Format(time.DateOnly), d.RecordedAt.UTC().Format(time.DateOnly), d.Source,
			}); err != nil {
				return err
			}
		}
		batch = batch[:0]
		return flush(false)
	}
	err := store.EachLatestDestination(ctx, s.pool, f.scope, req.GetLaCode(), req.GetSchoolUrn(), also, func(d store.Destination) error {
		batch = append(batch, d)
		if len(batch) < exportBatch {
			return nil
		}
		return write()
	})
	if err == nil && len(batch) > 0 {
		err = write()
	}
	if err == nil {
		err = flush(true)
	}
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return connect.NewError(connect.CodeCanceled, ctx.Err())
	case unlocated != nil:
		return enrolment.Unavailable(ctx, s.logger, unlocated)
	default:
		return rpcerror.Internal(ctx, s.logger, "export destinations", err)
	}
}
