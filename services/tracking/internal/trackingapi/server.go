// Package trackingapi implements nextstep.tracking.v1.TrackingService: it
// checks the caller's scope, maps messages to rows and calls the store.
// Request fields have already been validated against the .proto rules by
// the interceptor; the checks here are those a rule cannot express (a real
// calendar date, a code in the NCCIS table).
package trackingapi

import (
	"log/slog"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1/trackingv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/calendar"
	"github.com/nextstep-uk/nextstep/services/kit/enrolment"
	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/currency"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store"
)

// Server implements TrackingService.
type Server struct {
	trackingv1connect.UnimplementedTrackingServiceHandler
	pool   *pgxpool.Pool
	logger *slog.Logger
	// pupils says where pupils are on roll: a destination's school and
	// local authority, and so its scope, come from it.
	pupils enrolment.Directory
	now    func() time.Time
	// currency says how long a confirmed activity stays current.
	currency currency.Config
	// counter answers CountTasks.
	counter *store.Counter
}

// Options configure a Server; the zero value is the defaults.
type Options struct {
	// Currency is the periods confirmed activities stay current for;
	// currency.Default() if nil. It must have been validated (Parse does).
	Currency *currency.Config
}

// Services returns the tracking service's Connect services with the
// default options, for server.Main.
func Services(d server.Deps) []server.Service { return ServicesWith(d, Options{}) }

// ServicesWith returns the tracking service's Connect services configured
// by opts.
func ServicesWith(d server.Deps, opts Options) []server.Service {
	s := &Server{pool: d.Pool, logger: d.Logger, pupils: d.Pupils, now: d.Now, currency: currency.Default(), counter: store.NewCounter(d.Pool)}
	if s.now == nil {
		s.now = time.Now
	}
	if opts.Currency != nil {
		s.currency = *opts.Currency
	}
	return []server.Service{{
		Name: trackingv1connect.TrackingServiceName,
		Mount: func(opts ...connect.HandlerOption) (string, http.Handler) {
			return trackingv1connect.NewTrackingServiceHandler(s, opts...)
		},
	}}
}

// today is the current date in England, as midnight UTC: due dates,
// overdue and snoozes are calendar dates there.
func (s *Server) today() time.Time { return calendar.Today(s.now()) }

// parseDate reads a YYYY-MM-DD field whose shape the .proto rule has
// checked, refusing dates that are not in the calendar (2026-02-30) and
// those outside the plausible window (calendar.Plausible): from 2000 to
// two years from today.
func (s *Server) parseDate(field, v string) (time.Time, error) {
	d, ok := calendar.Parse(v)
	if !ok {
		return time.Time{}, rpcerror.InvalidArgument(rpcerror.Violation{Field: field, RuleID: "date.calendar", Message: "is not a calendar date"})
	}
	if !calendar.Plausible(d, s.today()) {
		return time.Time{}, rpcerror.InvalidArgument(rpcerror.Violation{Field: field, RuleID: "date.range", Message: "must be from 2000 to two years from today"})
	}
	return d, nil
}

// maxPageSize bounds every list call's page, as the .proto rules do.
const maxPageSize = 500

// decodeCursor reads a page token into a fresh cursor; nil for the first
// page.
func decodeCursor[C any, P interface {
	*C
	pagetoken.Cursor
}](token string) (*C, error) {
	if token == "" {
		return nil, nil
	}
	c := P(new(C))
	if err := pagetoken.Decode(token, c); err != nil {
		return nil, err
	}
	return c, nil
}
