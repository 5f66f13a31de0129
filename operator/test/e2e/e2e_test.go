package e2e_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1/placementv1connect"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1/pupilv1connect"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1/trackingv1connect"
	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
	"github.com/nextstep-uk/nextstep/operator/internal/controller"
	"github.com/nextstep-uk/nextstep/operator/internal/sources"
	"github.com/nextstep-uk/nextstep/operator/metrics"
	"github.com/nextstep-uk/nextstep/services/kit/credentials"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/kit/enrolment"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/placement"
	"github.com/nextstep-uk/nextstep/services/pupil"
	"github.com/nextstep-uk/nextstep/services/pupil/upn"
	"github.com/nextstep-uk/nextstep/services/tracking"
)

// The end-to-end tests run the three services in-process on real
// PostgreSQL, a manager (or two) on the real kube-apiserver, and watch the
// loop: records in, cohorts generated, interventions raised and closed.

// today is the rules' clock: half way through 2025/26, when Year 9 is
// expected to have 5 days (10 half days).
var today = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const (
	schoolURN = "100001"
	laCode    = "336"
)

type stack struct {
	ns                     string
	pupilSrv, placementSrv *servicetest.Server
	trackingSrv            *servicetest.Server
	trackingDB             *pgxpool.Pool // for tests that play a restored database
	pupil                  pupilv1connect.PupilServiceClient
	placement              placementv1connect.PlacementServiceClient
	tracking               trackingv1connect.TrackingServiceClient
	trackingAsOperator     trackingv1connect.TrackingServiceClient
	pupils                 map[string]string // name in the test -> pupil id
	bookings               map[string]string // name in the test -> booking id
	opportunityDays        []string
	metrics                []*metrics.Metrics
	// today is the operator's clock (the package's today unless a test
	// moves it before starting a manager, or with setToday after).
	today   time.Time
	todayMu sync.Mutex
}

// setToday moves the operator's clock while its managers run.
func (s *stack) setToday(day time.Time) {
	s.todayMu.Lock()
	defer s.todayMu.Unlock()
	s.today = day
}

func (s *stack) now() time.Time {
	s.todayMu.Lock()
	defer s.todayMu.Unlock()
	return s.today
}

// serve runs a service on a fresh database; pupils is where the pupil
// service is, for the services that ask it where pupils are on roll.
func serve(t *testing.T, spec server.Spec, pupils string) (*servicetest.Server, *pgxpool.Pool) {
	pool := dbtest.NewPool(t, spec.Name, spec.Migrations)
	deps := server.Deps{Pool: pool, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now}
	if spec.LocatesPupils {
		deps.Pupils = enrolment.NewClient(pupils, credentials.StaticToken(servicetest.Service))
	}
	return servicetest.Start(t, spec.Name, pool, spec.Services(deps)...), pool
}

func startStack(t *testing.T) *stack {
	t.Helper()
	s := &stack{ns: newNamespace(t), pupils: map[string]string{}, bookings: map[string]string{}, today: today}
	s.pupilSrv, _ = serve(t, pupil.Spec, "")
	s.placementSrv, _ = serve(t, placement.Spec, s.pupilSrv.URL)
	s.trackingSrv, s.trackingDB = serve(t, tracking.Spec, s.pupilSrv.URL)
	hc := servicetest.HTTPClient()
	admin := servicetest.Options(servicetest.HubAdmin, false)
	s.pupil = pupilv1connect.NewPupilServiceClient(hc, s.pupilSrv.URL, admin...)
	s.placement = placementv1connect.NewPlacementServiceClient(hc, s.placementSrv.URL, admin...)
	s.tracking = trackingv1connect.NewTrackingServiceClient(hc, s.trackingSrv.URL, admin...)
	s.trackingAsOperator = trackingv1connect.NewTrackingServiceClient(hc, s.trackingSrv.URL, servicetest.Options(servicetest.Service, true)...)
	return s
}

func newNamespace(t *testing.T) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "e2e-" + hex.EncodeToString(b)}}
	if err := k8sClient.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k8sClient.Delete(context.Background(), ns) })
	return ns.Name
}

// startManager runs a manager for the stack's namespace until the test ends.
func (s *stack) startManager(t *testing.T, leaderElection bool) {
	t.Helper()
	mgr, err := ctrl.NewManager(restConfig, ctrl.Options{
		Scheme:                  scheme,
		Metrics:                 metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress:  "0",
		Cache:                   cache.Options{DefaultNamespaces: map[string]cache.Config{s.ns: {}}},
		LeaderElection:          leaderElection,
		LeaderElectionID:        "nextstep-operator",
		LeaderElectionNamespace: s.ns,
		LeaseDuration:           ptr.To(3 * time.Second),
		RenewDeadline:           ptr.To(2 * time.Second),
		RetryPeriod:             ptr.To(200 * time.Millisecond),
		Controller:              config.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := controller.Setup(mgr, controller.Config{
		Sources: sources.Config{
			PupilURL: s.pupilSrv.URL, PlacementURL: s.placementSrv.URL, TrackingURL: s.trackingSrv.URL,
			Token: credentials.StaticToken(servicetest.Service), Timeout: 5 * time.Second,
		},
		Metrics: prometheus.NewRegistry(),
		Now:     s.now,
	})
	if err != nil {
		t.Fatal(err)
	}
	s.metrics = append(s.metrics, m)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := mgr.Start(ctx); err != nil {
			t.Errorf("manager: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// seed records one school, three Year 9 pupils and their work experience:
// "ontrack" has the 5 days expected by now, "behind" 1 day, "atrisk" none
// and a typical high-risk profile: persistent absence, a permanent
// exclusion, in care. The others have no risk factors.
func (s *stack) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	_, err := s.pupil.CreateSchool(ctx, &pupilv1.CreateSchoolRequest{School: &pupilv1.School{
		Urn: schoolURN, Name: "Test Academy", LaCode: laCode, Phase: pupilv1.Phase_PHASE_SECONDARY, Open: true,
	}})
	check(t, "create school", err)
	for i, name := range []string{"ontrack", "behind", "atrisk"} {
		p := &pupilv1.Pupil{
			Upn:           testUPN(i + 1),
			LegalSurname:  "Pupil",
			LegalForename: strings.ToUpper(name[:1]) + name[1:],
			DateOfBirth:   "2012-03-15", // Year 9 in 2025/26
			SchoolUrn:     schoolURN,
			JoinedOn:      "2023-09-01",
		}
		if name == "atrisk" {
			p.RiskFactors = &pupilv1.RiskFactors{
				Attendance:          &pupilv1.AttendanceFactor{Percent: 78, AsAt: "2026-02-01"},
				PermanentExclusions: &pupilv1.CountFactor{Count: 1, AsAt: "2026-02-01"},
				LookedAfter:         &pupilv1.CareFactor{Status: pupilv1.CareStatus_CARE_STATUS_LOOKED_AFTER, AsAt: "2026-02-01"},
			}
		}
		res, err := s.pupil.CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: uuid.NewString(), Pupil: p})
		if err != nil {
			t.Fatalf("create pupil %s: %v", name, err)
		}
		s.pupils[name] = res.GetPupil().GetId()
	}

	employer, err := s.placement.CreateEmployer(ctx, &placementv1.CreateEmployerRequest{
		IdempotencyKey: uuid.NewString(),
		Employer:       &placementv1.Employer{Name: "Midlands Metro", Sector: placementv1.Sector_SECTOR_LOGISTICS, SizeBand: placementv1.SizeBand_SIZE_BAND_LARGE},
	})
	check(t, "create employer", err)
	s.opportunityDays = []string{"2026-02-02", "2026-02-03", "2026-02-04", "2026-02-05", "2026-02-06"}
	var days []*placementv1.OpportunityDay
	for _, d := range s.opportunityDays {
		days = append(days, &placementv1.OpportunityDay{Date: d, Session: placementv1.Session_SESSION_FULL_DAY})
	}
	opp, err := s.placement.CreateOpportunity(ctx, &placementv1.CreateOpportunityRequest{
		IdempotencyKey: uuid.NewString(),
		Opportunity: &placementv1.Opportunity{EmployerId: employer.GetEmployer().GetId(), Title: "A week at the depot", Kind: placementv1.Kind_KIND_PLACEMENT,
			Days: days, Capacity: 10, YearGroups: []int32{9}, Location: "Wolverhampton"},
	})
	check(t, "create opportunity", err)
	for name, id := range s.pupils {
		b, err := s.placement.BookPlace(ctx, &placementv1.BookPlaceRequest{
			IdempotencyKey: uuid.NewString(), OpportunityId: opp.GetOpportunity().GetId(), PupilId: id,
		})
		check(t, "book "+name, err)
		s.bookings[name] = b.GetBooking().GetId()
	}
	s.attend(t, "ontrack", s.opportunityDays...)
	s.attend(t, "behind", s.opportunityDays[0])
}

func (s *stack) attend(t *testing.T, name string, dates ...string) {
	t.Helper()
	s.attendAll(t, []string{name}, dates...)
}

// attendAll records the pupils' attendance on the dates in one register,
// so that no pass sees some of it and not the rest.
func (s *stack) attendAll(t *testing.T, names []string, dates ...string) {
	t.Helper()
	var records []*placementv1.AttendanceRecord
	for _, name := range names {
		for _, d := range dates {
			records = append(records, &placementv1.AttendanceRecord{BookingId: s.bookings[name], Date: d, Mark: placementv1.Mark_MARK_FULL_DAY})
		}
	}
	_, err := s.placement.RecordAttendance(context.Background(), &placementv1.RecordAttendanceRequest{Records: records})
	check(t, "record attendance", err)
}

// applyProgramme creates a programme covering the school's Year 9, resynced
// every second, with the shipped risk bands and at-risk rule.
func (s *stack) applyProgramme(t *testing.T) {
	t.Helper()
	s.applyProgrammeResynced(t, time.Second)
}

// applyProgrammeResynced is applyProgramme resynced every resync.
func (s *stack) applyProgrammeResynced(t *testing.T, resync time.Duration) {
	t.Helper()
	p := &nextstepv1alpha1.Programme{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.ns, Name: "hub"},
		Spec: nextstepv1alpha1.ProgrammeSpec{
			AcademicYear:          "2025/26",
			Schools:               nextstepv1alpha1.SchoolSelector{LACodes: []string{laCode}},
			YearGroups:            []int32{9},
			ResyncIntervalSeconds: int32(resync.Seconds()),
		},
	}
	if err := k8sClient.Create(context.Background(), p); err != nil {
		t.Fatal(err)
	}
}

func (s *stack) cohort(t *testing.T) (*nextstepv1alpha1.Cohort, error) {
	return s.cohortNamed(t, "hub-"+schoolURN+"-y9")
}

func (s *stack) cohortNamed(_ *testing.T, name string) (*nextstepv1alpha1.Cohort, error) {
	var c nextstepv1alpha1.Cohort
	err := k8sClient.Get(context.Background(), client.ObjectKey{Namespace: s.ns, Name: name}, &c)
	return &c, err
}

// assignTask has a caseworker take one of the cohort's tasks: a write to
// what its passes read.
func (s *stack) assignTask(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	tasks, err := s.tracking.ListTasks(ctx, &trackingv1.ListTasksRequest{CohortKey: s.ns + "/hub-" + schoolURN + "-y9", PageSize: 10})
	check(t, "list tasks", err)
	task := tasks.GetTasks()[0]
	_, err = s.tracking.UpdateTask(ctx, &trackingv1.UpdateTaskRequest{TaskId: task.GetId(), Version: task.GetVersion(),
		Change: &trackingv1.UpdateTaskRequest_Assign_{Assign: &trackingv1.UpdateTaskRequest_Assign{Assignee: "caseworker@hub.example"}}})
	check(t, "assign task", err)
}

// task is what the tests compare of a task.
type task struct{ Pupil, Reason, Status string }

func (s *stack) tasks(t *testing.T) []task {
	t.Helper()
	res, err := s.tracking.ListTasks(context.Background(), &trackingv1.ListTasksRequest{CohortKey: s.ns + "/hub-" + schoolURN + "-y9", PageSize: 500,
		Statuses: []trackingv1.TaskStatus{trackingv1.TaskStatus_TASK_STATUS_OPEN, trackingv1.TaskStatus_TASK_STATUS_ASSIGNED,
			trackingv1.TaskStatus_TASK_STATUS_IN_PROGRESS, trackingv1.TaskStatus_TASK_STATUS_RESOLVED,
			trackingv1.TaskStatus_TASK_STATUS_DISMISSED, trackingv1.TaskStatus_TASK_STATUS_CLOSED}})
	if err != nil {
		t.Fatalf("list tasks: %v", err)
	}
	names := map[string]string{}
	for name, id := range s.pupils {
		names[id] = name
	}
	var out []task
	for _, tk := range res.GetTasks() {
		out = append(out, task{Pupil: names[tk.GetPupilId()], Reason: tk.GetReasonCode(), Status: strings.TrimPrefix(tk.GetStatus().String(), "TASK_STATUS_")})
	}
	sort.Slice(out, func(i, j int) bool { return fmt.Sprint(out[i]) < fmt.Sprint(out[j]) })
	return out
}

func (s *stack) waitForTasks(t *testing.T, want []task) {
	t.Helper()
	eventually(t, 60*time.Second, func() error {
		if got := s.tasks(t); fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("tasks %v, want %v", got, want)
		}
		return nil
	})
}

// firstPass is the tasks the first pass over the seeded cohort raises.
var firstPass = []task{
	{Pupil: "atrisk", Reason: "AT_RISK_OF_NEET", Status: "OPEN"},
	{Pupil: "atrisk", Reason: "BEHIND_TRAJECTORY", Status: "OPEN"},
	{Pupil: "behind", Reason: "BEHIND_TRAJECTORY", Status: "OPEN"},
}

func TestEndToEnd(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	s.seed(t)
	s.startManager(t, false)
	s.applyProgramme(t)

	// The programme generates the cohort, and the first pass raises an
	// intervention for each gap.
	s.waitForTasks(t, firstPass)
	eventually(t, 30*time.Second, func() error {
		c, err := s.cohort(t)
		if err != nil {
			return err
		}
		want := nextstepv1alpha1.PupilCounts{Total: 3, OnTrack: 1, Behind: 2, AtRisk: 1,
			RiskBands: nextstepv1alpha1.RiskBandCounts{Low: 2, High: 1}}
		if c.Status.Pupils != want || c.Status.OpenInterventions != 3 {
			return fmt.Errorf("status pupils %+v open %d", c.Status.Pupils, c.Status.OpenInterventions)
		}
		for typ, status := range map[string]metav1.ConditionStatus{
			nextstepv1alpha1.ConditionReady: metav1.ConditionTrue, nextstepv1alpha1.ConditionDataComplete: metav1.ConditionTrue,
			nextstepv1alpha1.ConditionOnTrack: metav1.ConditionFalse,
		} {
			if !meta.IsStatusConditionPresentAndEqual(c.Status.Conditions, typ, status) {
				return fmt.Errorf("condition %s is not %s: %+v", typ, status, c.Status.Conditions)
			}
		}
		return nil
	})
	name := "hub-" + schoolURN + "-y9"
	if got, _ := s.metrics[0].CohortValue(metrics.CohortPupilsName, s.ns, name, metrics.StateBehind); got != 2 {
		t.Errorf("behind gauge = %v, want 2", got)
	}
	if got, _ := s.metrics[0].CohortValue(metrics.InterventionsOpenName, s.ns, name, "BEHIND_TRAJECTORY", "normal"); got != 2 {
		t.Errorf("open BEHIND_TRAJECTORY gauge = %v, want 2", got)
	}
	// The exporter reads placement's engagement as the operator: the
	// week's 3 places with a large logistics firm, not a cornerstone, and
	// the 5 + 1 days attended.
	eventually(t, 30*time.Second, func() error {
		e := s.metrics[0].Employers
		got := [3]float64{
			testutil.ToFloat64(e.Bookings.WithLabelValues("logistics", "large")),
			testutil.ToFloat64(e.CornerstoneBookings.WithLabelValues("logistics", "large")),
			testutil.ToFloat64(e.HalfDays.WithLabelValues("logistics", "large")),
		}
		if want := [3]float64{3, 0, 12}; got != want {
			return fmt.Errorf("employer gauges (bookings, cornerstone, half days) %v, want %v", got, want)
		}
		return nil
	})

	// The pupil who was behind attends the rest of the week: the next pass
	// closes their intervention as the condition has cleared.
	s.attend(t, "behind", s.opportunityDays[1:]...)
	s.waitForTasks(t, []task{
		{Pupil: "atrisk", Reason: "AT_RISK_OF_NEET", Status: "OPEN"},
		{Pupil: "atrisk", Reason: "BEHIND_TRAJECTORY", Status: "OPEN"},
		{Pupil: "behind", Reason: "BEHIND_TRAJECTORY", Status: "CLOSED"},
	})

	// Placement goes down: the pass cannot read a complete snapshot, so
	// nothing is closed and DataComplete goes False with the reason.
	s.placementSrv.Close()
	eventually(t, 30*time.Second, func() error {
		c, err := s.cohort(t)
		if err != nil {
			return err
		}
		dc := meta.FindStatusCondition(c.Status.Conditions, nextstepv1alpha1.ConditionDataComplete)
		if dc == nil || dc.Status != metav1.ConditionFalse || !strings.Contains(dc.Message, "placement") {
			return fmt.Errorf("DataComplete = %+v", dc)
		}
		return nil
	})
	s.waitForTasks(t, []task{
		{Pupil: "atrisk", Reason: "AT_RISK_OF_NEET", Status: "OPEN"},
		{Pupil: "atrisk", Reason: "BEHIND_TRAJECTORY", Status: "OPEN"},
		{Pupil: "behind", Reason: "BEHIND_TRAJECTORY", Status: "CLOSED"},
	})
	if got := testutil.ToFloat64(s.metrics[0].SourceErrors.WithLabelValues(metrics.SourcePlacement)); got < 1 {
		t.Errorf("placement source errors = %v, want at least 1", got)
	}
}

// Two operators with leader election never double-raise, and a late sync
// with an old pass token (a deposed leader's) is refused.
func TestTwoOperatorsNeverDoubleRaise(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	s.seed(t)
	s.startManager(t, true)
	s.startManager(t, true)
	s.applyProgramme(t)
	want := firstPass
	s.waitForTasks(t, want)
	// Let several more passes run (nothing changed: each is passed over),
	// then look again.
	eventually(t, 30*time.Second, func() error {
		n := 0.0
		for _, m := range s.metrics {
			n += testutil.ToFloat64(m.Reconciles.WithLabelValues(metrics.ResultUnchanged))
		}
		if n < 3 {
			return fmt.Errorf("%v passes passed over", n)
		}
		return nil
	})
	if got := s.tasks(t); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after more passes: tasks %v, want %v", got, want)
	}

	// A forced sync (and then the annotation's removal) makes full passes,
	// each claiming a newer token.
	c, err := s.cohort(t)
	check(t, "get cohort", err)
	patch := client.MergeFrom(c.DeepCopy())
	c.Annotations = map[string]string{controller.ForceSyncAnnotation: "true"}
	check(t, "force a sync", k8sClient.Patch(context.Background(), c, patch))
	eventually(t, 30*time.Second, func() error {
		if c, err = s.cohort(t); err != nil {
			return err
		}
		if _, still := c.Annotations[controller.ForceSyncAnnotation]; still || c.Status.PassToken < 3 {
			return fmt.Errorf("pass token %d, force-sync annotation still there: %v", c.Status.PassToken, still)
		}
		return nil
	})
	if got := s.tasks(t); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after the forced passes: tasks %v, want %v", got, want)
	}

	_, err = s.trackingAsOperator.SyncInterventions(context.Background(), &trackingv1.SyncInterventionsRequest{
		CohortKey: s.ns + "/" + c.Name, SchoolUrn: schoolURN, LaCode: laCode, PassToken: 1,
	})
	if connect.CodeOf(err) != connect.CodeFailedPrecondition || rpcerror.Reason(err) != refusalv1.Reason_REASON_STALE_PASS {
		t.Fatalf("late sync with pass token 1: %v, want FailedPrecondition STALE_PASS", err)
	}
	if got := s.tasks(t); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after the stale sync: tasks %v, want %v", got, want)
	}
}

func check(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// testUPN is a valid UPN for a pupil of LA 336, with serial n.
func testUPN(n int) string {
	rest := fmt.Sprintf("%s%04d%02d%03d", laCode, 4001, 13, n)
	return string(upn.CheckLetter(rest)) + rest
}
