package web

import (
	"encoding/gob"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"connectrpc.com/connect"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// young is the young person a task is for, from the pupil service: only
// what the task page needs.
type young struct {
	Name       string
	YearGroup  int32
	SchoolName string
	SchoolURN  string
}

type taskData struct {
	Task        *trackingv1.Task
	History     []*trackingv1.TaskEvent
	Young       *young
	Why         explanation
	Actions     any
	Active      bool
	MineToStart bool
	// Stale is set when the person's change lost a race: the page then
	// shows the task as it is now.
	Stale string
	// Form values being re-shown with their errors.
	NoteText, ActionText, ActionKind, Colleague string
}

// loadTask reads the task and its young person. found is false for a task
// that does not exist or is out of scope (the same to the person); err is
// any other failure.
func (a *App) loadTask(r *http.Request, id string) (data *taskData, found bool, err error) {
	if !uuidPattern.MatchString(id) {
		return nil, false, nil
	}
	ctx := r.Context()
	res, err := a.tracking.GetTask(ctx, &trackingv1.GetTaskRequest{TaskId: id})
	if isNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	t := res.GetTask()
	data = &taskData{
		Task:    t,
		History: res.GetHistory(),
		Why:     explain(t),
		Actions: actions,
		Active:  active(t.GetStatus()),
	}
	data.MineToStart = t.GetStatus() == trackingv1.TaskStatus_TASK_STATUS_ASSIGNED && t.GetAssignee() == userFrom(r).Subject
	p, err := a.pupils.GetPupil(ctx, &pupilv1.GetPupilRequest{Id: t.GetPupilId()})
	switch {
	case isNotFound(err):
		// The task is in scope but the pupil is not (they moved school):
		// the page says so rather than hiding the task.
	case err != nil:
		return nil, false, err
	default:
		pupil := p.GetPupil()
		y := &young{Name: displayName(pupil), YearGroup: pupil.GetYearGroup(), SchoolURN: pupil.GetSchoolUrn()}
		if s, err := a.pupils.GetSchool(ctx, &pupilv1.GetSchoolRequest{Urn: pupil.GetSchoolUrn()}); err == nil {
			y.SchoolName = s.GetSchool().GetName()
		}
		data.Young = y
	}
	return data, true, nil
}

// displayName is the name the young person goes by: preferred names where
// the school recorded them.
func displayName(p *pupilv1.Pupil) string {
	fore, sur := p.GetLegalForename(), p.GetLegalSurname()
	if p.GetPreferredForename() != "" {
		fore = p.GetPreferredForename()
	}
	if p.GetPreferredSurname() != "" {
		sur = p.GetPreferredSurname()
	}
	return fore + " " + sur
}

// task shows one task: who it is for, why it exists, its history, and what
// the person may do next.
func (a *App) task(w http.ResponseWriter, r *http.Request) {
	a.showTask(w, r, http.StatusOK, nil, nil)
}

// showTask renders the task page as it is now, with errs on its forms or a
// stale-version message.
func (a *App) showTask(w http.ResponseWriter, r *http.Request, status int, errs []fieldError, edit func(*taskData)) {
	data, found, err := a.loadTask(r, r.PathValue("id"))
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if !found {
		a.notFound(w, r)
		return
	}
	if edit != nil {
		edit(data)
	}
	// The title names the reason, never the young person.
	a.render(w, r, status, "task", page{Title: "Task: " + reasonText(data.Task.GetReasonCode()), Nav: "queue", Errors: errs, Data: data})
}

// staleMessage is what the person reads when someone else changed the task
// first.
const staleMessage = "Someone else changed this task while you were looking at it, so your change was not saved. The page now shows the task as it is: check it and try again if you still need to."

// afterUpdate handles an update's answer: on success a flash and the
// redirect; on a lost race the task as it is now, with the message; a
// move the lifecycle no longer allows is shown the same way.
func (a *App) afterUpdate(w http.ResponseWriter, r *http.Request, err error, done, next string) {
	switch {
	case err == nil:
		a.flash(r, done)
		http.Redirect(w, r, next, http.StatusSeeOther)
	case isStale(err) || isIllegal(err):
		a.showTask(w, r, http.StatusConflict, nil, func(d *taskData) { d.Stale = staleMessage })
	case isNotFound(err):
		a.notFound(w, r)
	default:
		a.serverError(w, r, err)
	}
}

// versionOf is the version the form carries.
func versionOf(r *http.Request) int64 {
	v, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil || v <= 0 {
		return 0
	}
	return v
}

func (a *App) update(r *http.Request, change *trackingv1.UpdateTaskRequest) error {
	change.TaskId = r.PathValue("id")
	change.Version = versionOf(r)
	if !uuidPattern.MatchString(change.TaskId) || change.Version == 0 {
		return connect.NewError(connect.CodeNotFound, fmt.Errorf("no such task"))
	}
	_, err := a.tracking.UpdateTask(r.Context(), change)
	return err
}

func (a *App) canActOr404(w http.ResponseWriter, r *http.Request) bool {
	if !userFrom(r).CanAct() {
		a.notFound(w, r)
		return false
	}
	return true
}

// assignTask gives the task to the person, or to the colleague the form
// names.
func (a *App) assignTask(w http.ResponseWriter, r *http.Request) {
	if !a.canActOr404(w, r) {
		return
	}
	assignee, done := userFrom(r).Subject, "Task assigned to you."
	if r.PostForm.Get("to") == "colleague" {
		assignee = strings.TrimSpace(r.PostForm.Get("colleague"))
		if !assigneePattern.MatchString(assignee) {
			a.showTask(w, r, http.StatusBadRequest, []fieldError{{"colleague", "Enter your colleague's user name, like caseworker"}},
				func(d *taskData) { d.Colleague = assignee })
			return
		}
		done = "Task assigned to " + assignee + "."
	}
	err := a.update(r, &trackingv1.UpdateTaskRequest{Change: &trackingv1.UpdateTaskRequest_Assign_{
		Assign: &trackingv1.UpdateTaskRequest_Assign{Assignee: assignee},
	}})
	a.afterUpdate(w, r, err, done, "/tasks/"+r.PathValue("id"))
}

func (a *App) startTask(w http.ResponseWriter, r *http.Request) {
	if !a.canActOr404(w, r) {
		return
	}
	err := a.update(r, &trackingv1.UpdateTaskRequest{Change: &trackingv1.UpdateTaskRequest_Start_{Start: &trackingv1.UpdateTaskRequest_Start{}}})
	a.afterUpdate(w, r, err, "Task started.", "/tasks/"+r.PathValue("id"))
}

// maxNote is the longest note or action the tracking service keeps.
const maxNote = 2000

// addNote adds a note or a logged action (kind "note" or an action's
// value).
func (a *App) addNote(w http.ResponseWriter, r *http.Request) {
	if !a.canActOr404(w, r) {
		return
	}
	id := r.PathValue("id")
	form := r.PostForm
	isAction := form.Get("kind") == "action"
	var kind trackingv1.ActionKind
	var errs []fieldError
	textField := "note-text"
	text := strings.TrimSpace(form.Get("text"))
	if isAction {
		textField = "action-text"
		for _, act := range actions {
			if act.Value == form.Get("action") {
				kind = act.Kind
			}
		}
		if kind == trackingv1.ActionKind_ACTION_KIND_UNSPECIFIED {
			errs = append(errs, fieldError{"action", "Select what you did"})
		}
	}
	switch {
	case text == "":
		if isAction {
			errs = append(errs, fieldError{textField, "Enter what happened"})
		} else {
			errs = append(errs, fieldError{textField, "Enter a note"})
		}
	case utf8.RuneCountInString(text) > maxNote:
		errs = append(errs, fieldError{textField, fmt.Sprintf("Enter no more than %d characters", maxNote)})
	}
	if len(errs) > 0 {
		a.showTask(w, r, http.StatusBadRequest, errs, func(d *taskData) {
			if isAction {
				d.ActionText, d.ActionKind = form.Get("text"), form.Get("action")
			} else {
				d.NoteText = form.Get("text")
			}
		})
		return
	}
	_, err := a.tracking.AddTaskNote(r.Context(), &trackingv1.AddTaskNoteRequest{TaskId: id, Action: kind, Text: text})
	done := "Note added."
	if isAction {
		done = "Action logged: " + actionText(form.Get("action")) + "."
	}
	switch {
	case err == nil:
		a.flash(r, done)
		http.Redirect(w, r, "/tasks/"+id, http.StatusSeeOther)
	case isNotFound(err):
		a.notFound(w, r)
	default:
		a.serverError(w, r, err)
	}
}

// --- resolve and dismiss, each through "check your answers" ---

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
	if day == "" && month == "" && year == "" {
		return "", "Enter the date until which the task should not be raised again"
	}
	d, errD := strconv.Atoi(day)
	m, errM := strconv.Atoi(month)
	y, errY := strconv.Atoi(year)
	if errD != nil || errM != nil || errY != nil || len(year) != 4 {
		return "", "The snooze date must be a real date, like 27 3 2026"
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m || t.Year() != y {
		return "", "The snooze date must be a real date, like 27 3 2026"
	}
	todayUTC := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	if !t.After(todayUTC) {
		return "", "The snooze date must be in the future"
	}
	if t.Sub(todayUTC) > maxSnooze {
		return "", "The snooze date must be within a year from today"
	}
	return t.Format(time.DateOnly), ""
}
