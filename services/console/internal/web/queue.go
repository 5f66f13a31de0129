package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"connectrpc.com/connect"
	"golang.org/x/sync/errgroup"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
)

// queuePageSize is how many tasks a queue page shows.
const queuePageSize = 25

// queueFilter is the queue page's query: which tasks, and which page.
type queueFilter struct {
	View     string // "team" (everything in scope) or "mine"
	LA       string
	School   string
	Reason   string
	Priority string // low, normal, high, urgent or ""
	Overdue  bool
	Assignee string
	Page     string // the service's opaque page token
}

var (
	laPattern       = regexp.MustCompile(`^[0-9]{3}$`)
	urnPattern      = regexp.MustCompile(`^[0-9]{6}$`)
	reasonPattern   = regexp.MustCompile(`^[A-Z][A-Z0-9_]{2,63}$`)
	assigneePattern = regexp.MustCompile(`^[A-Za-z0-9._~@:-]{1,200}$`)
)

var priorities = map[string]trackingv1.Priority{
	"low":    trackingv1.Priority_PRIORITY_LOW,
	"normal": trackingv1.Priority_PRIORITY_NORMAL,
	"high":   trackingv1.Priority_PRIORITY_HIGH,
	"urgent": trackingv1.Priority_PRIORITY_URGENT,
}

// parseQueueFilter reads the query, naming each field that is wrong.
func parseQueueFilter(q url.Values) (queueFilter, []fieldError) {
	f := queueFilter{
		View:     q.Get("view"),
		LA:       strings.TrimSpace(q.Get("la")),
		School:   strings.TrimSpace(q.Get("school")),
		Reason:   q.Get("reason"),
		Priority: q.Get("priority"),
		Overdue:  q.Get("overdue") == "yes",
		Assignee: strings.TrimSpace(q.Get("assignee")),
		Page:     q.Get("page"),
	}
	var errs []fieldError
	if f.View != "mine" {
		f.View = "team"
	}
	errs = append(errs, placeErrors(f.LA, f.School)...)
	if f.Reason != "" && !reasonPattern.MatchString(f.Reason) {
		errs = append(errs, fieldError{"reason", "Select a reason from the list"})
	}
	if _, ok := priorities[f.Priority]; f.Priority != "" && !ok {
		errs = append(errs, fieldError{"priority", "Select a priority from the list"})
	}
	if f.Assignee != "" && !assigneePattern.MatchString(f.Assignee) {
		errs = append(errs, fieldError{"assignee", "Enter the assignee's user name, like caseworker"})
	}
	if len(f.Page) > 1000 {
		f.Page = ""
	}
	return f, errs
}

// placeErrors checks a filter's local authority code and school URN (each
// optional), naming the field that is wrong.
func placeErrors(la, school string) []fieldError {
	var errs []fieldError
	if la != "" && !laPattern.MatchString(la) {
		errs = append(errs, fieldError{"la", "Enter a local authority code of 3 digits, like 336"})
	}
	if school != "" && !urnPattern.MatchString(school) {
		errs = append(errs, fieldError{"school", "Enter a school URN of 6 digits, like 136001"})
	}
	return errs
}

// query is the filter as a query string, without the page unless withPage.
func (f queueFilter) query(withPage bool) string {
	q := url.Values{}
	if f.View == "mine" {
		q.Set("view", "mine")
	}
	for k, v := range map[string]string{"la": f.LA, "school": f.School, "reason": f.Reason, "priority": f.Priority, "assignee": f.Assignee} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Overdue {
		q.Set("overdue", "yes")
	}
	if withPage && f.Page != "" {
		q.Set("page", f.Page)
	}
	return q.Encode()
}

type queueData struct {
	Filter     queueFilter
	Tasks      []*trackingv1.Task
	Counts     *trackingv1.CountTasksResponse
	Schools    map[string]string // name by URN
	Reasons    []string
	Priorities []string
	NextURL    string
	FirstURL   string
	// Return is this page's address, for the bulk form to come back to.
	Return string
}

// queue lists the tasks in the person's scope, most urgent first (the
// service's order: priority, then due date), with the counts by reason
// and priority beside it.
func (a *App) queue(w http.ResponseWriter, r *http.Request) {
	u := userFrom(r)
	f, errs := parseQueueFilter(r.URL.Query())
	data := queueData{Filter: f, Reasons: reasonCodes(), Priorities: []string{"urgent", "high", "normal", "low"}, Schools: map[string]string{}}
	if len(errs) > 0 {
		a.render(w, r, http.StatusBadRequest, "queue", page{Title: "Queue", Nav: "queue", Errors: errs, Data: data})
		return
	}
	assignee := f.Assignee
	if f.View == "mine" {
		assignee = u.Subject
	}
	ctx := r.Context()
	var (
		list   *trackingv1.ListTasksResponse
		counts *trackingv1.CountTasksResponse
		school *pupilv1.ListSchoolsResponse
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		list, err = a.tracking.ListTasks(gctx, &trackingv1.ListTasksRequest{
			LaCode: f.LA, SchoolUrn: f.School, ReasonCode: f.Reason, Priority: priorities[f.Priority],
			OverdueOnly: f.Overdue, Assignee: assignee, PageSize: queuePageSize, PageToken: f.Page,
		})
		return err
	})
	g.Go(func() (err error) {
		counts, err = a.tracking.CountTasks(gctx, &trackingv1.CountTasksRequest{
			LaCode: f.LA, SchoolUrn: f.School, Assignee: assignee,
		})
		return err
	})
	g.Go(func() error {
		// School names are not personal data; a page without them still
		// works (it shows the URNs).
		res, err := a.pupils.ListSchools(gctx, &pupilv1.ListSchoolsRequest{PageSize: 500, LaCode: f.LA})
		if err == nil {
			school = res
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		if connect.CodeOf(err) == connect.CodeInvalidArgument {
			// A page token from another filter, or one that expired.
			errs = append(errs, fieldError{"la", "The queue changed: start again from the first page"})
			data.Filter.Page = ""
			a.render(w, r, http.StatusBadRequest, "queue", page{Title: "Queue", Nav: "queue", Errors: errs, Data: data})
			return
		}
		a.serverError(w, r, err)
		return
	}
	if school != nil {
		for _, s := range school.GetSchools() {
			data.Schools[s.GetUrn()] = s.GetName()
		}
	}
	data.Tasks = list.GetTasks()
	data.Counts = counts
	data.Return = "/queue"
	if q := f.query(true); q != "" {
		data.Return += "?" + q
	}
	data.FirstURL, data.NextURL = pageLinks("/queue", f.Page, list.GetNextPageToken(), func(page string) string {
		nf := f
		nf.Page = page
		return nf.query(true)
	})
	a.render(w, r, http.StatusOK, "queue", page{Title: "Queue", Nav: "queue", Data: data})
}

// bulkAssign assigns the selected tasks to the person (or the colleague
// they name). Each task is sent with the version the page showed, so a
// task someone else changed meanwhile is left alone and counted.
func (a *App) bulkAssign(w http.ResponseWriter, r *http.Request) {
	u := userFrom(r)
	if !u.CanAct() {
		a.notFound(w, r)
		return
	}
	back := localPath(r.PostForm.Get("return"))
	if !strings.HasPrefix(back, "/queue") {
		back = "/queue"
	}
	assignee := u.Subject
	if r.PostForm.Get("to") == "colleague" {
		assignee = strings.TrimSpace(r.PostForm.Get("colleague"))
		if !assigneePattern.MatchString(assignee) {
			a.notice(r, "Nothing was assigned: enter your colleague's user name.")
			http.Redirect(w, r, back, http.StatusSeeOther)
			return
		}
	}
	selected := r.PostForm["task"]
	if len(selected) == 0 {
		a.notice(r, "Nothing was assigned: select at least one task.")
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	if len(selected) > queuePageSize*4 {
		selected = selected[:queuePageSize*4]
	}
	var done, stale, failed int
	for _, s := range selected {
		id, v, ok := strings.Cut(s, ":")
		version, err := strconv.ParseInt(v, 10, 64)
		if !ok || err != nil || version <= 0 {
			failed++
			continue
		}
		_, err = a.tracking.UpdateTask(r.Context(), &trackingv1.UpdateTaskRequest{
			TaskId: id, Version: version,
			Change: &trackingv1.UpdateTaskRequest_Assign_{Assign: &trackingv1.UpdateTaskRequest_Assign{Assignee: assignee}},
		})
		switch {
		case err == nil:
			done++
		case isStale(err) || isIllegal(err):
			stale++
		case isNotFound(err):
			failed++
		default:
			a.serverError(w, r, err)
			return
		}
	}
	who := "you"
	if assignee != u.Subject {
		who = assignee
	}
	msg := plural(done, "task") + " assigned to " + who + "."
	if stale > 0 {
		msg += " " + plural(stale, "task") + " had changed since you loaded the page and were left as they are."
	}
	if failed > 0 {
		msg += " " + plural(failed, "task") + " could not be found."
	}
	a.flash(r, msg)
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// pageLinks are a paged list's links back to its first page (when it is
// not on it) and on to the next (when there is one); query is the list's
// filter as a query string with the page token given ("" for the first).
func pageLinks(path, current, next string, query func(page string) string) (first, nextURL string) {
	at := func(q string) string {
		if q == "" {
			return path
		}
		return path + "?" + q
	}
	if current != "" {
		first = at(query(""))
	}
	if next != "" {
		nextURL = at(query(next))
	}
	return first, nextURL
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
