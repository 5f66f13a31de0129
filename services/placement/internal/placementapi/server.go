// Package placementapi implements nextstep.placement.v1.PlacementService: it
// checks the caller's scope, maps messages to rows and calls the store.
// Request fields have already been validated against the .proto rules by
// the interceptor; what the rules cannot say (calendar dates, a schedule
// that makes sense) is checked here with the schedule package.
package placementapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1/placementv1connect"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/services/kit/calendar"
	"github.com/nextstep-uk/nextstep/services/kit/enrolment"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/placement/internal/store"
)

// Server implements PlacementService.
type Server struct {
	placementv1connect.UnimplementedPlacementServiceHandler
	pool   *pgxpool.Pool
	logger *slog.Logger
	// pupils says where pupils are on roll: a booking's school and local
	// authority, and so its scope, come from it.
	pupils enrolment.Directory
	now    func() time.Time
}

// Services returns the placement service's Connect services, for server.Main.
func Services(d server.Deps) []server.Service {
	s := &Server{pool: d.Pool, logger: d.Logger, pupils: d.Pupils, now: d.Now}
	if s.now == nil {
		s.now = time.Now
	}
	return []server.Service{{
		Name: placementv1connect.PlacementServiceName,
		Mount: func(opts ...connect.HandlerOption) (string, http.Handler) {
			return placementv1connect.NewPlacementServiceHandler(s, opts...)
		},
	}}
}

// Page sizes of list calls.
const (
	defaultPageSize = 50
	maxPageSize     = 500
)

// today is the date in England.
func (s *Server) today() time.Time { return calendar.Today(s.now()) }

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// requireUUID refuses an id the .proto cannot require (ids that are
// ignored on create but needed on update).
func requireUUID(field, id string) error {
	if !uuidPattern.MatchString(id) {
		return rpcerror.InvalidArgument(rpcerror.Violation{Field: field, RuleID: "string.uuid", Message: "value must be a valid UUID"})
	}
	return nil
}

// refusal turns the store's refusals into errors with reasons; anything
// else is a failure of ours, logged and answered Internal. what names the
// record for NotFound.
func (s *Server) refusal(ctx context.Context, op, what string, err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return rpcerror.NotFound(what)
	case errors.Is(err, store.ErrStaleVersion):
		return rpcerror.New(connect.CodeAborted, refusalv1.Reason_REASON_STALE_VERSION, "the %s has changed since you read it: read it again and reapply your change", what)
	case errors.Is(err, store.ErrKeyReused):
		return rpcerror.New(connect.CodeAlreadyExists, refusalv1.Reason_REASON_IDEMPOTENCY_KEY_REUSED, "the idempotency key was used for a different request")
	case errors.Is(err, store.ErrEmployerExists):
		return rpcerror.New(connect.CodeAlreadyExists, refusalv1.Reason_REASON_EMPLOYER_EXISTS, "an employer with this Companies House number exists")
	case errors.Is(err, store.ErrEmployerNotFound):
		return rpcerror.NotFound("employer")
	case errors.Is(err, store.ErrOpportunityFull):
		return rpcerror.New(connect.CodeFailedPrecondition, refusalv1.Reason_REASON_OPPORTUNITY_FULL, "every place on the opportunity is booked")
	case errors.Is(err, store.ErrAlreadyBooked):
		return rpcerror.New(connect.CodeAlreadyExists, refusalv1.Reason_REASON_ALREADY_BOOKED, "the pupil already has a place on this opportunity")
	case errors.Is(err, store.ErrFixedField):
		return rpcerror.New(connect.CodeFailedPrecondition, refusalv1.Reason_REASON_FIXED_FIELD, "an opportunity's employer, kind and days cannot change once created")
	case errors.Is(err, store.ErrCapacityBelowBooked):
		return rpcerror.New(connect.CodeFailedPrecondition, refusalv1.Reason_REASON_CAPACITY_BELOW_BOOKED, "capacity cannot fall below the places already booked")
	}
	return rpcerror.Internal(ctx, s.logger, op, err)
}

// parseDate reads a YYYY-MM-DD field the .proto has matched by pattern but
// that may still not be in the calendar (2026-02-30).
func parseDate(field, value string) (time.Time, error) {
	d, ok := calendar.Parse(value)
	if !ok {
		return time.Time{}, rpcerror.InvalidArgument(rpcerror.Violation{Field: field, RuleID: "date.calendar", Message: "value must be a calendar date (YYYY-MM-DD)"})
	}
	return d, nil
}
