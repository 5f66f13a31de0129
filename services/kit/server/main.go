package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/database"
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
	// Services builds the service's Connect services on its pool.
	Services func(pool *pgxpool.Pool, logger *slog.Logger) []Service
}

// Config is read from the environment; see README.md, "Configuration".
type Config struct {
	DatabaseURL     string        // DATABASE_URL
	Listen          string        // NEXTSTEP_LISTEN
	DevTokensFile   string        // NEXTSTEP_DEV_TOKENS_FILE
	LogLevel        slog.Level    // NEXTSTEP_LOG_LEVEL: debug, info, warn, error
	ShutdownGrace   time.Duration // NEXTSTEP_SHUTDOWN_GRACE
	MaxRequestBytes int64         // NEXTSTEP_MAX_REQUEST_BYTES
}

// DefaultDatabaseURL is the local development database make run uses.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/nextstep?sslmode=disable"

// ConfigFromEnv reads the configuration, with defaults for local development.
func ConfigFromEnv(spec Spec, getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL:     or(getenv("DATABASE_URL"), DefaultDatabaseURL),
		Listen:          or(getenv("NEXTSTEP_LISTEN"), spec.DefaultListen),
		DevTokensFile:   getenv("NEXTSTEP_DEV_TOKENS_FILE"),
		ShutdownGrace:   20 * time.Second,
		MaxRequestBytes: DefaultMaxRequestBytes,
	}
	if err := c.LogLevel.UnmarshalText([]byte(or(getenv("NEXTSTEP_LOG_LEVEL"), "info"))); err != nil {
		return c, fmt.Errorf("NEXTSTEP_LOG_LEVEL: %w", err)
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
	return c, nil
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
	if err != nil {
		logger.Error("configuration", "error", err)
		return 2
	}
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
	authn, err := authenticator(cfg)
	if err != nil {
		return err
	}
	pool, err := database.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := database.Migrate(ctx, pool, spec.Name, spec.Migrations, logger); err != nil {
		return err
	}
	h := NewHandler(Options{
		Logger:          logger,
		Registry:        prometheus.NewRegistry(),
		Authenticator:   authn,
		Pool:            pool,
		Schema:          spec.Name,
		MaxRequestBytes: cfg.MaxRequestBytes,
	}, spec.Services(pool, logger)...)
	l, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	logger.Info("serving", "address", l.Addr().String())
	return Serve(ctx, l, h, cfg.ShutdownGrace, logger)
}

// authenticator chooses how bearer tokens are checked. Only development
// tokens exist so far; without them every call is refused, never allowed.
func authenticator(cfg Config) (auth.Authenticator, error) {
	if cfg.DevTokensFile == "" {
		return denyAll{}, nil
	}
	return auth.LoadDevTokens(cfg.DevTokensFile)
}

type denyAll struct{}

func (denyAll) Authenticate(context.Context, string) (auth.Principal, error) {
	return auth.Principal{}, errors.Join(auth.ErrUnauthenticated, errors.New("no authenticator is configured"))
}
