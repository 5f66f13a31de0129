// Command console serves the hub staff console: the intervention queue in a
// browser. Configuration is in services/console/README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // the images carry no zone files: the binary does

	_ "golang.org/x/crypto/x509roots/fallback" // nor a CA bundle

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	"github.com/nextstep-uk/nextstep/services/console/internal/web"
	"github.com/nextstep-uk/nextstep/services/console/migrations"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/database"
	"github.com/nextstep-uk/nextstep/services/kit/gomemlimit"
	"github.com/nextstep-uk/nextstep/services/kit/server"
)

// schema is the console's PostgreSQL schema: its sessions.
const schema = "console"

// config is read from the environment.
type config struct {
	DatabaseURL      string
	Listen           string
	BaseURL          string
	Issuer           string
	ClientID         string
	ClientSecretFile string
	AuthConfig       string
	PupilURL         string
	PlacementURL     string
	TrackingURL      string
	IdleTimeout      time.Duration
	AbsoluteTimeout  time.Duration
	ShutdownGrace    time.Duration
	LogLevel         slog.Level
	GrowthSectors    []placementv1.Sector
}

func configFromEnv(getenv func(string) string) (config, error) {
	or := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	c := config{
		DatabaseURL:      or("DATABASE_URL", server.DefaultDatabaseURL),
		Listen:           or("NEXTSTEP_LISTEN", "127.0.0.1:8085"),
		BaseURL:          or("NEXTSTEP_CONSOLE_URL", "http://127.0.0.1:8085"),
		Issuer:           getenv("NEXTSTEP_OIDC_ISSUER"),
		ClientID:         or("NEXTSTEP_OIDC_CLIENT_ID", "nextstep-console"),
		ClientSecretFile: getenv("NEXTSTEP_OIDC_CLIENT_SECRET_FILE"),
		AuthConfig:       getenv("NEXTSTEP_AUTH_CONFIG"),
		PupilURL:         or("NEXTSTEP_PUPIL_URL", server.DefaultPupilURL),
		PlacementURL:     or("NEXTSTEP_PLACEMENT_URL", "http://127.0.0.1:8082"),
		TrackingURL:      or("NEXTSTEP_TRACKING_URL", "http://127.0.0.1:8083"),
	}
	var err error
	durations := []struct {
		key string
		def time.Duration
		to  *time.Duration
	}{
		{"NEXTSTEP_SESSION_IDLE_TIMEOUT", 30 * time.Minute, &c.IdleTimeout},
		{"NEXTSTEP_SESSION_MAX_AGE", 8 * time.Hour, &c.AbsoluteTimeout},
		{"NEXTSTEP_SHUTDOWN_GRACE", 20 * time.Second, &c.ShutdownGrace},
	}
	for _, d := range durations {
		*d.to = d.def
		if v := getenv(d.key); v != "" {
			if *d.to, err = time.ParseDuration(v); err != nil || *d.to <= 0 {
				return c, fmt.Errorf("%s: %q is not a duration like 30m", d.key, v)
			}
		}
	}
	if err := c.LogLevel.UnmarshalText([]byte(or("NEXTSTEP_LOG_LEVEL", "info"))); err != nil {
		return c, fmt.Errorf("NEXTSTEP_LOG_LEVEL: %w", err)
	}
	if c.GrowthSectors, err = web.ParseSectors(getenv("NEXTSTEP_GROWTH_SECTORS")); err != nil {
		return c, fmt.Errorf("NEXTSTEP_GROWTH_SECTORS: %w", err)
	}
	switch {
	case c.Issuer == "":
		return c, errors.New("NEXTSTEP_OIDC_ISSUER is required: the OpenID Connect provider people sign in with")
	case c.AuthConfig == "":
		return c, errors.New("NEXTSTEP_AUTH_CONFIG is required: the services' auth configuration, which gives people their roles")
	case c.IdleTimeout > c.AbsoluteTimeout:
		return c, errors.New("NEXTSTEP_SESSION_IDLE_TIMEOUT is longer than NEXTSTEP_SESSION_MAX_AGE")
	}
	return c, nil
}

func main() {
	cfg, err := configFromEnv(os.Getenv)
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel})).With("service", "console")
	if err == nil {
		err = server.RefuseRoot(os.Geteuid(), os.Getenv)
	}
	if err != nil {
		logger.Error("configuration", "error", err)
		os.Exit(2)
	}
	gomemlimit.Set(logger)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err = run(ctx, cfg, logger)
	stop()
	if err != nil {
		logger.Error("stopped", "error", err)
		os.Exit(1)
	}
	logger.Info("stopped")
}

func run(ctx context.Context, cfg config, logger *slog.Logger) error {
	authCfg, err := auth.LoadConfig(cfg.AuthConfig)
	if err != nil {
		return err
	}
	if len(authCfg.OIDC) == 0 {
		return errors.New("NEXTSTEP_AUTH_CONFIG names no OpenID Connect issuer, so nobody could sign in")
	}
	var secret string
	if cfg.ClientSecretFile != "" {
		data, err := os.ReadFile(cfg.ClientSecretFile)
		if err != nil {
			return fmt.Errorf("NEXTSTEP_OIDC_CLIENT_SECRET_FILE: %w", err)
		}
		secret = strings.TrimSpace(string(data))
	}
	// The session store names its table without a schema.
	pool, err := database.OpenInSchema(ctx, cfg.DatabaseURL, schema)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := database.Migrate(ctx, pool, schema, migrations.FS, logger); err != nil {
		return err
	}
	startCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	app, err := web.New(startCtx, web.Config{
		BaseURL:         cfg.BaseURL,
		Issuer:          cfg.Issuer,
		ClientID:        cfg.ClientID,
		ClientSecret:    secret,
		People:          auth.NewOIDC(authCfg.OIDC, logger, auth.OIDCOptions{}),
		Pool:            pool,
		PupilURL:        cfg.PupilURL,
		PlacementURL:    cfg.PlacementURL,
		TrackingURL:     cfg.TrackingURL,
		Logger:          logger,
		IdleTimeout:     cfg.IdleTimeout,
		AbsoluteTimeout: cfg.AbsoluteTimeout,
		GrowthSectors:   cfg.GrowthSectors,
	})
	if err != nil {
		return err
	}
	defer app.Close()
	l, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	logger.Info("serving", "address", l.Addr().String(), "url", cfg.BaseURL)
	return server.Serve(ctx, l, app.Handler(), cfg.ShutdownGrace, logger)
}
