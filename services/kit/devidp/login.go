package devidp

import (
	"html/template"
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// loginPage is the sign-in form: server-rendered, no JavaScript.
var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in: nextstep development</title></head>
<body>
<h1>Sign in to nextstep</h1>
<p>This is the development identity provider of <code>make run</code>, with invented users only.</p>
{{if .Error}}<p role="alert"><strong>{{.Error}}</strong></p>{{end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="authRequestID" value="{{.ID}}">
<p><label for="username">Username</label><br><input id="username" name="username" autocomplete="username" required autofocus></p>
<p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Sign in</button></p>
</form>
</body>
</html>
`))

type loginForm struct {
	Action, ID, Error string
}

// login serves the login page the authorization endpoint redirects a
// browser to (GET, ?authRequestID=) and checks what it posts: with a
// user's ID and password the auth request is signed in, and the browser
// goes on to op's callback, which redirects it to the client with a code.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	switch r.Method {
	case http.MethodGet:
		id := r.URL.Query().Get("authRequestID")
		if !p.storage.pending(id) {
			http.Error(w, "no such sign-in: start again from the application", http.StatusBadRequest)
			return
		}
		p.render(w, http.StatusOK, loginForm{ID: id})
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "the form cannot be read", http.StatusBadRequest)
			return
		}
		id := r.PostForm.Get("authRequestID")
		if !p.storage.pending(id) {
			http.Error(w, "no such sign-in: start again from the application", http.StatusBadRequest)
			return
		}
		u, ok := p.storage.checkPassword(r.PostForm.Get("username"), r.PostForm.Get("password"))
		if !ok {
			p.render(w, http.StatusUnauthorized, loginForm{ID: id, Error: "Wrong username or password."})
			return
		}
		if err := p.storage.completeLogin(id, u.ID); err != nil {
			http.Error(w, "no such sign-in: start again from the application", http.StatusBadRequest)
			return
		}
		callback := op.AuthCallbackURL(p.op)(op.ContextWithIssuer(r.Context(), p.issuer), id)
		http.Redirect(w, r, callback, http.StatusSeeOther)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (p *Provider) render(w http.ResponseWriter, status int, f loginForm) {
	f.Action = LoginPath
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = loginPage.Execute(w, f)
}
