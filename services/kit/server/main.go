package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/credentials"
	"github.com/nextstep-uk/nextstep/services/kit/database"
	"github.com/nextstep-uk/nextstep/services/kit/enrolment"
	"github.com/nextstep-uk/nextstep/services/kit/gomemlimit"
)

// Spec describes a service to Main.
type Spec struct {
	// Name is the service's short name (pupil, placement, tracking); it is
	// also the PostgreSQL schema its tables live in.
	Name string
	// DefaultListen is the address used when NEXTSTEP_LISTEN is unset.
	DefaultListen string
	// Migrations are the service's numbered goose SQL files.
	Migrations fs.FS
	// Services builds the service's Connect services.
	Services func(Deps) []Service
	// LocatesPupils says the service's writes name pupils whose school it
	// must ask the pupil service for, so Deps.Pupils is set.
	LocatesPupils bool
}

// Deps are what a service's handlers are built from.
type Deps struct {
	Pool   *pgxpool.Pool
	Logger *slog.Logger
	// Pupils says where pupils are on roll, for the services whose writes
	// name a pupil (placement, tracking).
	Pupils enrolment.Directory
	// Now is the clock; time.Now in production, fixed in tests.
	Now func() time.Time
}

// Config is read from the environment; see README.md, "Configuration".
type Config struct {
	DatabaseURL     string        // DATABASE_URL
	Listen          string        // NEXTSTEP_LISTEN
	AuthConfig      string        // NEXTSTEP_AUTH_CONFIG
	DevTokensFile   string        // NEXTSTEP_DEV_TOKENS_FILE
	AllowDevTokens  bool          // NEXTSTEP_ALLOW_DEV_TOKENS
	PupilURL        string        // NEXTSTEP_PUPIL_URL
	TokenFile       string        // NEXTSTEP_TOKEN_FILE
	LogLevel        slog.Level    // NEXTSTEP_LOG_LEVEL: debug, info, warn, error
	ShutdownGrace   time.Duration // NEXTSTEP_SHUTDOWN_GRACE
	MaxRequestBytes int64         // NEXTSTEP_MAX_REQUEST_BYTES
	PprofListen     string        // NEXTSTEP_PPROF_LISTEN
}

// DefaultDatabaseURL is the local development database make run uses.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/nextstep?sslmode=disable"

// DefaultPupilURL is where the pupil service listens in local development.
const DefaultPupilURL = "http://127.0.0.1:8081"

// ConfigFromEnv reads the configuration, with defaults for local development.
func ConfigFromEnv(spec Spec, getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL:     or(getenv("DATABASE_URL"), DefaultDatabaseURL),
		Listen:          or(getenv("NEXTSTEP_LISTEN"), spec.DefaultListen),
		AuthConfig:      getenv("NEXTSTEP_AUTH_CONFIG"),
		DevTokensFile:   getenv("NEXTSTEP_DEV_TOKENS_FILE"),
		PupilURL:        or(getenv("NEXTSTEP_PUPIL_URL"), DefaultPupilURL),
		TokenFile:       getenv("NEXTSTEP_TOKEN_FILE"),
		PprofListen:     getenv("NEXTSTEP_PPROF_LISTEN"),
		ShutdownGrace:   20 * time.Second,
		MaxRequestBytes: DefaultMaxRequestBytes,
	}
	if err := c.LogLevel.UnmarshalText([]byte(or(getenv("NEXTSTEP_LOG_LEVEL"), "info"))); err != nil {
		return c, fmt.Errorf("NEXTSTEP_LOG_LEVEL: %w", err)
	}
	switch v := getenv("NEXTSTEP_ALLOW_DEV_TOKENS"); v {
	case "", "false":
	case "true":
		c.AllowDevTokens = true
	default:
		return c, fmt.Errorf("NEXTSTEP_ALLOW_DEV_TOKENS: %q is neither true nor false", v)
	}
	// Development tokens are static secrets in a file: for make run on a
	// laptop, never for a deployment. They take an explicit flag the chart
	// has no value for, and a service in a cluster refuses them outright.
	if c.DevTokensFile != "" && !c.AllowDevTokens {
		return c, errors.New("NEXTSTEP_DEV_TOKENS_FILE is set but NEXTSTEP_ALLOW_DEV_TOKENS is not true: development tokens are for local development only")
	}
	if c.AllowDevTokens && getenv("KUBERNETES_SERVICE_HOST") != "" {
		return c, errors.New("NEXTSTEP_ALLOW_DEV_TOKENS is true in a Kubernetes cluster (KUBERNETES_SERVICE_HOST is set): development tokens are refused there; configure NEXTSTEP_AUTH_CONFIG")
	}
	if v := getenv("NEXTSTEP_SHUTDOWN_GRACE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return c, fmt.Errorf("NEXTSTEP_SHUTDOWN_GRACE: %q is not a duration like 20s", v)
		}
		c.ShutdownGrace = d
	}
	if v := getenv("NEXTSTEP_MAX_REQUEST_BYTES"); v != "" {
		var n int64
		if _, err := fmt.Sscan(v, &n); err != nil || n <= 0 {
			return c, fmt.Errorf("NEXTSTEP_MAX_REQUEST_BYTES: %q is not a positive number of bytes", v)
		}
		c.MaxRequestBytes = n
	}
	if c.PprofListen != "" && !loopback(c.PprofListen) {
		return c, fmt.Errorf("NEXTSTEP_PPROF_LISTEN: %q is not a loopback address like 127.0.0.1:6060: the profiler is for whoever is on the machine", c.PprofListen)
	}
	return c, nil
}

// loopback says addr (host:port) is on the loopback interface.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func or(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return v
}

// Main runs a service until SIGINT or SIGTERM and returns its exit code:
// it reads the configuration, connects to PostgreSQL, migrates the service's
// schema and serves.
func Main(spec Spec) int {
	cfg, err := ConfigFromEnv(spec, os.Getenv)
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel})).With("service", spec.Name)
	if err == nil {
		err = RefuseRoot(os.Geteuid(), os.Getenv)
	}
	if err != nil {
		logger.Error("configuration", "error", err)
		return 2
	}
	gomemlimit.Set(logger)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, spec, cfg, logger); err != nil {
		logger.Error("stopped", "error", err)
		return 1
	}
	logger.Info("stopped")
	return 0
}

func run(ctx context.Context, spec Spec, cfg Config, logger *slog.Logger) error {
	authn, err := authenticator(cfg, logger)
	if err != nil {
		return err
	}
	pool, err := database.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := database.Migrate(ctx, pool, spec.Name, spec.Migrations, logger, audit.Migrations(spec.Name)...); err != nil {
		return err
	}
	h := NewHandler(Options{
		Logger:          logger,
		Registry:        prometheus.NewRegistry(),
		Authenticator:   authn,
		Pool:            pool,
		Schema:          spec.Name,
		MaxRequestBytes: cfg.MaxRequestBytes,
	}, spec.Services(deps(spec, cfg, pool, logger))...)
	l, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if cfg.PprofListen != "" {
		pl, err := net.Listen("tcp", cfg.PprofListen)
		if err != nil {
			return fmt.Errorf("listen (NEXTSTEP_PPROF_LISTEN): %w", err)
		}
		logger.Info("serving Go's profiler", "address", pl.Addr().String())
		go func() { _ = Serve(ctx, pl, profiler(), 0, logger) }()
	}
	logger.Info("serving", "address", l.Addr().String())
	return Serve(ctx, l, h, cfg.ShutdownGrace, logger)
}

// profiler serves Go's profiler (net/http/pprof), for finding where a
// service spends its time under a benchmark; NEXTSTEP_PPROF_LISTEN, off by
// default, loopback only.
func profiler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

func deps(spec Spec, cfg Config, pool *pgxpool.Pool, logger *slog.Logger) Deps {
	d := Deps{Pool: pool, Logger: logger, Now: time.Now}
	if spec.LocatesPupils {
		d.Pupils = enrolment.NewClient(cfg.PupilURL, outgoingToken(cfg, logger))
	}
	return d
}

// outgoingToken is the bearer token the service presents when it calls
// another (placement and tracking ask the pupil service where pupils are on
// roll): the file NEXTSTEP_TOKEN_FILE names, re-read as it is rotated.
// Without one the calls carry no token and are refused, so writes that
// need them fail rather than go unchecked.
func outgoingToken(cfg Config, logger *slog.Logger) credentials.TokenSource {
	if cfg.TokenFile == "" {
		logger.Warn("NEXTSTEP_TOKEN_FILE is not set: calls to other services carry no token and will be refused")
		return credentials.StaticToken("")
	}
	return credentials.FileToken(cfg.TokenFile)
}

// authenticator chooses how bearer tokens are checked: people's OpenID
// Connect tokens and nextstep's components' service-account tokens as the
// file NEXTSTEP_AUTH_CONFIG says (see auth.Config), and development tokens
// when they are allowed. With none, every call is refused, never allowed.
func authenticator(cfg Config, logger *slog.Logger) (auth.Authenticator, error) {
	var chain auth.Chain
	if cfg.DevTokensFile != "" {
		dev, err := auth.LoadDevTokens(cfg.DevTokensFile)
		if err != nil {
			return nil, err
		}
		logger.Warn("development tokens are accepted (NEXTSTEP_ALLOW_DEV_TOKENS): never in production")
		chain.Dev = dev
	}
	if cfg.AuthConfig != "" {
		ac, err := auth.LoadConfig(cfg.AuthConfig)
		if err != nil {
			return nil, fmt.Errorf("NEXTSTEP_AUTH_CONFIG: %w", err)
		}
		if len(ac.OIDC) > 0 {
			chain.OIDC = auth.NewOIDC(ac.OIDC, logger, auth.OIDCOptions{})
		}
		if ac.Kubernetes != nil {
			tr, err := auth.NewTokenReviewFromEnvironment(*ac.Kubernetes, auth.TokenReviewOptions{})
			if err != nil {
				return nil, fmt.Errorf("NEXTSTEP_AUTH_CONFIG: kubernetes: %w", err)
			}
			chain.Kubernetes = tr
		}
		logger.Info("authentication", "oidc_issuers", len(ac.OIDC), "kubernetes", ac.Kubernetes != nil)
	}
	if chain.Dev == nil && chain.OIDC == nil && chain.Kubernetes == nil {
		logger.Warn("neither NEXTSTEP_AUTH_CONFIG nor development tokens are configured: every call will be refused")
		return denyAll{}, nil
	}
	return chain, nil
}

type denyAll struct{}

func (denyAll) Authenticate(context.Context, string) (auth.Principal, error) {
	return auth.Principal{}, errors.Join(auth.ErrUnauthenticated, errors.New("no authenticator is configured"))
}

// AllowRootEnv names the variable that lets a component run as root: only
// for local development on a machine where everything runs as root. The
// images run as an unprivileged user, and the chart has no value for it.
const AllowRootEnv = "NEXTSTEP_ALLOW_ROOT"

// RefuseRoot refuses to run as root (euid 0) unless AllowRootEnv is "true":
// a component that is compromised as root owns its whole container.
func RefuseRoot(euid int, getenv func(string) string) error {
	if euid == 0 && getenv(AllowRootEnv) != "true" {
		return fmt.Errorf("refusing to run as root: run as an unprivileged user, as the images do (or set %s=true on a development machine)", AllowRootEnv)
	}
	return nil
}

// ConfigFile reads the file whose path the environment variable env holds
// and parses it with parse; ok is false when env is unset (the service's
// defaults). An error names the variable and the file, so a service can
// refuse to start on it.
func ConfigFile[T any](env string, parse func([]byte) (T, error)) (v T, ok bool, err error) {
	path := os.Getenv(env)
	if path == "" {
		return v, false, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return v, false, fmt.Errorf("%s: %w", env, err)
	}
	if v, err = parse(data); err != nil {
		return v, false, fmt.Errorf("%s %s: %w", env, path, err)
	}
	return v, true, nil
}
