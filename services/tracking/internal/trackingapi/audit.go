package trackingapi

import (
	"context"

	"google.golang.org/protobuf/types/known/timestamppb"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/store"
)

// auditCursor is the id of the last event of a page.
type auditCursor struct {
	ID int64 `json:"i"`
}

// Valid implements pagetoken.Cursor.
func (c *auditCursor) Valid() bool { return c.ID > 0 }

// ListAuditEvents implements TrackingService.
func (s *Server) ListAuditEvents(ctx context.Context, req *trackingv1.ListAuditEventsRequest) (*trackingv1.ListAuditEventsResponse, error) {
	after, err := decodeCursor[auditCursor](req.GetPageToken())
	if err != nil {
		return nil, err
	}
	f := store.AuditFilter{Scope: auth.Caller(ctx).Scope, Subject: req.GetSubject(), Target: req.GetTarget()}
	if req.GetSince() != nil {
		f.Since = req.GetSince().AsTime()
	}
	if req.GetUntil() != nil {
		f.Until = req.GetUntil().AsTime()
	}
	if after != nil {
		f.BeforeID = after.ID
	}
	limit := pagetoken.Size(req.GetPageSize(), 100, maxPageSize)
	events, err := store.ListAuditEvents(ctx, s.pool, f, limit+1)
	if err != nil {
		return nil, rpcerror.Internal(ctx, s.logger, "list audit events", err)
	}
	res := &trackingv1.ListAuditEventsResponse{}
	if len(events) > limit {
		events = events[:limit]
		res.NextPageToken = pagetoken.Encode(auditCursor{ID: events[limit-1].ID})
	}
	for _, e := range events {
		res.Events = append(res.Events, &trackingv1.AuditEvent{
			Id: e.ID, At: timestamppb.New(e.At), Subject: e.Subject, Issuer: e.Issuer, Role: e.Role, Procedure: e.Procedure,
			Purpose: e.Purpose, Outcome: e.Outcome, Targets: e.Targets, TargetCount: e.TargetCount,
		})
	}
	return res, nil
}
