package web

// The audit log (hub admins only): who read or changed what, as the
// tracking service recorded it, newest first, with filters.

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
)

// auditPageSize is how many events a page shows.
const auditPageSize = 50

// targetPattern is a record as the audit log names it: "pupil:<id>".
var targetPattern = regexp.MustCompile(`^[a-z_]{1,30}:[A-Za-z0-9._-]{1,64}$`)

type auditFilter struct {
	Subject, Target                 string
	SinceDay, SinceMonth, SinceYear string
	UntilDay, UntilMonth, UntilYear string
	Page                            string
	since, until                    time.Time
}

func parseAuditFilter(q url.Values) (auditFilter, []fieldError) {
	f := auditFilter{
		Subject: strings.TrimSpace(q.Get("subject")), Target: strings.TrimSpace(q.Get("target")),
		SinceDay: strings.TrimSpace(q.Get("since-day")), SinceMonth: strings.TrimSpace(q.Get("since-month")), SinceYear: strings.TrimSpace(q.Get("since-year")),
		UntilDay: strings.TrimSpace(q.Get("until-day")), UntilMonth: strings.TrimSpace(q.Get("until-month")), UntilYear: strings.TrimSpace(q.Get("until-year")),
		Page: q.Get("page"),
	}
	var errs []fieldError
	if f.Subject != "" && !assigneePattern.MatchString(f.Subject) {
		errs = append(errs, fieldError{"subject", "Enter the user name or service account, like caseworker"})
	}
	if f.Target != "" && !targetPattern.MatchString(f.Target) {
		errs = append(errs, fieldError{"target", "Enter a record as the log names it, like pupil: then its id"})
	}
	since, _, msg := dateInput("date from", f.SinceDay, f.SinceMonth, f.SinceYear)
	if msg != "" {
		errs = append(errs, fieldError{"since-day", msg})
	}
	until, _, msg := dateInput("date to", f.UntilDay, f.UntilMonth, f.UntilYear)
	if msg != "" {
		errs = append(errs, fieldError{"until-day", msg})
	}
	if !since.IsZero() && !until.IsZero() && until.Before(since) {
		errs = append(errs, fieldError{"until-day", "The date to must be the same as or after the date from"})
	}
	// Days in England: from the start of since to the end of until.
	if !since.IsZero() {
		f.since = time.Date(since.Year(), since.Month(), since.Day(), 0, 0, 0, 0, london)
	}
	if !until.IsZero() {
		f.until = time.Date(until.Year(), until.Month(), until.Day()+1, 0, 0, 0, 0, london)
	}
	if len(f.Page) > 1000 {
		f.Page = ""
	}
	return f, errs
}

// query is the filter as a query string, with its page.
func (f auditFilter) query() string {
	q := url.Values{}
	for k, v := range map[string]string{
		"subject": f.Subject, "target": f.Target,
		"since-day": f.SinceDay, "since-month": f.SinceMonth, "since-year": f.SinceYear,
		"until-day": f.UntilDay, "until-month": f.UntilMonth, "until-year": f.UntilYear,
	} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Page != "" {
		q.Set("page", f.Page)
	}
	return q.Encode()
}

type auditData struct {
	Filter   auditFilter
	Events   []auditRow
	FirstURL string
	NextURL  string
}

// auditRow is one event in words, its records linked where the console
// has a page for them.
type auditRow struct {
	At, Subject, Role, Procedure, Purpose, Outcome string
	Targets                                        []auditTarget
	More                                           int32
}

type auditTarget struct{ Text, Href string }

// maxTargetsShown is how many of an event's records a row lists.
const maxTargetsShown = 5

// roleText is a role as the audit log records it (ROLE_HUB_ADMIN), in
// words: "hub admin".
func roleText(role string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(role, "ROLE_")), "_", " ")
}

func auditRowOf(e *trackingv1.AuditEvent) auditRow {
	row := auditRow{
		At: timeText(e.GetAt()), Subject: e.GetSubject(), Role: roleText(e.GetRole()),
		Procedure: e.GetProcedure()[strings.LastIndex(e.GetProcedure(), "/")+1:],
		Purpose:   e.GetPurpose(), Outcome: e.GetOutcome(),
	}
	for i, t := range e.GetTargets() {
		if i == maxTargetsShown {
			break
		}
		at := auditTarget{Text: t}
		kind, id, _ := strings.Cut(t, ":")
		if uuidPattern.MatchString(id) && (kind == "pupil" || kind == "task") {
			at.Href = "/" + kind + "s/" + id
		}
		row.Targets = append(row.Targets, at)
	}
	row.More = e.GetTargetCount() - int32(len(row.Targets))
	return row
}

// audit shows the tracking service's audit log to a hub admin.
func (a *App) audit(w http.ResponseWriter, r *http.Request) {
	if !userFrom(r).SeesAudit() {
		a.notFound(w, r)
		return
	}
	f, errs := parseAuditFilter(r.URL.Query())
	data := auditData{Filter: f}
	if len(errs) > 0 {
		a.render(w, r, http.StatusBadRequest, "audit", page{Title: "Audit log", Nav: "audit", Errors: errs, Data: data})
		return
	}
	req := &trackingv1.ListAuditEventsRequest{Subject: f.Subject, Target: f.Target, PageSize: auditPageSize, PageToken: f.Page}
	if !f.since.IsZero() {
		req.Since = timestamppb.New(f.since)
	}
	if !f.until.IsZero() {
		req.Until = timestamppb.New(f.until)
	}
	res, err := a.tracking.ListAuditEvents(r.Context(), req)
	if connect.CodeOf(err) == connect.CodeInvalidArgument {
		// A page token from another filter.
		data.Filter.Page = ""
		a.render(w, r, http.StatusBadRequest, "audit", page{Title: "Audit log", Nav: "audit", Data: data,
			Errors: []fieldError{{"subject", "The log changed: start again from the first page"}}})
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	for _, e := range res.GetEvents() {
		data.Events = append(data.Events, auditRowOf(e))
	}
	data.FirstURL, data.NextURL = pageLinks("/audit", f.Page, res.GetNextPageToken(), func(page string) string {
		nf := f
		nf.Page = page
		return nf.query()
	})
	a.render(w, r, http.StatusOK, "audit", page{Title: "Audit log", Nav: "audit", Data: data})
}
