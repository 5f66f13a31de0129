// Package server is the one way a nextstep service is served: its Connect
// handlers behind authentication, authorization, validation and telemetry;
// gRPC health and reflection (so grpcurl and buf curl work); JSON over plain
// HTTP (Connect's own protocol, so curl works); Prometheus metrics; liveness
// and readiness probes; HTTP/1.1 and unencrypted HTTP/2 on one port; and a
// graceful shutdown.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"connectrpc.com/validate"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/hygiene"
	"github.com/nextstep-uk/nextstep/services/kit/telemetry"
)

// DefaultMaxRequestBytes bounds a request message. Imports stream their
// rows, so no single message needs to be large.
const DefaultMaxRequestBytes = 4 << 20

// CompressMinBytes is the smallest response a service compresses (when the
// caller accepts gzip): below it, gzip's set-up costs more CPU than the
// bytes it saves. The reconciler's revision reads answer a few bytes, and
// compressing them was a twentieth of a call's CPU.
const CompressMinBytes = 1 << 10

// Service is one Connect service: its fully-qualified name (the generated
// <Service>Name constant) and a function that mounts its handler, which is
// the generated New<Service>Handler bound to the implementation.
type Service struct {
	Name  string
	Mount func(opts ...connect.HandlerOption) (string, http.Handler)
}

// Options are what NewHandler needs from the service's main.
type Options struct {
	Logger        *slog.Logger
	Registry      *prometheus.Registry
	Authenticator auth.Authenticator
	// Pool is pinged by the readiness probe and the gRPC health check, and
	// its statistics are exported. May be nil for a service with no database.
	Pool *pgxpool.Pool
	// Schema is the service's PostgreSQL schema, which holds its audit log.
	Schema string
	// MaxRequestBytes bounds a request message; DefaultMaxRequestBytes if 0.
	MaxRequestBytes int64
}

// NewHandler returns the HTTP handler serving services and the endpoints
// every nextstep service has.
func NewHandler(o Options, services ...Service) http.Handler {
	if o.MaxRequestBytes == 0 {
		o.MaxRequestBytes = DefaultMaxRequestBytes
	}
	o.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if o.Pool != nil {
		o.Registry.MustRegister(telemetry.NewPoolCollector(o.Pool))
	}
	rpc := telemetry.NewRPC(o.Registry, o.Logger)
	// Outermost first: telemetry sees every call, including refused ones;
	// authorization runs before validation so a caller without access learns
	// nothing about the request's shape; hygiene (unknown fields, control
	// and invisible characters in any string) runs before the contract's
	// rules so its violations are reported whatever else is wrong; the audit
	// log records what valid, authorized calls did.
	interceptors := []connect.Interceptor{rpc.Interceptor(), auth.NewInterceptor(), hygiene.NewInterceptor(), validate.NewInterceptor()}
	if o.Pool != nil {
		interceptors = append(interceptors, audit.New(o.Pool, o.Schema, o.Logger).Interceptor())
	}
	opts := []connect.HandlerOption{
		connect.WithInterceptors(interceptors...),
		connect.WithReadMaxBytes(int(o.MaxRequestBytes)),
		connect.WithCompressMinBytes(CompressMinBytes),
	}
	for _, c := range jsonCodecs {
		opts = append(opts, connect.WithCodec(c))
	}

	mux := http.NewServeMux()
	names := make([]string, 0, len(services))
	for _, s := range services {
		path, h := s.Mount(opts...)
		mux.Handle(path, auth.Middleware(o.Authenticator, o.Logger, h))
		names = append(names, s.Name)
	}

	// Health and reflection describe the service, not its data: they are
	// open so that probes, grpcurl and buf curl work without a token.
	mux.Handle(grpchealth.NewHandler(&healthChecker{pool: o.Pool, services: names}))
	reflector := grpcreflect.NewStaticReflector(names...)
	mux.Handle(grpcreflect.NewHandlerV1(reflector))
	mux.Handle(grpcreflect.NewHandlerV1Alpha(reflector))

	mux.Handle("GET /metrics", promhttp.HandlerFor(o.Registry, promhttp.HandlerOpts{Registry: o.Registry}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := ping(r.Context(), o.Pool); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	return mux
}

func ping(ctx context.Context, pool *pgxpool.Pool) error {
	if pool == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return pool.Ping(ctx)
}

type healthChecker struct {
	pool     *pgxpool.Pool
	services []string
}

func (c *healthChecker) Check(ctx context.Context, req *grpchealth.CheckRequest) (*grpchealth.CheckResponse, error) {
	if req.Service != "" && !slices.Contains(c.services, req.Service) {
		return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("unknown service %s", req.Service))
	}
	if err := ping(ctx, c.pool); err != nil {
		return &grpchealth.CheckResponse{Status: grpchealth.StatusNotServing}, nil
	}
	return &grpchealth.CheckResponse{Status: grpchealth.StatusServing}, nil
}

// Protocols are HTTP/1.1 (for curl and browsers) and HTTP/2 without TLS
// (for gRPC); TLS is terminated in front of the service.
func Protocols() *http.Protocols {
	p := new(http.Protocols)
	p.SetHTTP1(true)
	p.SetUnencryptedHTTP2(true)
	return p
}

// Serve serves h on l until ctx is cancelled, then shuts down gracefully:
// it stops accepting, lets calls in flight finish for up to grace, and
// returns.
func Serve(ctx context.Context, l net.Listener, h http.Handler, grace time.Duration, logger *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		Protocols:         Protocols(),
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    64 << 10,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", grace)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
