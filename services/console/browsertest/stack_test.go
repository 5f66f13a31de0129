package browsertest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1/trackingv1connect"
	"github.com/nextstep-uk/nextstep/services/console/internal/web"
	"github.com/nextstep-uk/nextstep/services/console/migrations"
	"github.com/nextstep-uk/nextstep/services/kit/auth"
	"github.com/nextstep-uk/nextstep/services/kit/database"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/kit/devidp"
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/placement"
	"github.com/nextstep-uk/nextstep/services/pupil/pupiltest"
	"github.com/nextstep-uk/nextstep/services/tracking"
)

// The schools of the stack: A is the careers leader's school, B another
// school of the caseworker's local authority (336).
const (
	schoolA = "100001"
	schoolB = "100002"
)

// stack is the console over the real pupil and tracking services, each on
// a fresh PostgreSQL database, with people signing in at the development
// OpenID Connect provider.
type stack struct {
	ConsoleURL   string
	pupils       *pupiltest.Service
	placementURL string
	trackingURL  string
	// cohort is the cohort key each school's tasks are synced under.
	pass map[string]int64
}

// newStack starts the stack; options change the console's configuration
// (shorter session timeouts, say).
func newStack(t *testing.T, options ...func(*web.Config)) *stack {
	t.Helper()
	pupils := pupiltest.Start(t)
	pool := dbtest.NewPool(t, tracking.Spec.Name, tracking.Spec.Migrations)
	trackingURL := startTracking(t, pool, pupils)
	placementURL := startPlacement(t, pupils)
	base := startConsole(t, services{pupils.URL, placementURL, trackingURL}, options...)
	return &stack{ConsoleURL: base, pupils: pupils, placementURL: placementURL, trackingURL: trackingURL, pass: map[string]int64{}}
}

// services are the URLs of the services the console calls.
type services struct{ pupil, placement, tracking string }

// startPlacement serves the placement service on a fresh database until
// the test ends.
func startPlacement(t testing.TB, pupils *pupiltest.Service) string {
	t.Helper()
	pool := dbtest.NewPool(t, placement.Spec.Name, placement.Spec.Migrations)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	return servicetest.Start(t, placement.Spec.Name, pool, placement.Spec.Services(server.Deps{
		Pool: pool, Logger: logger, Pupils: pupils.Directory(), Now: time.Now,
	})...).URL
}

// startTracking serves the tracking service on pool until the test ends.
func startTracking(t testing.TB, pool *pgxpool.Pool, pupils *pupiltest.Service) string {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	return servicetest.Start(t, tracking.Spec.Name, pool, tracking.Spec.Services(server.Deps{
		Pool: pool, Logger: logger, Pupils: pupils.Directory(), Now: time.Now,
	})...).URL
}

// startConsole serves the console over the services until the test ends,
// with its sessions on a fresh database, and returns its URL.
func startConsole(t testing.TB, svc services, options ...func(*web.Config)) string {
	t.Helper()
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The console listens first, so that its redirect URI is known when it
	// is registered with the provider.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + l.Addr().String()
	issuer := servicetest.AllowConsole(t, base+web.CallbackPath)
	sessions, err := database.OpenInSchema(ctx, dbtest.NewDatabase(t, "console", migrations.FS), "console")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sessions.Close)
	cfg := web.Config{
		BaseURL:      base,
		Issuer:       issuer,
		ClientID:     devidp.ConsoleClientID,
		People:       auth.NewOIDC(servicetest.AuthConfig().OIDC, logger, auth.OIDCOptions{}),
		Pool:         sessions,
		PupilURL:     svc.pupil,
		PlacementURL: svc.placement,
		TrackingURL:  svc.tracking,
		Logger:       logger,
	}
	for _, o := range options {
		o(&cfg)
	}
	app, err := web.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: app.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("console: %v", err)
		}
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		app.Close()
	})
	return base
}

// tracking is a client of the tracking service as the named servicetest
// caller.
func (s *stack) tracking(caller string) trackingv1connect.TrackingServiceClient {
	return trackingv1connect.NewTrackingServiceClient(http.DefaultClient, s.trackingURL, servicetest.Options(caller, false)...)
}

// seedTask enrols a new pupil at the school and raises one task for them,
// as the reconciler does, returning the task.
func (s *stack) seedTask(t *testing.T, urn, reason string, priority trackingv1.Priority, summary string, evidence map[string]string) *trackingv1.Task {
	t.Helper()
	return s.seedTasks(t, urn, []seed{{reason, priority, summary, evidence}})[0]
}

type seed struct {
	reason   string
	priority trackingv1.Priority
	summary  string
	evidence map[string]string
}

// seedTasks enrols a pupil per seed at the school and syncs the school's
// cohort to exactly those tasks plus the ones seeded before.
func (s *stack) seedTasks(t *testing.T, urn string, seeds []seed) []*trackingv1.Task {
	t.Helper()
	ctx := context.Background()
	cohort := "hub/school-" + urn + "-y9"
	svc := s.tracking(servicetest.Service)
	// The cohort's desired set is everything open so far plus the new.
	existing, err := svc.ListTasks(ctx, &trackingv1.ListTasksRequest{CohortKey: cohort, PageSize: 500})
	if err != nil {
		t.Fatal(err)
	}
	var desired []*trackingv1.DesiredIntervention
	for _, task := range existing.GetTasks() {
		desired = append(desired, &trackingv1.DesiredIntervention{PupilId: task.GetPupilId(), ReasonCode: task.GetReasonCode(),
			Priority: task.GetPriority(), DueDate: task.GetDueDate(), Summary: task.GetSummary(), Evidence: task.GetEvidence()})
	}
	var pupils []string
	due := time.Now().AddDate(0, 0, 14).Format(time.DateOnly)
	for _, sd := range seeds {
		id := s.pupils.Enrol(t, urn)
		pupils = append(pupils, id)
		desired = append(desired, &trackingv1.DesiredIntervention{PupilId: id, ReasonCode: sd.reason, Priority: sd.priority,
			DueDate: due, Summary: sd.summary, Evidence: sd.evidence})
	}
	s.pass[urn]++
	if _, err := svc.SyncInterventions(ctx, &trackingv1.SyncInterventionsRequest{
		CohortKey: cohort, SchoolUrn: urn, LaCode: pupiltest.Schools[urn], PassToken: s.pass[urn], Desired: desired,
	}); err != nil {
		t.Fatal(err)
	}
	var out []*trackingv1.Task
	for _, id := range pupils {
		res, err := svc.ListTasks(ctx, &trackingv1.ListTasksRequest{PupilId: id})
		if err != nil || len(res.GetTasks()) != 1 {
			t.Fatalf("seed: tasks of a new pupil: %v %v", res.GetTasks(), err)
		}
		out = append(out, res.GetTasks()[0])
	}
	return out
}

// task reads a task as the service does.
func (s *stack) task(t *testing.T, id string) *trackingv1.Task {
	t.Helper()
	res, err := s.tracking(servicetest.Service).GetTask(context.Background(), &trackingv1.GetTaskRequest{TaskId: id})
	if err != nil {
		t.Fatal(err)
	}
	return res.GetTask()
}
