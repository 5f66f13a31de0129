package web

// Exports: the NCCIS destinations CSV (tracking ExportDestinations), DfE's
// measures per LA (tracking ExportMeasures) and a school's at-risk list CSV
// (pupil ExportRiskList), streamed from the service to the browser as they
// come, never held whole.

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"connectrpc.com/connect"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
)

type exportsData struct {
	// Destinations says the person may export the destinations (hub admin,
	// caseworker, as the tracking service allows).
	Destinations bool
	// LA and School are the forms' values, as typed.
	LA, School, RiskSchool string
	// Year and MeasuresLA are the measures form's.
	Year, MeasuresLA string
}

// canExportDestinations is the tracking service's rule for
// ExportDestinations.
func canExportDestinations(u *user) bool {
	return u.Role == auth.RoleHubAdmin || u.Role == auth.RoleCaseworker
}

func (a *App) exportsPage(w http.ResponseWriter, r *http.Request, status int, data exportsData, errs []fieldError) {
	u := userFrom(r)
	data.Destinations = canExportDestinations(u)
	if data.RiskSchool == "" {
		data.RiskSchool = u.Scope.SchoolURN
	}
	a.render(w, r, status, "exports", page{Title: "Exports", Nav: "exports", Errors: errs, Data: data})
}

// exports shows the downloads the person may make.
func (a *App) exports(w http.ResponseWriter, r *http.Request) {
	a.exportsPage(w, r, http.StatusOK, exportsData{}, nil)
}

// chunkStream is a server stream of CSV chunks.
type chunkStream[T interface{ GetChunk() []byte }] interface {
	Receive() bool
	Msg() T
	Err() error
	Close() error
}

// sendCSV streams a service's CSV to the browser as a download named
// filename. The first chunk is read before anything is written, so a
// refusal (out of scope, say) is still a page; a failure after that
// aborts the response, so the browser reports a failed download rather
// than keeping a file cut short.
func sendCSV[T interface{ GetChunk() []byte }](w http.ResponseWriter, stream chunkStream[T], filename string) (started bool, err error) {
	defer func() { _ = stream.Close() }()
	first := stream.Receive()
	if !first {
		if err := stream.Err(); err != nil {
			return false, err
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	w.WriteHeader(http.StatusOK)
	for ok := first; ok; ok = stream.Receive() {
		if _, err := w.Write(stream.Msg().GetChunk()); err != nil {
			return true, err
		}
	}
	return true, stream.Err()
}

// exportDestinations sends the NCCIS destinations CSV of the person's
// scope, or the local authority or school the form names.
func (a *App) exportDestinations(w http.ResponseWriter, r *http.Request) {
	if !canExportDestinations(userFrom(r)) {
		a.notFound(w, r)
		return
	}
	q := r.URL.Query()
	data := exportsData{LA: strings.TrimSpace(q.Get("la")), School: strings.TrimSpace(q.Get("school"))}
	if errs := placeErrors(data.LA, data.School); len(errs) > 0 {
		a.exportsPage(w, r, http.StatusBadRequest, data, errs)
		return
	}
	stream, err := a.tracking.ExportDestinations(r.Context(), &trackingv1.ExportDestinationsRequest{LaCode: data.LA, SchoolUrn: data.School})
	if err == nil {
		var started bool
		if started, err = sendCSV[*trackingv1.ExportDestinationsResponse](w, stream, "nccis-destinations-"+a.now().In(london).Format(time.DateOnly)+".csv"); started {
			a.abortOn(r, err)
			return
		}
	}
	a.exportFailed(w, r, err, data, fieldError{"la", "Enter a local authority or school in your area"})
}

// exportMeasures sends DfE's measures per local authority of residence
// (NEET, not known, participation, the Activity Survey) as CSV, for an
// academic year and LA the form may name.
func (a *App) exportMeasures(w http.ResponseWriter, r *http.Request) {
	if !canExportDestinations(userFrom(r)) {
		a.notFound(w, r)
		return
	}
	q := r.URL.Query()
	data := exportsData{Year: strings.TrimSpace(q.Get("year")), MeasuresLA: strings.TrimSpace(q.Get("measures-la"))}
	var errs []fieldError
	if data.Year != "" && !academicYearPattern.MatchString(data.Year) {
		errs = append(errs, fieldError{"year", "Enter an academic year like 2025/26"})
	}
	if data.MeasuresLA != "" && !laPattern.MatchString(data.MeasuresLA) {
		errs = append(errs, fieldError{"measures-la", "Enter a local authority code of 3 digits, like 336"})
	}
	if len(errs) > 0 {
		a.exportsPage(w, r, http.StatusBadRequest, data, errs)
		return
	}
	stream, err := a.tracking.ExportMeasures(r.Context(), &trackingv1.ExportMeasuresRequest{AcademicYear: data.Year, LaCode: data.MeasuresLA})
	if err == nil {
		var started bool
		if started, err = sendCSV[*trackingv1.ExportMeasuresResponse](w, stream, "dfe-measures-"+a.now().In(london).Format(time.DateOnly)+".csv"); started {
			a.abortOn(r, err)
			return
		}
	}
	a.exportFailed(w, r, err, data, fieldError{"measures-la", "Enter a local authority in your area"})
}

// academicYearPattern is an academic year as the services write it.
var academicYearPattern = regexp.MustCompile(`^[0-9]{4}/[0-9]{2}$`)

// exportRiskList sends a school's at-risk list CSV.
func (a *App) exportRiskList(w http.ResponseWriter, r *http.Request) {
	data := exportsData{RiskSchool: strings.TrimSpace(r.URL.Query().Get("risk-school"))}
	switch {
	case data.RiskSchool == "":
		a.exportsPage(w, r, http.StatusBadRequest, data, []fieldError{{"risk-school", "Enter the school's URN"}})
		return
	case !urnPattern.MatchString(data.RiskSchool):
		a.exportsPage(w, r, http.StatusBadRequest, data, []fieldError{{"risk-school", "Enter a school URN of 6 digits, like 136001"}})
		return
	}
	stream, err := a.pupils.ExportRiskList(r.Context(), &pupilv1.ExportRiskListRequest{SchoolUrn: data.RiskSchool})
	if err == nil {
		var started bool
		if started, err = sendCSV[*pupilv1.ExportRiskListResponse](w, stream, "at-risk-list-"+data.RiskSchool+"-"+a.now().In(london).Format(time.DateOnly)+".csv"); started {
			a.abortOn(r, err)
			return
		}
	}
	a.exportFailed(w, r, err, data, fieldError{"risk-school", "Enter a school in your area"})
}

// exportFailed shows the exports page for a refusal before the download
// began: out of scope is an error on the form, anything else the problem
// page.
func (a *App) exportFailed(w http.ResponseWriter, r *http.Request, err error, data exportsData, outOfScope fieldError) {
	if isNotFound(err) || connect.CodeOf(err) == connect.CodeFailedPrecondition {
		a.exportsPage(w, r, http.StatusBadRequest, data, []fieldError{outOfScope})
		return
	}
	a.serverError(w, r, err)
}

// abortOn ends a download that failed part way: the connection is cut, so
// the browser does not keep half a file as if it were whole.
func (a *App) abortOn(r *http.Request, err error) {
	if err == nil {
		return
	}
	a.logger.ErrorContext(r.Context(), "export failed part way", "path", r.URL.Path, "error", err)
	panic(http.ErrAbortHandler)
}
