// Package web is the hub staff console: server-rendered pages in the GOV.UK
// Design System's patterns (html/template, GOV.UK Frontend's compiled CSS
// and JavaScript embedded), over the three services' Connect APIs.
//
// The console holds no records of its own. People sign in with OpenID
// Connect (authorization code + PKCE); their sessions live in PostgreSQL;
// every call to a service carries the signed-in person's own access token,
// so the services decide, as for any caller, what that person may see and
// do. The console only shapes the pages: the navigation a role gets, and
// forms that are checked before they are sent.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1/placementv1connect"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1/pupilv1connect"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1/trackingv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
)

// Config is what the console needs; cmd/console reads it from the
// environment.
type Config struct {
	// BaseURL is where people reach the console, e.g.
	// https://console.hub.example; the sign-in callback is BaseURL +
	// CallbackPath. It must be https, except on a loopback address.
	BaseURL string
	// Issuer is the OpenID Connect provider people sign in with; ClientID
	// the console's client there. ClientSecret is empty for a public
	// client; PKCE is used either way.
	Issuer, ClientID, ClientSecret string
	// People turns a signed-in person's access token into their role and
	// scope, with the same configuration the services read, so the console's
	// navigation agrees with what the services will allow.
	People auth.Authenticator
	// Pool holds the sessions (schema console).
	Pool *pgxpool.Pool
	// PupilURL, PlacementURL and TrackingURL are the services.
	PupilURL, PlacementURL, TrackingURL string
	// HTTPClient calls the services and the provider; a default with
	// timeouts when nil.
	HTTPClient *http.Client
	Logger     *slog.Logger
	// IdleTimeout ends a session nobody has used for this long (30
	// minutes when zero); AbsoluteTimeout ends any session this long after
	// sign-in (8 hours when zero), and so does the access token's expiry.
	IdleTimeout, AbsoluteTimeout time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// GrowthSectors are the region's growth sectors, which the overview
	// sets the places against; none when empty (ParseSectors reads them).
	GrowthSectors []placementv1.Sector
}

// ParseSectors reads a comma-separated list of sectors as the placement
// contract names them without their prefix, in any case ("digital,
// life_sciences"), each once; an unknown name is an error that names it.
func ParseSectors(list string) ([]placementv1.Sector, error) {
	var out []placementv1.Sector
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		v, ok := placementv1.Sector_value["SECTOR_"+strings.ToUpper(name)]
		if !ok || v == 0 {
			return nil, fmt.Errorf("%q is not a sector (the placement contract's: digital, life_sciences, ...)", name)
		}
		if slices.Contains(out, placementv1.Sector(v)) {
			return nil, fmt.Errorf("%q is named twice", name)
		}
		out = append(out, placementv1.Sector(v))
	}
	return out, nil
}

// Paths the console serves that other components name.
const (
	// CallbackPath is the redirect URI's path, registered with the provider.
	CallbackPath = "/auth/callback"
	// AssetsPath serves GOV.UK Frontend and the console's own CSS and
	// JavaScript.
	AssetsPath = "/assets/"
)

// App is a configured console.
type App struct {
	cfg       Config
	base      *url.URL
	secure    bool
	logger    *slog.Logger
	now       func() time.Time
	sessions  *sessions
	signin    *signin
	pages     *pages
	pupils    pupilv1connect.PupilServiceClient
	placement placementv1connect.PlacementServiceClient
	tracking  trackingv1connect.TrackingServiceClient
	handler   http.Handler
}

// New checks cfg, discovers the provider (ctx bounds that) and builds the
// console.
func New(ctx context.Context, cfg Config) (*App, error) {
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || base.Host == "" || (base.Scheme != "https" && base.Scheme != "http") || base.Path != "" && base.Path != "/" {
		return nil, errors.New("console: the base URL must be an absolute http(s) URL without a path, like https://console.hub.example")
	}
	if base.Scheme == "http" && !loopback(base.Hostname()) {
		return nil, errors.New("console: the base URL must be https (http only on a loopback address, for development)")
	}
	base.Path = ""
	switch {
	case cfg.Issuer == "" || cfg.ClientID == "":
		return nil, errors.New("console: the OpenID Connect issuer and client ID are required")
	case cfg.People == nil:
		return nil, errors.New("console: an authenticator for people's access tokens is required")
	case cfg.Pool == nil:
		return nil, errors.New("console: a database pool for the sessions is required")
	case cfg.PupilURL == "" || cfg.PlacementURL == "" || cfg.TrackingURL == "":
		return nil, errors.New("console: the pupil, placement and tracking service URLs are required")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.AbsoluteTimeout == 0 {
		cfg.AbsoluteTimeout = 8 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := &App{
		cfg:    cfg,
		base:   base,
		secure: base.Scheme == "https",
		logger: cfg.Logger,
		now:    cfg.Now,
	}
	a.signin, err = newSignin(ctx, cfg, base.String()+CallbackPath)
	if err != nil {
		return nil, err
	}
	a.pages, err = parsePages()
	if err != nil {
		return nil, err
	}
	// Last, as it starts the cleanup of expired sessions, which Close stops.
	a.sessions = newSessions(cfg.Pool, a.secure, cfg.IdleTimeout, cfg.AbsoluteTimeout, cfg.Logger)
	opts := serviceOptions()
	a.pupils = pupilv1connect.NewPupilServiceClient(cfg.HTTPClient, cfg.PupilURL, opts...)
	a.placement = placementv1connect.NewPlacementServiceClient(cfg.HTTPClient, cfg.PlacementURL, opts...)
	a.tracking = trackingv1connect.NewTrackingServiceClient(cfg.HTTPClient, cfg.TrackingURL, opts...)
	a.handler = a.routes()
	return a, nil
}

// Handler serves the console.
func (a *App) Handler() http.Handler { return a.handler }

// Close stops the session store's cleanup.
func (a *App) Close() { a.sessions.close() }

func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+AssetsPath, assets())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", a.ready)

	// Pages anyone may see.
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("GET /sign-in", a.startSignIn)
	mux.HandleFunc("GET "+CallbackPath, a.finishSignIn)
	mux.HandleFunc("GET /signed-out", a.signedOut)
	mux.HandleFunc("POST /sign-out", a.signOut)
	mux.HandleFunc("GET /accessibility", a.accessibility)

	// Pages for people signed in: the queue and tasks are personal data,
	// which an analyst never sees.
	staff := func(h http.HandlerFunc) http.Handler { return a.requireUser(a.requireCaseRole(h)) }
	mux.Handle("GET /overview", a.requireUser(http.HandlerFunc(a.overview)))
	mux.Handle("GET /overview.csv", a.requireUser(http.HandlerFunc(a.overviewCSV)))
	mux.Handle("GET /queue", staff(a.queue))
	mux.Handle("POST /queue/assign", staff(a.bulkAssign))
	mux.Handle("GET /tasks/{id}", staff(a.task))
	mux.Handle("POST /tasks/{id}/assign", staff(a.assignTask))
	mux.Handle("POST /tasks/{id}/start", staff(a.startTask))
	mux.Handle("POST /tasks/{id}/notes", staff(a.addNote))
	mux.Handle("GET /tasks/{id}/resolve", staff(a.resolveForm))
	mux.Handle("POST /tasks/{id}/resolve", staff(a.resolveCheck))
	mux.Handle("POST /tasks/{id}/resolve/confirm", staff(a.resolveConfirm))
	mux.Handle("GET /tasks/{id}/dismiss", staff(a.dismissForm))
	mux.Handle("POST /tasks/{id}/dismiss", staff(a.dismissCheck))
	mux.Handle("POST /tasks/{id}/dismiss/confirm", staff(a.dismissConfirm))
	mux.Handle("GET /pupils/{id}", staff(a.pupilPage))
	mux.Handle("GET /cohorts", staff(a.cohortPupils))
	mux.Handle("POST /pupils/{id}/risk-review", staff(a.reviewRisk))
	mux.Handle("POST /pupils/{id}/destinations", staff(a.recordDestination))
	mux.Handle("GET /exports", staff(a.exports))
	mux.Handle("GET /exports/destinations.csv", staff(a.exportDestinations))
	mux.Handle("GET /exports/risk-list.csv", staff(a.exportRiskList))
	mux.Handle("GET /exports/measures.csv", staff(a.exportMeasures))
	mux.Handle("GET /allocate", staff(a.allocate))
	mux.Handle("POST /allocate", staff(a.chooseOpportunities))
	mux.Handle("GET /allocate/proposal", staff(a.proposal))
	mux.Handle("POST /allocate/proposal", staff(a.decide))
	mux.Handle("GET /audit", staff(a.audit))
	mux.Handle("GET "+ImportPath, staff(a.imports))
	mux.Handle("POST "+ImportPath, staff(a.upload))
	mux.Handle("GET /imports/report", staff(a.importReportPage))
	mux.Handle("GET /imports/report.csv", staff(a.importReportCSV))
	mux.HandleFunc("/", a.notFoundHandler)

	// Outermost first: security headers on every answer, a cross-origin
	// POST refused before anything reads it, then the session, then the
	// per-session form token on every POST.
	var h http.Handler = mux
	h = a.checkFormToken(h)
	h = a.sessions.manager.LoadAndSave(h)
	h = crossOriginProtection(h, a.forbidden)
	h = securityHeaders(h)
	return h
}

// ready answers 200 once the session store answers.
func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.cfg.Pool.Ping(ctx); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
