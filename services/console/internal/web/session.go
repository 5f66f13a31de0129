package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
)

// Session keys. A session holds who signed in (subject, role, scope), the
// access token the console calls the services with and when it expires, and
// the form token every POST must carry; during sign-in, the state, PKCE
// verifier and nonce of the pending request.
const (
	keySubject     = "subject"
	keyRole        = "role"
	keyScope       = "scope"
	keyToken       = "access_token"
	keyTokenExpiry = "access_token_expiry"
	keyFormToken   = "form_token"
	keyState       = "oidc_state"
	keyVerifier    = "oidc_verifier"
	keyNonce       = "oidc_nonce"
	keyReturnTo    = "return_to"
	keyFlash       = "flash"
	keyNotice      = "notice"
)

// sessions are server-side sessions in PostgreSQL (schema console, table
// sessions): the cookie holds only a random token.
type sessions struct {
	manager *scs.SessionManager
	stop    context.CancelFunc
	done    chan struct{}
}

// cookieName is __Host- prefixed when the console is served over https, so
// the browser keeps it to this host, path / and Secure.
func cookieName(secure bool) string {
	if secure {
		return "__Host-nextstep_console"
	}
	return "nextstep_console"
}

// cleanupInterval is how often expired sessions are deleted.
const cleanupInterval = 10 * time.Minute

func newSessions(pool *pgxpool.Pool, secure bool, idle, absolute time.Duration, logger *slog.Logger) *sessions {
	// The store's own cleanup goroutine races with its StopCleanup (the
	// race detector says so), so expired rows are deleted here instead.
	store := pgxstore.NewWithCleanupInterval(pool, 0)
	ctx, stop := context.WithCancel(context.Background())
	s := &sessions{stop: stop, done: make(chan struct{})}
	go s.cleanup(ctx, pool, logger)
	m := scs.New()
	m.Store = store
	m.IdleTimeout = idle
	m.Lifetime = absolute
	m.Cookie.Name = cookieName(secure)
	m.Cookie.HttpOnly = true
	m.Cookie.Secure = secure
	m.Cookie.SameSite = http.SameSiteLaxMode
	m.Cookie.Path = "/"
	// A session cookie: closing the browser ends it too.
	m.Cookie.Persist = false
	s.manager = m
	return s
}

// cleanup deletes expired sessions every cleanupInterval until ctx ends.
func (s *sessions) cleanup(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) {
	defer close(s.done)
	t := time.NewTicker(cleanupInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := pool.Exec(ctx, "DELETE FROM console.sessions WHERE expiry < now()"); err != nil && ctx.Err() == nil {
				logger.WarnContext(ctx, "deleting expired sessions", "error", err)
			}
		}
	}
}

func (s *sessions) close() {
	s.stop()
	<-s.done
}

// user is the signed-in person, as the session holds them.
type user struct {
	Subject string
	Role    auth.Role
	Scope   auth.Scope
	token   string
}

// CanAct says whether the role may change tasks (assign, start, note,
// resolve, dismiss), as the tracking service's access policy allows.
func (u *user) CanAct() bool {
	return u.Role == auth.RoleHubAdmin || u.Role == auth.RoleCaseworker
}

// SeesCases says whether the role may read tasks and pupils at all: an
// analyst sees aggregates only.
func (u *user) SeesCases() bool {
	return u.Role == auth.RoleHubAdmin || u.Role == auth.RoleCaseworker || u.Role == auth.RoleCareersLeader
}

// SeesAudit says whether the role may read the audit log, as the tracking
// service allows: hub admins only.
func (u *user) SeesAudit() bool { return u.Role == auth.RoleHubAdmin }

// RoleName is the role in words.
func (u *user) RoleName() string {
	switch u.Role {
	case auth.RoleHubAdmin:
		return "Hub admin"
	case auth.RoleCaseworker:
		return "Caseworker"
	case auth.RoleCareersLeader:
		return "Careers leader"
	case auth.RoleAnalyst:
		return "Analyst"
	}
	return "Unknown role"
}

// currentUser is the session's person, or nil when nobody is signed in or
// their access token has expired (which ends the session).
func (a *App) currentUser(r *http.Request) *user {
	ctx := r.Context()
	m := a.sessions.manager
	subject := m.GetString(ctx, keySubject)
	if subject == "" {
		return nil
	}
	if exp := m.GetTime(ctx, keyTokenExpiry); !exp.IsZero() && !a.now().Before(exp) {
		_ = m.Destroy(ctx)
		return nil
	}
	var scope auth.Scope
	if err := json.Unmarshal(m.GetBytes(ctx, keyScope), &scope); err != nil {
		return nil
	}
	return &user{
		Subject: subject,
		Role:    auth.Role(m.GetInt(ctx, keyRole)),
		Scope:   scope,
		token:   m.GetString(ctx, keyToken),
	}
}

type userKey struct{}

// requireUser sends a browser that is not signed in to sign in, coming back
// to the page it asked for (a GET) or the home page.
func (a *App) requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := a.currentUser(r)
		if u == nil {
			if r.Method == http.MethodGet {
				a.sessions.manager.Put(r.Context(), keyReturnTo, r.URL.RequestURI())
			}
			http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r.WithContext(withUser(r.Context(), u)))
	})
}

// requireCaseRole answers the not-found page to a role that may not see
// cases (an analyst), as for any record out of scope.
func (a *App) requireCaseRole(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !userFrom(r).SeesCases() {
			a.notFound(w, r)
			return
		}
		next(w, r)
	}
}

// flash keeps a one-line confirmation for the next page (a notification
// banner: "Task assigned to you").
func (a *App) flash(r *http.Request, msg string) {
	a.sessions.manager.Put(r.Context(), keyFlash, msg)
}

// notice keeps a message for the next page that is not a success
// ("Nothing was assigned: ..."), shown in an important notification banner.
func (a *App) notice(r *http.Request, msg string) {
	a.sessions.manager.Put(r.Context(), keyNotice, msg)
}

// randomToken is 32 random bytes, base64url: states, nonces, form tokens.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// localPath is p when it is a path on this site ("/queue?x=1"), else "/":
// a return address never sends a browser elsewhere.
func localPath(p string) string {
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || len(p) == 0 || p[0] != '/' || (len(p) > 1 && (p[1] == '/' || p[1] == '\\')) {
		return "/"
	}
	return p
}

func withUser(ctx context.Context, u *user) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// userFrom is the person requireUser let through.
func userFrom(r *http.Request) *user {
	u, _ := r.Context().Value(userKey{}).(*user)
	return u
}
