package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages are the parsed templates: each page file with the layout.
type pages struct {
	byName map[string]*template.Template
}

func parsePages() (*pages, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/components.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range names {
		short := strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")
		if short == "layout" || short == "components" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFiles, name)
		if err != nil {
			return nil, err
		}
		p.byName[short] = t
	}
	return p, nil
}

// fieldError is one problem with a form, for the error summary and the
// field's own message. Field is the id of the input the summary links to.
type fieldError struct {
	Field, Message string
}

// page is what every template gets.
type page struct {
	// Title is the page's heading and the start of its <title>; it never
	// holds a young person's name.
	Title string
	// Nav is the navigation item the page belongs to.
	Nav       string
	User      *user
	FormToken string
	// Flash is a confirmation of what was just done (a success banner);
	// Notice something the person should know (an important banner).
	Flash  string
	Notice string
	Errors []fieldError
	// Data is the page's own.
	Data any
}

// HasErrors says whether the form has problems (the title then starts
// "Error: ", as the error summary pattern asks).
func (p page) HasErrors() bool { return len(p.Errors) > 0 }

// ErrorFor is the message for a field, or "".
func (p page) ErrorFor(field string) string {
	for _, e := range p.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// render writes a page with status. The page is rendered to a buffer
// first, so a template error becomes a plain 500, never half a page.
func (a *App) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	t, ok := a.pages.byName[name]
	if !ok {
		a.logger.ErrorContext(r.Context(), "no such template", "template", name)
		http.Error(w, "Sorry, there is a problem with the service.", http.StatusInternalServerError)
		return
	}
	if p.User == nil {
		p.User = userFrom(r)
	}
	if p.User != nil {
		p.FormToken = a.sessions.manager.GetString(r.Context(), keyFormToken)
		m := a.sessions.manager
		if p.Flash == "" {
			p.Flash = m.PopString(r.Context(), keyFlash)
		}
		if p.Notice == "" {
			p.Notice = m.PopString(r.Context(), keyNotice)
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		a.logger.ErrorContext(r.Context(), "render", "template", name, "error", err)
		http.Error(w, "Sorry, there is a problem with the service.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// notFound is the one page for a record that does not exist and a record
// the person may not see, so scope cannot be probed.
func (a *App) notFound(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusNotFound, "not-found", page{Title: "Page not found"})
}

func (a *App) notFoundHandler(w http.ResponseWriter, r *http.Request) {
	// The session's person, if any, for the navigation.
	if u := a.currentUser(r); u != nil {
		r = r.WithContext(withUser(r.Context(), u))
	}
	a.notFound(w, r)
}

func (a *App) forbidden(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusForbidden, "forbidden", page{Title: "This request was refused"})
}

// serverError logs err (which never holds personal data: the services'
// messages do not) and shows the problem page.
func (a *App) serverError(w http.ResponseWriter, r *http.Request, err error) {
	a.logger.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "error", err)
	a.render(w, r, http.StatusInternalServerError, "problem", page{Title: "Sorry, there is a problem with the service"})
}

func (a *App) signInProblem(w http.ResponseWriter, r *http.Request, status int, msg string) {
	a.render(w, r, status, "sign-in-problem", page{Title: "You are not signed in", Data: msg})
}

// home is the start page, or a signed-in person's own start.
func (a *App) home(w http.ResponseWriter, r *http.Request) {
	if u := a.currentUser(r); u != nil {
		http.Redirect(w, r, homeFor(u.Role), http.StatusSeeOther)
		return
	}
	a.render(w, r, http.StatusOK, "home", page{Title: "Work your hub's intervention queue"})
}

func (a *App) signedOut(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "signed-out", page{Title: "You have signed out"})
}

func (a *App) accessibility(w http.ResponseWriter, r *http.Request) {
	if u := a.currentUser(r); u != nil {
		r = r.WithContext(withUser(r.Context(), u))
	}
	a.render(w, r, http.StatusOK, "accessibility", page{Title: "Accessibility statement"})
}
