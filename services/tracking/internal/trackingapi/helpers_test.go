package trackingapi_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5/pgxpool"

	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1/trackingv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/pupil/pupiltest"
	"github.com/nextstep-uk/nextstep/services/tracking/internal/trackingapi"
	"github.com/nextstep-uk/nextstep/services/tracking/migrations"
)

// clockFrom is a clock that starts at start and moves on a millisecond
// each time it is read, as a real one would between calls: records made
// one after another are in the order they were made, and the day stays
// start's for the length of any test.
func clockFrom(start time.Time) func() time.Time {
	var ticks atomic.Int64
	return func() time.Time { return start.Add(time.Duration(ticks.Add(1)) * time.Millisecond) }
}

// today is the tests' clock. Dates in the tests are placed around it:
// 2020 is long overdue, 2028 is as far ahead as a plausible date goes.
var today = time.Date(2026, time.June, 1, 9, 0, 0, 0, time.UTC)

// env is the tracking service on a fresh database, with the real pupil
// service it asks where pupils are on roll (its test schools registered).
type env struct {
	srv    *servicetest.Server
	pool   *pgxpool.Pool
	pupils *pupiltest.Service
}

func start(t *testing.T) env {
	t.Helper()
	pupils := pupiltest.Start(t)
	for urn := range pupiltest.Schools {
		pupils.School(t, urn)
	}
	pool := dbtest.NewPool(t, "tracking", migrations.FS)
	srv := servicetest.Start(t, "tracking", pool, trackingapi.Services(server.Deps{
		Pool: pool, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Pupils: pupils.Directory(),
		Now: clockFrom(today),
	})...)
	return env{srv: srv, pool: pool, pupils: pupils}
}

// at is the same service, database and pupil service, on a clock that
// starts at start: a later day, when records made now have aged.
func (e env) at(t *testing.T, start time.Time) env {
	t.Helper()
	e.srv = servicetest.Start(t, "tracking", e.pool, trackingapi.Services(server.Deps{
		Pool: e.pool, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Pupils: e.pupils.Directory(),
		Now: clockFrom(start),
	})...)
	return e
}

// pupilAt registers a new pupil at the school with urn (one of
// pupiltest.Schools) and returns their id.
func (e env) pupilAt(t *testing.T, urn string) string {
	t.Helper()
	return e.pupils.Enrol(t, urn)
}

// client calls as the principal with token, over Connect.
func (e env) client(token string) trackingv1connect.TrackingServiceClient {
	return e.clientOver(token, false)
}

func (e env) clientOver(token string, grpc bool) trackingv1connect.TrackingServiceClient {
	return trackingv1connect.NewTrackingServiceClient(servicetest.HTTPClient(), e.srv.URL, servicetest.Options(token, grpc)...)
}

func newID(t testing.TB) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// ok stands for success in tables of expected codes.
const ok connect.Code = 0

// checkCode fails the test unless err has code want (ok for none) and, when
// reason is not empty, that ErrorInfo reason.
func checkCode(t *testing.T, err error, want connect.Code, reason refusalv1.Reason) {
	t.Helper()
	if want == ok {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if got := connect.CodeOf(err); got != want {
		t.Fatalf("code = %v, want %v (err %v)", got, want, err)
	}
	if got := rpcerror.Reason(err); reason != 0 && got != reason {
		t.Fatalf("reason = %q, want %q (err %v)", got, reason, err)
	}
}

// cohort is a Cohort resource's identity for syncs in tests.
type cohort struct {
	key, urn, la string
	pass         int64
}

// Wolverhampton's Heath Park (LA 336, school 100001), Sandwell's (LA 330)
// and one outside the test hub (LA 201).
func heathPark() *cohort {
	return &cohort{key: "wolverhampton/heath-park-y11", urn: "100001", la: "336"}
}
func sandwell() *cohort  { return &cohort{key: "sandwell/school-y11", urn: "100003", la: "330"} }
func elsewhere() *cohort { return &cohort{key: "london/school-y11", urn: "100009", la: "201"} }

// request builds the next pass's sync request for desired.
func (c *cohort) request(desired ...*trackingv1.DesiredIntervention) *trackingv1.SyncInterventionsRequest {
	c.pass++
	return &trackingv1.SyncInterventionsRequest{CohortKey: c.key, SchoolUrn: c.urn, LaCode: c.la, PassToken: c.pass, Desired: desired}
}

// sync applies desired as the operator would, failing the test on error.
func (c *cohort) sync(t *testing.T, e env, desired ...*trackingv1.DesiredIntervention) *trackingv1.SyncInterventionsResponse {
	t.Helper()
	res, err := e.client(servicetest.Service).SyncInterventions(context.Background(), c.request(desired...))
	if err != nil {
		t.Fatalf("SyncInterventions: %v", err)
	}
	return res
}

// desired is an intervention for pupil with reason, due on due.
func desired(pupil, reason, due string) *trackingv1.DesiredIntervention {
	return &trackingv1.DesiredIntervention{
		PupilId: pupil, ReasonCode: reason, Priority: trackingv1.Priority_PRIORITY_NORMAL, DueDate: due,
		Summary: "3 of 6 expected days", Evidence: map[string]string{"days_credited": "3", "days_expected": "6"},
	}
}

func withPriority(d *trackingv1.DesiredIntervention, p trackingv1.Priority) *trackingv1.DesiredIntervention {
	d.Priority = p
	return d
}

// onlyTask returns the one active task of the cohort for pupil.
func onlyTask(t *testing.T, e env, c *cohort, pupil string) *trackingv1.Task {
	t.Helper()
	res, err := e.client(servicetest.Service).ListTasks(context.Background(), &trackingv1.ListTasksRequest{CohortKey: c.key, PupilId: pupil})
	if err != nil {
		t.Fatalf("ListTasks: %v", err)
	}
	if len(res.GetTasks()) != 1 {
		t.Fatalf("got %d active tasks for the pupil, want 1", len(res.GetTasks()))
	}
	return res.GetTasks()[0]
}
