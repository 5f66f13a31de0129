package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuditEvent is a row of tracking.audit_events, which the kit's audit
// interceptor writes.
type AuditEvent struct {
	ID        int64
	At        time.Time
	Subject   string
	Role      string
	Procedure string
	Purpose   string
	Outcome   string
	// Targets are the first MaxAuditTargets records the call touched, in
	// order; TargetCount is how many it touched in all.
	Targets     []string
	TargetCount int32
}

// MaxAuditTargets bounds the targets returned with one event: an import's
// event can name hundreds of thousands of pupils.
const MaxAuditTargets = 1000

// AuditFilter narrows an audit read; zero fields do not filter.
type AuditFilter struct {
	Subject string
	Target  string
	Since   time.Time
	Until   time.Time
	// BeforeID is the page cursor: only events older than it.
	BeforeID int64
}

// ListAuditEvents returns audit events matching f, newest first.
func ListAuditEvents(ctx context.Context, db DB, f AuditFilter, limit int) ([]AuditEvent, error) {
	var w where
	if f.Subject != "" {
		w.add("e.subject = ?", f.Subject)
	}
	if f.Target != "" {
		// One index lookup on audit_targets (target, event_id).
		w.add("EXISTS (SELECT 1 FROM tracking.audit_targets t WHERE t.event_id = e.id AND t.target = ?)", f.Target)
	}
	if !f.Since.IsZero() {
		w.add("e.at >= ?", f.Since)
	}
	if !f.Until.IsZero() {
		w.add("e.at < ?", f.Until)
	}
	if f.BeforeID != 0 {
		w.add("e.id < ?", f.BeforeID)
	}
	rows, err := db.Query(ctx, fmt.Sprintf(`
		SELECT e.id, e.at, e.subject, e.role, e.procedure, e.purpose, e.outcome, e.target_count,
			ARRAY(SELECT t.target FROM tracking.audit_targets t WHERE t.event_id = e.id ORDER BY t.position LIMIT %d)
		FROM tracking.audit_events e WHERE %s ORDER BY e.id DESC LIMIT %d`, MaxAuditTargets, w.sql(), limit), w.args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditEvent, error) {
		var e AuditEvent
		err := r.Scan(&e.ID, &e.At, &e.Subject, &e.Role, &e.Procedure, &e.Purpose, &e.Outcome, &e.TargetCount, &e.Targets)
		return e, err
	})
}
