package web

// Imports: a CSV file or a Common Transfer File uploaded to the pupil
// service (ImportPupils, a client stream), then the row-level report, which
// can be downloaded as CSV.

import (
	"encoding/gob"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"connectrpc.com/connect"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/services/kit/csvexport"
)

// importChunk is the size of each chunk of the file sent to the service
// (it takes up to 1 MiB).
const importChunk = 256 << 10

// keyImportReport holds the last import's report in the session, so the
// report page and its download read it without sending the file again.
const keyImportReport = "import_report"

// importReport is what the pupil service answered, kept in the session.
type importReport struct {
	FileName                                     string
	Format                                       string
	Rows, Inserted, Updated, Unchanged, Rejected int32
	Rejections                                   []rejection
	Truncated                                    bool
	At                                           time.Time
}

type rejection struct{ Location, Field, RuleID, Reason string }

func init() { gob.Register(importReport{}) }

// maxRejectionsShown is how many rejections the report page lists; the
// download has them all.
const maxRejectionsShown = 200

type importForm struct {
	Format, School string
}

func (a *App) importPage(w http.ResponseWriter, r *http.Request, status int, f importForm, errs []fieldError) {
	if f.Format == "" {
		f.Format = "csv"
	}
	if f.School == "" {
		f.School = userFrom(r).Scope.SchoolURN
	}
	a.render(w, r, status, "imports", page{Title: "Import pupils", Nav: "imports", Errors: errs, Data: f})
}

// imports shows the upload form.
func (a *App) imports(w http.ResponseWriter, r *http.Request) {
	a.importPage(w, r, http.StatusOK, importForm{}, nil)
}

// upload sends the uploaded file to the pupil service as it is read, then
// keeps the report and shows it.
func (a *App) upload(w http.ResponseWriter, r *http.Request) {
	f := importForm{Format: r.PostFormValue("format"), School: strings.TrimSpace(r.PostFormValue("school"))}
	var errs []fieldError
	header := &pupilv1.ImportHeader{}
	switch f.Format {
	case "csv":
		header.Format = pupilv1.ImportFormat_IMPORT_FORMAT_CSV
	case "ctf":
		header.Format = pupilv1.ImportFormat_IMPORT_FORMAT_CTF
		switch {
		case f.School == "":
			errs = append(errs, fieldError{"school", "Enter the URN of the school receiving the pupils"})
		case !urnPattern.MatchString(f.School):
			errs = append(errs, fieldError{"school", "Enter a school URN of 6 digits, like 136001"})
		}
		header.SchoolUrn = f.School
	default:
		errs = append(errs, fieldError{"format", "Select the kind of file"})
	}
	var files []*multipart.FileHeader
	if r.MultipartForm != nil {
		files = r.MultipartForm.File["file"]
	}
	switch {
	case len(files) == 0 || files[0].Size == 0:
		errs = append(errs, fieldError{"file", "Select a file to upload"})
	case len(files) > 1:
		errs = append(errs, fieldError{"file", "Select one file"})
	}
	if len(errs) > 0 {
		a.importPage(w, r, http.StatusBadRequest, f, errs)
		return
	}
	file := files[0]
	header.SizeBytes = file.Size
	res, err := a.sendImport(r, header, file)
	switch {
	case connect.CodeOf(err) == connect.CodeInvalidArgument || connect.CodeOf(err) == connect.CodeFailedPrecondition:
		// The file as a whole was refused (not CSV, cut off, a CTF's school
		// out of scope): nothing was written.
		msg := "The file could not be imported, and nothing was saved"
		var cerr *connect.Error
		if errors.As(err, &cerr) && cerr.Message() != "" {
			msg += ": " + cerr.Message()
		}
		a.importPage(w, r, http.StatusBadRequest, f, []fieldError{{"file", msg}})
		return
	case isNotFound(err):
		a.importPage(w, r, http.StatusBadRequest, f, []fieldError{{"school", "Enter a school in your area"}})
		return
	case err != nil:
		a.serverError(w, r, err)
		return
	}
	report := importReport{
		FileName: file.Filename, Format: strings.ToUpper(f.Format),
		Rows: res.GetRows(), Inserted: res.GetInserted(), Updated: res.GetUpdated(), Unchanged: res.GetUnchanged(), Rejected: res.GetRejectedRows(),
		Truncated: res.GetRejectionsTruncated(), At: a.now(),
	}
	for _, rj := range res.GetRejections() {
		report.Rejections = append(report.Rejections, rejection{rj.GetLocation(), rj.GetField(), rj.GetRuleId(), rj.GetReason()})
	}
	a.sessions.manager.Put(r.Context(), keyImportReport, report)
	http.Redirect(w, r, "/imports/report", http.StatusSeeOther)
}

// sendImport streams the header, then the file in chunks, and returns the
// service's report.
func (a *App) sendImport(r *http.Request, header *pupilv1.ImportHeader, file *multipart.FileHeader) (*pupilv1.ImportPupilsResponse, error) {
	src, err := file.Open()
	if err != nil {
		return nil, err
	}
	defer func() { _ = src.Close() }()
	stream, err := a.pupils.ImportPupils(r.Context())
	if err != nil {
		return nil, err
	}
	send := func(req *pupilv1.ImportPupilsRequest) error {
		if err := stream.Send(req); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		return nil
	}
	if err := send(&pupilv1.ImportPupilsRequest{Part: &pupilv1.ImportPupilsRequest_Header{Header: header}}); err != nil {
		return nil, err
	}
	buf := make([]byte, importChunk)
	for {
		n, err := io.ReadFull(src, buf)
		if n > 0 {
			if serr := send(&pupilv1.ImportPupilsRequest{Part: &pupilv1.ImportPupilsRequest_Chunk{Chunk: append([]byte(nil), buf[:n]...)}}); serr != nil {
				return nil, serr
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	// An error the service answered while the file was being sent (Send
	// then says io.EOF) comes back here.
	return stream.CloseAndReceive()
}

type reportData struct {
	Report *importReport
	Shown  []rejection
}

// lastReport is the session's import report, or nil.
func (a *App) lastReport(r *http.Request) *importReport {
	rep, ok := a.sessions.manager.Get(r.Context(), keyImportReport).(importReport)
	if !ok {
		return nil
	}
	return &rep
}

// importReportPage shows the last import's report.
func (a *App) importReportPage(w http.ResponseWriter, r *http.Request) {
	rep := a.lastReport(r)
	if rep == nil {
		http.Redirect(w, r, ImportPath, http.StatusSeeOther)
		return
	}
	data := reportData{Report: rep, Shown: rep.Rejections}
	if len(data.Shown) > maxRejectionsShown {
		data.Shown = data.Shown[:maxRejectionsShown]
	}
	a.render(w, r, http.StatusOK, "import-report", page{Title: "Import report", Nav: "imports", Data: data})
}

// importReportCSV downloads the last import's rejections.
func (a *App) importReportCSV(w http.ResponseWriter, r *http.Request) {
	rep := a.lastReport(r)
	if rep == nil {
		a.notFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="import-report-`+rep.At.In(london).Format("2006-01-02-1504")+`.csv"`)
	cw := csvexport.NewWriter(w)
	_ = cw.Write([]string{"location", "field", "rule_id", "reason"})
	for _, rj := range rep.Rejections {
		if err := cw.Write([]string{rj.Location, rj.Field, rj.RuleID, rj.Reason}); err != nil {
			return
		}
	}
	cw.Flush()
}
