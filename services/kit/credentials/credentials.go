// Package credentials is how a nextstep component proves who it is when it
// calls another: a source of bearer tokens (a fixed one, or a file that a
// Kubernetes projected service-account token is rotated into) and the
// Connect client interceptor that sends it, with the options of a client
// that calls another component. Checking tokens on the way in
// is package auth's.
package credentials

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
)

// TokenSource returns the bearer token for an outgoing call.
type TokenSource func(ctx context.Context) (string, error)

// StaticToken is a TokenSource that always returns token.
func StaticToken(token string) TokenSource {
	return func(context.Context) (string, error) { return token, nil }
}

// FileToken reads the token from path, re-reading it at most once a
// minute, so a rotated Kubernetes service-account token is picked up.
func FileToken(path string) TokenSource {
	var (
		mu      sync.Mutex
		token   string
		readAt  time.Time
		refresh = time.Minute
	)
	return func(context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if token != "" && time.Since(readAt) < refresh {
			return token, nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("read token file: %w", err)
		}
		t := strings.TrimSpace(string(data))
		if t == "" {
			return "", fmt.Errorf("token file %s is empty", path)
		}
		token, readAt = t, time.Now()
		return token, nil
	}
}

// ClientOptions are the options of a Connect client by which one nextstep
// component calls another inside the cluster: gRPC, the bearer token src
// gives, and responses Uncompressed.
func ClientOptions(src TokenSource) []connect.ClientOption {
	return []connect.ClientOption{
		connect.WithGRPC(),
		connect.WithInterceptors(NewInterceptor(src)),
		Uncompressed,
	}
}

// Uncompressed is the client option that asks a service for its responses
// uncompressed, as every component calling another inside the cluster does
// (ClientOptions, the console). Clients ask for gzip by default, and CPU
// profiles of the services showed a tenth of the pupil and tracking
// services' time over make bench-region's passes, and 8% of tracking's
// under make bench-queue's load, going on compressing responses that cross
// one cluster network.
var Uncompressed = connect.WithAcceptCompression("gzip", nil, nil)

// NewInterceptor returns a client interceptor that sends the token
// from src as "Authorization: Bearer <token>" on every call.
func NewInterceptor(src TokenSource) connect.Interceptor { return bearer{src} }

type bearer struct{ src TokenSource }

func (b bearer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		token, err := b.src(ctx)
		if err != nil {
			return nil, connect.NewError(connect.CodeUnauthenticated, err)
		}
		if token != "" {
			req.Header().Set("Authorization", "Bearer "+token)
		}
		return next(ctx, req)
	}
}

func (b bearer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		if token, err := b.src(ctx); err == nil && token != "" {
			conn.RequestHeader().Set("Authorization", "Bearer "+token)
		}
		return conn
	}
}

func (bearer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}
