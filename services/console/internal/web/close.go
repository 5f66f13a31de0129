package web

// Resolving and dismissing a task, each through "check your answers": the
// form, the check page, the confirmation that sends the change.

import (
	"encoding/gob"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
)

// A draft resolve or dismiss is kept in the session between the form and
// its confirmation, so what the person typed never goes into a URL.
func draftKey(kind, id string) string { return "draft:" + kind + ":" + id }

type closeForm struct {
	Task   *trackingv1.Task
	Young  *young
	Kind   string // "resolve" or "dismiss"
	Text   string // the outcome or the reason
	Day    string
	Month  string
	Year   string
	Snooze string // YYYY-MM-DD, on the check page
	// Version is the task's version the form was read at.
	Version int64
}

func (a *App) closeFormPage(w http.ResponseWriter, r *http.Request, kind string, status int, f *closeForm, errs []fieldError) {
	title := "Resolve the task"
	if kind == "dismiss" {
		title = "Dismiss the task"
	}
	a.render(w, r, status, kind, page{Title: title, Nav: "queue", Errors: errs, Data: f})
}

// actionableTask loads the task for a change by a person whose role may
// make one; ok is false once the answer has been written (not found, or a
// failure).
func (a *App) actionableTask(w http.ResponseWriter, r *http.Request) (*taskData, bool) {
	if !a.canActOr404(w, r) {
		return nil, false
	}
	data, found, err := a.loadTask(r, r.PathValue("id"))
	if err != nil {
		a.serverError(w, r, err)
		return nil, false
	}
	if !found {
		a.notFound(w, r)
		return nil, false
	}
	return data, true
}

// startClose shows the resolve or dismiss form, filled from a draft when
// the person came back to change an answer.
func (a *App) startClose(w http.ResponseWriter, r *http.Request, kind string) {
	data, ok := a.actionableTask(w, r)
	if !ok {
		return
	}
	if !data.Active {
		http.Redirect(w, r, "/tasks/"+data.Task.GetId(), http.StatusSeeOther)
		return
	}
	f := &closeForm{Task: data.Task, Young: data.Young, Kind: kind, Version: data.Task.GetVersion()}
	if d, ok := a.sessions.manager.Get(r.Context(), draftKey(kind, data.Task.GetId())).(draft); ok {
		f.Text, f.Day, f.Month, f.Year = d.Text, d.Day, d.Month, d.Year
	}
	a.closeFormPage(w, r, kind, http.StatusOK, f, nil)
}

func (a *App) resolveForm(w http.ResponseWriter, r *http.Request) { a.startClose(w, r, "resolve") }
func (a *App) dismissForm(w http.ResponseWriter, r *http.Request) { a.startClose(w, r, "dismiss") }

// draft is what the person entered, kept until they confirm. It is stored
// in the session, so it is registered with encoding/gob (see init).
type draft struct {
	Text, Day, Month, Year string
	Snooze                 string
	Version                int64
}

func init() {
	gob.Register(draft{})
	gob.Register(time.Time{})
}

// maxCloseText is the longest outcome or dismiss reason the service keeps.
const maxCloseText = 500

// checkClose validates the form and shows "check your answers", or the
// form again with its errors.
func (a *App) checkClose(w http.ResponseWriter, r *http.Request, kind string) {
	data, ok := a.actionableTask(w, r)
	if !ok {
		return
	}
	form := r.PostForm
	f := &closeForm{
		Task: data.Task, Young: data.Young, Kind: kind,
		Text: strings.TrimSpace(form.Get("text")),
		Day:  strings.TrimSpace(form.Get("snooze-day")), Month: strings.TrimSpace(form.Get("snooze-month")), Year: strings.TrimSpace(form.Get("snooze-year")),
		Version: versionOf(r),
	}
	var errs []fieldError
	what := "what came of it"
	if kind == "dismiss" {
		what = "why the task needs no action"
	}
	switch {
	case f.Text == "":
		errs = append(errs, fieldError{"text", "Enter " + what})
	case utf8.RuneCountInString(f.Text) > maxCloseText:
		errs = append(errs, fieldError{"text", fmt.Sprintf("Enter no more than %d characters", maxCloseText)})
	}
	if kind == "dismiss" {
		snooze, msg := snoozeDate(f.Day, f.Month, f.Year, a.now().In(london))
		if msg != "" {
			errs = append(errs, fieldError{"snooze-day", msg})
		}
		f.Snooze = snooze
	}
	if len(errs) > 0 {
		a.closeFormPage(w, r, kind, http.StatusBadRequest, f, errs)
		return
	}
	if f.Version == 0 {
		f.Version = data.Task.GetVersion()
	}
	a.sessions.manager.Put(r.Context(), draftKey(kind, data.Task.GetId()), draft{
		Text: f.Text, Day: f.Day, Month: f.Month, Year: f.Year, Snooze: f.Snooze, Version: f.Version,
	})
	title := "Check your answers before resolving the task"
	if kind == "dismiss" {
		title = "Check your answers before dismissing the task"
	}
	a.render(w, r, http.StatusOK, "check", page{Title: title, Nav: "queue", Data: f})
}

func (a *App) resolveCheck(w http.ResponseWriter, r *http.Request) { a.checkClose(w, r, "resolve") }
func (a *App) dismissCheck(w http.ResponseWriter, r *http.Request) { a.checkClose(w, r, "dismiss") }

// confirmClose sends the checked answers with the version they were
// checked against.
func (a *App) confirmClose(w http.ResponseWriter, r *http.Request, kind string) {
	if !a.canActOr404(w, r) {
		return
	}
	id := r.PathValue("id")
	d, ok := a.sessions.manager.Get(r.Context(), draftKey(kind, id)).(draft)
	if !ok {
		// Confirmed twice, or the session ended in between: start again.
		http.Redirect(w, r, "/tasks/"+id, http.StatusSeeOther)
		return
	}
	req := &trackingv1.UpdateTaskRequest{TaskId: id, Version: d.Version}
	done := "Task resolved."
	if kind == "resolve" {
		req.Change = &trackingv1.UpdateTaskRequest_Resolve_{Resolve: &trackingv1.UpdateTaskRequest_Resolve{Outcome: d.Text}}
	} else {
		req.Change = &trackingv1.UpdateTaskRequest_Dismiss_{Dismiss: &trackingv1.UpdateTaskRequest_Dismiss{Reason: d.Text, SnoozeUntil: d.Snooze}}
		done = "Task dismissed until " + dateText(d.Snooze) + "."
	}
	_, err := a.tracking.UpdateTask(r.Context(), req)
	if err == nil || isStale(err) || isIllegal(err) {
		// Either way the draft is spent: it was saved, or it was written
		// against a task that has since changed.
		a.sessions.manager.Remove(r.Context(), draftKey(kind, id))
	}
	a.afterUpdate(w, r, err, done, "/queue")
}

func (a *App) resolveConfirm(w http.ResponseWriter, r *http.Request) { a.confirmClose(w, r, "resolve") }
func (a *App) dismissConfirm(w http.ResponseWriter, r *http.Request) { a.confirmClose(w, r, "dismiss") }

// maxSnooze is the furthest ahead a dismissal may snooze a task.
const maxSnooze = 366 * 24 * time.Hour

// snoozeDate checks the date input's day, month and year: a real date,
// after today and within a year. It returns YYYY-MM-DD, or the message.
func snoozeDate(day, month, year string, today time.Time) (string, string) {
	return futureDate("snooze date", "Enter the date until which the task should not be raised again", day, month, year, today)
}

// futureDate checks a date input that must hold a real date after today
// and within a year (a snooze, a review date). ifEmpty is the message when
// all three fields are empty; with ifEmpty "" the date is optional and
// empty gives "", "".
func futureDate(what, ifEmpty, day, month, year string, today time.Time) (string, string) {
	t, empty, msg := dateInput(what, day, month, year)
	switch {
	case empty:
		return "", ifEmpty
	case msg != "":
		return "", msg
	}
	todayUTC := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	if !t.After(todayUTC) {
		return "", "The " + what + " must be in the future"
	}
	if t.Sub(todayUTC) > maxSnooze {
		return "", "The " + what + " must be within a year from today"
	}
	return t.Format(time.DateOnly), ""
}

// dateInput reads a GOV.UK date input's day, month and year: a real date
// with a four-digit year. empty says all three were left blank; msg names
// what is wrong, with what ("snooze date") as the date's name.
func dateInput(what, day, month, year string) (t time.Time, empty bool, msg string) {
	if day == "" && month == "" && year == "" {
		return time.Time{}, true, ""
	}
	bad := "The " + what + " must be a real date, like 27 3 2026"
	d, errD := strconv.Atoi(day)
	m, errM := strconv.Atoi(month)
	y, errY := strconv.Atoi(year)
	if errD != nil || errM != nil || errY != nil || len(year) != 4 {
		return time.Time{}, false, bad
	}
	t = time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m || t.Year() != y {
		return time.Time{}, false, bad
	}
	return t, false, ""
}
