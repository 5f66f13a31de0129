// Package telemetry is what every nextstep service reports about itself:
// Prometheus metrics per procedure, one structured log line per call, and the
// database pool's figures. None of it carries a request's content, so no
// personal data reaches a log line or a label.
package telemetry

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"connectrpc.com/connect"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
)

// RPC metric names; dashboards and alerts in charts/ query these.
const (
	MetricHandled  = "nextstep_rpc_server_handled_total"
	MetricDuration = "nextstep_rpc_server_handling_seconds"
)

// RPC records each call's outcome and latency and logs it.
type RPC struct {
	handled  *prometheus.CounterVec
	duration *prometheus.HistogramVec
	logger   *slog.Logger
}

// NewRPC registers the RPC metrics with reg.
func NewRPC(reg prometheus.Registerer, logger *slog.Logger) *RPC {
	r := &RPC{
		handled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricHandled,
			Help: "RPCs completed by the server, by procedure and Connect code (ok for success).",
		}, []string{"procedure", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    MetricDuration,
			Help:    "Time the server took to handle an RPC, by procedure.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"procedure"}),
		logger: logger,
	}
	reg.MustRegister(r.handled, r.duration)
	return r
}

// Interceptor returns the Connect interceptor that observes every call.
func (r *RPC) Interceptor() connect.Interceptor { return rpcInterceptor{r} }

func (r *RPC) observe(ctx context.Context, procedure string, start time.Time, err error) {
	elapsed := time.Since(start)
	code := "ok"
	if err != nil {
		code = connect.CodeOf(err).String()
	}
	r.handled.WithLabelValues(procedure, code).Inc()
	r.duration.WithLabelValues(procedure).Observe(elapsed.Seconds())

	attrs := []slog.Attr{
		slog.String("procedure", procedure),
		slog.String("code", code),
		slog.Duration("duration", elapsed),
	}
	if p, ok := auth.FromContext(ctx); ok {
		attrs = append(attrs, slog.String("subject", p.Subject))
	}
	level := slog.LevelInfo
	var cerr *connect.Error
	if err != nil && errors.As(err, &cerr) && isServerFault(cerr.Code()) {
		level = slog.LevelError
		// The message of a server fault is written by our code, which keeps
		// personal data out of error strings; client faults are not logged
		// in full because they echo what the client sent.
		attrs = append(attrs, slog.String("error", cerr.Message()))
	}
	r.logger.LogAttrs(ctx, level, "rpc", attrs...)
}

func isServerFault(c connect.Code) bool {
	switch c {
	case connect.CodeInternal, connect.CodeUnknown, connect.CodeDataLoss, connect.CodeUnavailable, connect.CodeDeadlineExceeded:
		return true
	}
	return false
}

type rpcInterceptor struct{ r *RPC }

func (i rpcInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		start := time.Now()
		res, err := next(ctx, req)
		i.r.observe(ctx, req.Spec().Procedure, start, err)
		return res, err
	}
}

func (rpcInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i rpcInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		start := time.Now()
		err := next(ctx, conn)
		i.r.observe(ctx, conn.Spec().Procedure, start, err)
		return err
	}
}
