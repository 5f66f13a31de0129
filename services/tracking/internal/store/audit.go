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
	Targets   []string
}

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
		w.add("subject = ?", f.Subject)
	}
	if f.Target != "" {
		// Array containment uses the GIN index on targets.
		w.add("targets @> ARRAY[?]::text[]", f.Target)
	}
	if !f.Since.IsZero() {
		w.add("at >= ?", f.Since)
	}
	if !f.Until.IsZero() {
		w.add("at < ?", f.Until)
	}
	if f.BeforeID != 0 {
		w.add("id < ?", f.BeforeID)
	}
	rows, err := db.Query(ctx, fmt.Sprintf(`
		SELECT id, at, subject, role, procedure, purpose, outcome, targets
		FROM tracking.audit_events WHERE %s ORDER BY id DESC LIMIT %d`, w.sql(), limit), w.args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditEvent, error) {
		var e AuditEvent
		err := r.Scan(&e.ID, &e.At, &e.Subject, &e.Role, &e.Procedure, &e.Purpose, &e.Outcome, &e.Targets)
		return e, err
	})
}
