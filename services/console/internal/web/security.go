package web

import (
	"crypto/subtle"
	"mime"
	"net/http"
	"strings"
)

// contentSecurityPolicy allows nothing inline and nothing from elsewhere:
// scripts, styles, fonts and images come from the console's own /assets/.
// frame-ancestors 'none' keeps the pages out of other sites' frames;
// form-action 'self' keeps forms from posting elsewhere.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; " +
	"connect-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// securityHeaders sets the headers every answer carries. Pages are never
// stored by the browser or a proxy (they hold personal data, or who is
// signed in); only the assets may be cached.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if strings.HasPrefix(r.URL.Path, AssetsPath) {
			h.Set("Cache-Control", "public, max-age=3600")
		} else {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// crossOriginProtection refuses a state-changing request another site's
// page made (Go's CrossOriginProtection reads Sec-Fetch-Site, or Origin
// against Host), before anything reads its body.
func crossOriginProtection(next http.Handler, deny http.HandlerFunc) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(deny)
	return cop.Handler(next)
}

// formTokenField is the hidden field every form carries: the session's
// form token, which a page of another site cannot read. It backs up
// CrossOriginProtection for browsers that send neither Sec-Fetch-Site nor
// Origin.
const formTokenField = "csrf_token"

// maxFormBytes bounds every form the console accepts.
const maxFormBytes = 64 << 10

// ImportPath is the one address that takes a file (multipart/form-data);
// every other form is URL-encoded and small.
const ImportPath = "/imports"

// maxUploadBytes bounds an uploaded file and its form; memoryUploadBytes
// is how much of it is held in memory (the rest waits in a temporary
// file until the request ends).
const (
	maxUploadBytes    = 50 << 20
	memoryUploadBytes = 1 << 20
)

// parseForm reads a POST's form: the upload's at ImportPath, a small
// URL-encoded one anywhere else. A multipart form elsewhere is not read,
// so its token is missing and the POST refused.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType == "multipart/form-data" && r.URL.Path == ImportPath {
		r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes)
		return r.ParseMultipartForm(memoryUploadBytes)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	return r.ParseForm()
}

// checkFormToken refuses a POST whose form token is missing or not the
// session's.
func (a *App) checkFormToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		if err := parseForm(w, r); err != nil {
			http.Error(w, "The form could not be read.", http.StatusBadRequest)
			return
		}
		want := a.sessions.manager.GetString(r.Context(), keyFormToken)
		if want == "" {
			// No one is signed in (the session ended, or never began):
			// nothing is done, and the browser is sent to sign in.
			http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
			return
		}
		got := r.PostForm.Get(formTokenField)
		if subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
			a.forbidden(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
