// Package trackingapi implements nextstep.tracking.v1.TrackingService: it
// checks the caller's scope, maps messages to rows and calls the store.
// Request fields have already been validated against the .proto rules by
// the interceptor; the checks here are those a rule cannot express (a real
// calendar date, a code in the NCCIS table).
package trackingapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"
	_ "time/tzdata" // dates are England's, whatever the host's zone files

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1/trackingv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store"
)

// Server implements TrackingService.
type Server struct {
	trackingv1connect.UnimplementedTrackingServiceHandler
	pool   *pgxpool.Pool
	logger *slog.Logger
	now    func() time.Time
}

// Services returns the tracking service's Connect services, for server.Main.
func Services(pool *pgxpool.Pool, logger *slog.Logger) []server.Service {
	s := &Server{pool: pool, logger: logger, now: time.Now}
	return []server.Service{{
		Name: trackingv1connect.TrackingServiceName,
		Mount: func(opts ...connect.HandlerOption) (string, http.Handler) {
			return trackingv1connect.NewTrackingServiceHandler(s, opts...)
		},
	}}
}

var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// today is the current date in England, as midnight UTC: due dates,
// overdue and snoozes are calendar dates there.
func (s *Server) today() time.Time {
	y, m, d := s.now().In(london).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// principal is the caller; the authentication middleware guarantees one.
func principal(ctx context.Context) auth.Principal {
	p, _ := auth.FromContext(ctx)
	return p
}

// scopeOf turns the caller's principal into the store's scope.
func scopeOf(p auth.Principal) store.Scope {
	return p.Filter()
}

// internal logs a storage failure and returns an error that says nothing of
// the request, so no personal data can leak through it.
func internal(ctx context.Context, logger *slog.Logger, op string, err error) error {
	logger.ErrorContext(ctx, op, "error", err)
	return connect.NewError(connect.CodeInternal, fmt.Errorf("%s failed", op))
}

// parseDate reads a YYYY-MM-DD field whose shape the .proto rule has
// checked, refusing dates that are not in the calendar (2026-02-30).
func parseDate(field, v string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, rpcerror.InvalidArgument(rpcerror.Violation{Field: field, RuleID: "date.calendar", Message: "is not a calendar date"})
	}
	return d, nil
}

// maxPageSize bounds every list call's page, as the .proto rules do.
const maxPageSize = 500

// decodeCursor reads a page token into a fresh cursor; nil for the first
// page.
func decodeCursor[C any](token string) (*C, error) {
	if token == "" {
		return nil, nil
	}
	c := new(C)
	if err := pagetoken.Decode(token, c); err != nil {
		return nil, err
	}
	return c, nil
}
