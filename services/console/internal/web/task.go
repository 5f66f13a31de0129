package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
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
	// Residence is the LA they live in, in words ("336, since 1 May
	// 2026"), empty until recorded; Moves the residences they left.
	Residence string
	Moves     []string
}

type taskData struct {
	// YearGroup is the year group of a cohort-level task, which names no
	// young person ("9").
	YearGroup   string
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
	if t.GetPupilId() == "" {
		// A year group's own task: no young person to show.
		data.YearGroup = t.GetEvidence()["year_group"]
		return data, true, nil
	}
	p, err := a.pupils.GetPupil(ctx, &pupilv1.GetPupilRequest{Id: t.GetPupilId()})
	switch {
	case isNotFound(err):
		// The task is in scope but the pupil is not (they moved school):
		// the page says so rather than hiding the task.
	case err != nil:
		return nil, false, err
	default:
		data.Young = a.youngPerson(ctx, p.GetPupil())
	}
	return data, true, nil
}

// youngPerson is what the pages show of a pupil, with their school's name
// (not personal data; a page without it shows the URN).
func (a *App) youngPerson(ctx context.Context, p *pupilv1.Pupil) *young {
	y := &young{Name: displayName(p), YearGroup: p.GetYearGroup(), SchoolURN: p.GetSchoolUrn()}
	if la := p.GetResidenceLaCode(); la != "" {
		y.Residence = "LA " + la
		if since := p.GetResidentSince(); since != "" {
			y.Residence += ", since " + dateText(since)
		}
	}
	for _, m := range p.GetResidenceHistory() {
		y.Moves = append(y.Moves, "Moved from LA "+m.GetLaCode()+" to LA "+m.GetTransferredTo()+" on "+dateText(m.GetMovedOn()))
	}
	if s, err := a.pupils.GetSchool(ctx, &pupilv1.GetSchoolRequest{Urn: p.GetSchoolUrn()}); err == nil {
		y.SchoolName = s.GetSchool().GetName()
	}
	return y
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
