package auth

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"connectrpc.com/connect"
)

// Middleware authenticates every request before its body is read: a request
// without a bearer token the Authenticator accepts is answered
// Unauthenticated in the caller's protocol (Connect, gRPC or gRPC-Web).
func Middleware(a Authenticator, logger *slog.Logger, next http.Handler) http.Handler {
	errw := connect.NewErrorWriter()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearerToken(r)
		if !ok {
			_ = errw.Write(w, r, connect.NewError(connect.CodeUnauthenticated, errors.New("a bearer token is required")))
			return
		}
		p, err := a.Authenticate(r.Context(), token)
		if err != nil {
			// The reason is logged, never the token; the caller learns
			// only that it was refused.
			if !errors.Is(err, ErrUnauthenticated) {
				logger.ErrorContext(r.Context(), "authenticate", "error", err.Error())
				_ = errw.Write(w, r, connect.NewError(connect.CodeUnavailable, errors.New("cannot verify the token now")))
				return
			}
			logger.InfoContext(r.Context(), "token refused", "reason", err.Error(), "procedure", r.URL.Path)
			_ = errw.Write(w, r, connect.NewError(connect.CodeUnauthenticated, errors.New("the bearer token is not valid")))
			return
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}
