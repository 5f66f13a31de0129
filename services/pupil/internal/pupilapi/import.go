package pupilapi

import (
	"context"
	"errors"
	"io"
	"sort"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/ctf"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/intake"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/pupilcsv"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/store"
)

// maxRejections bounds the rejections an import reports one by one.
const maxRejections = 10_000

// ImportPupils implements PupilService.
func (s *Server) ImportPupils(ctx context.Context, stream *connect.ClientStream[pupilv1.ImportPupilsRequest]) (*pupilv1.ImportPupilsResponse, error) {
	if !stream.Receive() {
		if err := stream.Err(); err != nil {
			return nil, err
		}
		return nil, headerFirst()
	}
	header := stream.Msg().GetHeader()
	if header == nil {
		return nil, headerFirst()
	}
	if header.GetFormat() == pupilv1.ImportFormat_IMPORT_FORMAT_CTF && header.GetSchoolUrn() == "" {
		return nil, rpcerror.InvalidArgument(rpcerror.Violation{Field: "header.school_urn", RuleID: "school_urn.required_for_ctf", Message: "names the school receiving the pupils of a CTF"})
	}
	file := &upload{stream: stream, want: header.GetSizeBytes()}

	res := &pupilv1.ImportPupilsResponse{}
	// Rejections arrive in file order, except those found once the whole
	// file is in (a repeated UPN's first row, a pupil registered outside
	// scope); they are put back in file order at the end.
	var order []int
	reject := func(row intake.Row) {
		for _, p := range row.Problems {
			if len(res.Rejections) == maxRejections {
				res.RejectionsTruncated = true
				return
			}
			res.Rejections = append(res.Rejections, &pupilv1.Rejection{Location: row.Location, Field: p.Field, RuleId: p.RuleID, Reason: p.Reason})
			order = append(order, row.Index)
		}
	}
	scope := auth.Caller(ctx).Scope
	var result store.ImportResult
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		src, fields, err := open(header, file)
		if err != nil {
			return err
		}
		schools, err := store.SchoolsInScope(ctx, tx, scope)
		if err != nil {
			return err
		}
		result, err = store.Import(ctx, tx, src, intake.NewGate(schools, fields, s.today()), scope, reject)
		if err != nil {
			return err
		}
		// The whole file must have arrived before anything is committed.
		return file.complete()
	})
	if err != nil {
		return nil, s.importError(ctx, err)
	}
	for _, id := range result.Changed {
		audit.Touch(ctx, "pupil", id)
	}
	sortByRow(res.Rejections, order)
	res.Rows, res.Inserted, res.Updated = int32(result.Rows), int32(result.Inserted), int32(result.Updated)
	res.Unchanged, res.RejectedRows = int32(result.Unchanged), int32(result.Rejected)
	return res, nil
}

// sortByRow puts rejections in the order of their rows in the file, keeping
// one row's problems in the order found.
func sortByRow(rejections []*pupilv1.Rejection, rows []int) {
	idx := make([]int, len(rejections))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return rows[idx[a]] < rows[idx[b]] })
	sorted := make([]*pupilv1.Rejection, len(rejections))
	for i, j := range idx {
		sorted[i] = rejections[j]
	}
	copy(rejections, sorted)
}

func headerFirst() error {
	return rpcerror.InvalidArgument(rpcerror.Violation{Field: "header", RuleID: "header.first", Message: "the first message must be the header"})
}

// open starts the parser of the header's format.
func open(h *pupilv1.ImportHeader, r io.Reader) (intake.Source, intake.Fields, error) {
	if h.GetFormat() == pupilv1.ImportFormat_IMPORT_FORMAT_CTF {
		src, err := ctf.NewReader(r, h.GetSchoolUrn())
		return fileSource{src}, ctf.Fields, fileError(err)
	}
	src, err := pupilcsv.NewReader(r)
	return fileSource{src}, pupilcsv.Fields, fileError(err)
}

// fileSource marks the errors of a parser as the file's.
type fileSource struct{ src intake.Source }

func (f fileSource) Next() (intake.Row, error) {
	row, err := f.src.Next()
	if errors.Is(err, io.EOF) {
		return row, err
	}
	return row, fileError(err)
}

// errFile marks an error in the file itself: its message names a line or an
// element and never quotes the content.
type errFile struct{ err error }

func (e errFile) Error() string { return e.err.Error() }

func fileError(err error) error {
	if err == nil {
		return nil
	}
	var u uploadError
	if errors.As(err, &u) {
		return err
	}
	return errFile{err}
}

// importError says why an import failed; whatever it was, the transaction
// was rolled back and nothing was written.
func (s *Server) importError(ctx context.Context, err error) error {
	var cerr *connect.Error
	var ferr errFile
	var uerr uploadError
	switch {
	case errors.As(err, &uerr):
		if connect.CodeOf(uerr.err) == connect.CodeInvalidArgument {
			return uerr.err // a message broke the contract (a chunk too large)
		}
		if uerr.err != nil {
			return connect.NewError(connect.CodeOf(uerr.err), errors.New("the upload was cut off: nothing was imported"))
		}
		return uerr.connectError()
	case errors.As(err, &ferr):
		return rpcerror.New(connect.CodeInvalidArgument, refusalv1.Reason_REASON_FILE_INVALID, "%s: nothing was imported", ferr.err.Error())
	case errors.As(err, &cerr):
		return cerr
	case errors.Is(err, store.ErrInconsistent), errors.Is(err, store.ErrUPNExists):
		return rpcerror.New(connect.CodeFailedPrecondition, refusalv1.Reason_REASON_ROW_CONFLICTS, "a row contradicts the stored pupil (a leaving date before the known joining date) or another change made at the same time: nothing was imported")
	case ctx.Err() != nil:
		return connect.NewError(connect.CodeCanceled, errors.New("the import was cancelled: nothing was imported"))
	}
	return rpcerror.Internal(ctx, s.logger, "import pupils", err)
}
