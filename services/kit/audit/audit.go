// Package audit writes the audit log every service keeps: one row for every
// call that reads a child's personal data (methods whose access policy sets
// personal_data) and for every call that changes anything (methods not
// marked NO_SIDE_EFFECTS). Who (the verified subject, the issuer that
// vouched for it: an OIDC issuer, "kubernetes" for a service account,
// "development" for a development token; and the role), what (procedure,
// outcome and the records touched), when, and why (the Nextstep-Purpose
// header the console sends). If the row cannot be written, a personal-data
// read fails rather than return data that was not audited.
//
// The table lives in the service's own schema: <schema>.audit_events, one
// row a call, with the records it touched, in order, in its targets array
// (and where each belongs in target_schools and target_las, arrays of the
// same length, or empty when the call said for none). It is created by
// database.Migrate.
package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
	"unicode/utf8"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
)

// PurposeHeader carries why a member of staff made a call ("caseload
// review"). It is recorded as given, cut to MaxPurposeLength.
const PurposeHeader = "Nextstep-Purpose"

// MaxPurposeLength bounds the recorded purpose, in characters.
const MaxPurposeLength = 200

// targets collects the records a call touched: "kind:id", and where each
// belongs (empty when the call did not say).
type targets struct {
	mu                  sync.Mutex
	ids, schools, areas []string
}

type targetsKey struct{}

// Touch records that the call in ctx read or changed the record kind/id, for
// example Touch(ctx, "pupil", id). Ids are pseudonymous (a pupil's id, never
// a name or UPN). Outside an audited call it does nothing.
//
// A target recorded by Touch belongs to no school or local authority, so a
// service that lets staff read its log by scope (tracking) shows it only to
// a caller who sees everything; such a service records with TouchAt.
func Touch(ctx context.Context, kind, id string) { TouchAt(ctx, kind, id, "", "") }

// TouchAt is Touch for a record that belongs to the school with schoolURN in
// the local authority laCode (a pupil's, where they are on roll when the
// call is made), so that a reader of the log scoped to that school or
// authority sees the event.
func TouchAt(ctx context.Context, kind, id, schoolURN, laCode string) {
	if t, ok := ctx.Value(targetsKey{}).(*targets); ok {
		t.mu.Lock()
		t.ids = append(t.ids, kind+":"+id)
		t.schools = append(t.schools, schoolURN)
		t.areas = append(t.areas, laCode)
		t.mu.Unlock()
	}
}

// Log writes audit events into one service's schema.
//
// Calls that end together share a commit: each call's event waits in a
// queue, and one writer at a time sends every event waiting as one batch,
// one implicit transaction, so a burst of calls costs one flush of the
// write-ahead log, not one each, and holds one of the pool's connections,
// not one per call. Each call still returns only once its own event has
// committed. Under the queue's load (make bench-queue) the calls' commits,
// one each, had every connection of the pool waiting on the log's flush.
type Log struct {
	pool   *pgxpool.Pool
	insert string
	logger *slog.Logger

	// mu guards the queue and whether a writer is sending it.
	mu      sync.Mutex
	queue   []*pending
	writing bool
}

// pending is one call's event, waiting to be written.
type pending struct {
	args []any
	done chan error
}

// maxBatch is the most events one batch writes.
const maxBatch = 256

// writeTimeout bounds one batch's write.
const writeTimeout = 30 * time.Second

// New returns the audit log of the service whose schema is schema.
func New(pool *pgxpool.Pool, schema string, logger *slog.Logger) *Log {
	insert := fmt.Sprintf(`INSERT INTO %s (subject, issuer, role, procedure, purpose, outcome, targets, target_schools, target_las)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, pgx.Identifier{schema, "audit_events"}.Sanitize())
	return &Log{pool: pool, insert: insert, logger: logger}
}

// Audited reports whether calls to method are audited, and whether they
// are reads of personal data, whose response is withheld when the audit
// row cannot be written. A write is never withheld: it has committed by
// then, and an error would invite a retry of what was already done.
func Audited(method protoreflect.MethodDescriptor) (audited, personalRead bool) {
	if method == nil {
		return true, false
	}
	personal := auth.Policy(method).GetPersonalData()
	opts, _ := method.Options().(*descriptorpb.MethodOptions)
	readOnly := opts.GetIdempotencyLevel() == descriptorpb.MethodOptions_NO_SIDE_EFFECTS
	return personal || !readOnly, personal && readOnly
}

// Interceptor returns the Connect interceptor that writes the events. It
// runs inside authorization, so it sees only calls that were allowed.
func (l *Log) Interceptor() connect.Interceptor { return interceptor{l} }

func (l *Log) write(ctx context.Context, spec connect.Spec, header interface{ Get(string) string }, t *targets, callErr error) error {
	p, _ := auth.FromContext(ctx)
	outcome := "ok"
	if callErr != nil {
		outcome = connect.CodeOf(callErr).String()
	}
	purpose := header.Get(PurposeHeader)
	if utf8.RuneCountInString(purpose) > MaxPurposeLength {
		purpose = string([]rune(purpose)[:MaxPurposeLength])
	}
	t.mu.Lock()
	ids, schools, areas := append([]string{}, t.ids...), placed(t.schools), placed(t.areas)
	t.mu.Unlock()
	// The row is written even if the caller has gone away.
	e := &pending{
		args: []any{p.Subject, p.Issuer, p.Role.String(), spec.Procedure, purpose, outcome, ids, schools, areas},
		done: make(chan error, 1),
	}
	l.mu.Lock()
	l.queue = append(l.queue, e)
	if !l.writing {
		l.writing = true
		go l.drain(context.WithoutCancel(ctx))
	}
	l.mu.Unlock()
	return <-e.done
}

// placed copies where the touched records belong, or is empty when the call
// said for none (Touch, as the pupil and placement services do), so their
// events carry no array of empty strings.
func placed(where []string) []string {
	for _, w := range where {
		if w != "" {
			return append([]string{}, where...)
		}
	}
	return []string{}
}

// drain writes the queue, a batch at a time, until it is empty.
func (l *Log) drain(ctx context.Context) {
	for {
		l.mu.Lock()
		n := min(len(l.queue), maxBatch)
		if n == 0 {
			l.writing = false
			l.mu.Unlock()
			return
		}
		batch := l.queue[:n:n]
		l.queue = l.queue[n:]
		l.mu.Unlock()
		wctx, cancel := context.WithTimeout(ctx, writeTimeout)
		err := l.writeBatch(wctx, batch)
		if err != nil && len(batch) > 1 {
			// One event the database refuses must not cost the others
			// theirs: each is written alone, and only it fails.
			for _, e := range batch {
				e.done <- l.writeBatch(wctx, []*pending{e})
			}
		} else {
			for _, e := range batch {
				e.done <- err
			}
		}
		cancel()
	}
}

// writeBatch writes the events in one round trip and one transaction: the
// statements of a batch outside an explicit transaction run in one
// implicit one, which commits at its end or not at all.
func (l *Log) writeBatch(ctx context.Context, events []*pending) error {
	if len(events) == 1 {
		_, err := l.pool.Exec(ctx, l.insert, events[0].args...)
		return err
	}
	b := &pgx.Batch{}
	for _, e := range events {
		b.Queue(l.insert, e.args...)
	}
	return l.pool.SendBatch(ctx, b).Close()
}

type interceptor struct{ l *Log }

func (i interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		method, _ := req.Spec().Schema.(protoreflect.MethodDescriptor)
		audited, personalRead := Audited(method)
		if req.Spec().IsClient || !audited {
			return next(ctx, req)
		}
		t := &targets{}
		res, err := next(context.WithValue(ctx, targetsKey{}, t), req)
		if werr := i.l.write(ctx, req.Spec(), req.Header(), t, err); werr != nil {
			i.l.logger.ErrorContext(ctx, "audit write failed", "procedure", req.Spec().Procedure, "error", rpcerror.Loggable(werr))
			if personalRead && err == nil {
				return nil, connect.NewError(connect.CodeUnavailable, errors.New("the audit log cannot be written, so the data is withheld"))
			}
		}
		return res, err
	}
}

func (interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		method, _ := conn.Spec().Schema.(protoreflect.MethodDescriptor)
		audited, _ := Audited(method)
		if !audited {
			return next(ctx, conn)
		}
		// A stream's data has gone by the time it ends, so a failed write
		// is logged, not turned into an error.
		t := &targets{}
		err := next(context.WithValue(ctx, targetsKey{}, t), conn)
		if werr := i.l.write(ctx, conn.Spec(), conn.RequestHeader(), t, err); werr != nil {
			i.l.logger.ErrorContext(ctx, "audit write failed", "procedure", conn.Spec().Procedure, "error", rpcerror.Loggable(werr))
		}
		return err
	}
}
