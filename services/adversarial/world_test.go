package adversarial_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1/placementv1connect"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1/pupilv1connect"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1/trackingv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/placement"
	"github.com/nextstep-uk/nextstep/services/pupil/pupiltest"
	"github.com/nextstep-uk/nextstep/services/tracking"
)

// The schools the world has, with whose they are (servicetest's
// principals): A is the CareersLeader's school and B the OtherLeader's,
// both in the Caseworker's local authority (336); C is in a neighbouring
// authority of the HubAdmin's hub (330); X is another hub's (201).
const (
	schoolA = "100001"
	schoolB = "100002"
	schoolC = "100003"
	schoolX = "100009"
)

// world is the three services on fresh databases, seeded with one pupil
// per school, each booked on one opportunity, with a destination and an
// open intervention task.
type world struct {
	pupilURL, placementURL, trackingURL string
	dbs                                 map[string]*pgxpool.Pool // by schema

	pupils   map[string]*pupilv1.Pupil       // by school
	bookings map[string]*placementv1.Booking // by school
	tasks    map[string]*trackingv1.Task     // by school
	cohorts  map[string]string               // cohort key by school
	passes   map[string]int64                // last pass token by school
	employer *placementv1.Employer
	// opportunity is what every pupil is booked on; days are its dates,
	// all in the past.
	opportunity *placementv1.Opportunity
	days        []string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	pupils := pupiltest.Start(t)
	w := &world{
		pupilURL: pupils.URL,
		dbs:      map[string]*pgxpool.Pool{"pupil": pupils.DB},
		pupils:   map[string]*pupilv1.Pupil{}, bookings: map[string]*placementv1.Booking{},
		tasks: map[string]*trackingv1.Task{}, cohorts: map[string]string{}, passes: map[string]int64{},
	}
	for _, spec := range []server.Spec{placement.Spec, tracking.Spec} {
		pool := dbtest.NewPool(t, spec.Name, spec.Migrations)
		srv := servicetest.Start(t, spec.Name, pool, spec.Services(server.Deps{
			Pool: pool, Logger: logger, Pupils: pupils.Directory(), Now: time.Now,
		})...)
		w.dbs[spec.Name] = pool
		if spec.Name == "placement" {
			w.placementURL = srv.URL
		} else {
			w.trackingURL = srv.URL
		}
	}
	w.seed(t, pupils)
	return w
}

// adminOf is the hub admin whose scope covers the school.
func adminOf(urn string) string {
	if urn == schoolX {
		return servicetest.OtherHubAdmin
	}
	return servicetest.HubAdmin
}

func (w *world) pupil(token string) pupilv1connect.PupilServiceClient {
	return pupilv1connect.NewPupilServiceClient(servicetest.HTTPClient(), w.pupilURL, servicetest.Options(token, false)...)
}

func (w *world) placement(token string) placementv1connect.PlacementServiceClient {
	return placementv1connect.NewPlacementServiceClient(servicetest.HTTPClient(), w.placementURL, servicetest.Options(token, false)...)
}

func (w *world) tracking(token string) trackingv1connect.TrackingServiceClient {
	return trackingv1connect.NewTrackingServiceClient(servicetest.HTTPClient(), w.trackingURL, servicetest.Options(token, false)...)
}

func must[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("seed: %s: %v", what, err)
		}
		return v
	}
}

func (w *world) seed(t *testing.T, pupils *pupiltest.Service) {
	t.Helper()
	ctx := context.Background()
	w.employer = must[*placementv1.CreateEmployerResponse](t, "employer")(w.placement(servicetest.HubAdmin).CreateEmployer(ctx,
		&placementv1.CreateEmployerRequest{IdempotencyKey: uuid.NewString(), Employer: &placementv1.Employer{
			Name: "Midlands Metro", CompaniesHouseNumber: "01234567", Sector: placementv1.Sector_SECTOR_LOGISTICS, SizeBand: placementv1.SizeBand_SIZE_BAND_LARGE,
		}})).GetEmployer()
	w.days = []string{"2026-02-02", "2026-02-03"}
	w.opportunity = must[*placementv1.CreateOpportunityResponse](t, "opportunity")(w.placement(servicetest.HubAdmin).CreateOpportunity(ctx,
		&placementv1.CreateOpportunityRequest{IdempotencyKey: uuid.NewString(), Opportunity: &placementv1.Opportunity{
			EmployerId: w.employer.GetId(), Title: "Two days at the depot", Kind: placementv1.Kind_KIND_PLACEMENT, Capacity: 20,
			Days: []*placementv1.OpportunityDay{
				{Date: w.days[0], Session: placementv1.Session_SESSION_FULL_DAY}, {Date: w.days[1], Session: placementv1.Session_SESSION_FULL_DAY},
			},
			YearGroups: []int32{9, 10}, Location: "WV1 1AA",
		}})).GetOpportunity()
	due := time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	for _, urn := range []string{schoolA, schoolB, schoolC, schoolX} {
		admin := adminOf(urn)
		id := pupils.Enrol(t, urn)
		w.pupils[urn] = must[*pupilv1.GetPupilResponse](t, "get pupil")(w.pupil(admin).GetPupil(ctx,
			&pupilv1.GetPupilRequest{Id: id})).GetPupil()
		w.bookings[urn] = must[*placementv1.BookPlaceResponse](t, "book")(w.placement(admin).BookPlace(ctx,
			&placementv1.BookPlaceRequest{IdempotencyKey: uuid.NewString(), OpportunityId: w.opportunity.GetId(), PupilId: id})).GetBooking()
		must[*trackingv1.RecordDestinationResponse](t, "destination")(w.tracking(admin).RecordDestination(ctx,
			&trackingv1.RecordDestinationRequest{IdempotencyKey: uuid.NewString(), Destination: &trackingv1.Destination{
				PupilId: id, Kind: trackingv1.DestinationKind_DESTINATION_KIND_CONFIRMED, ActivityCode: "230", EffectiveDate: "2026-09-01", Source: "school return",
			}}))
		w.cohorts[urn] = "hub/school-" + urn + "-y9"
		w.passes[urn] = 1
		must[*trackingv1.SyncInterventionsResponse](t, "sync")(w.tracking(servicetest.Service).SyncInterventions(ctx,
			&trackingv1.SyncInterventionsRequest{CohortKey: w.cohorts[urn], SchoolUrn: urn, LaCode: pupiltest.Schools[urn], PassToken: 1,
				Desired: []*trackingv1.DesiredIntervention{{PupilId: id, ReasonCode: "BEHIND_TRAJECTORY", Priority: trackingv1.Priority_PRIORITY_NORMAL,
					DueDate: due, Summary: "1 of 6 expected days"}}}))
		tasks := must[*trackingv1.ListTasksResponse](t, "tasks")(w.tracking(servicetest.Service).ListTasks(ctx,
			&trackingv1.ListTasksRequest{CohortKey: w.cohorts[urn]})).GetTasks()
		if len(tasks) != 1 {
			t.Fatalf("seed: %d tasks for %s", len(tasks), urn)
		}
		w.tasks[urn] = tasks[0]
	}
}

// state is every table's row count and checksum, by schema.table: what
// must not change when a write is refused. The audit log is left out, as
// it records the refusal.
func (w *world) state(t *testing.T) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for schema, db := range w.dbs {
		rows, err := db.Query(ctx, `SELECT table_name FROM information_schema.tables
			WHERE table_schema = $1 AND table_type = 'BASE TABLE'
			  AND table_name NOT IN ('audit_events', 'goose_db_version', 'kit_goose_db_version')`, schema)
		if err != nil {
			t.Fatal(err)
		}
		var tables []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatal(err)
			}
			tables = append(tables, name)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		for _, table := range tables {
			var n int
			var sum string
			q := fmt.Sprintf(`SELECT count(*), coalesce(md5(string_agg(r::text, '|' ORDER BY r::text)), '') FROM %s.%s r`, schema, table)
			if err := db.QueryRow(ctx, q).Scan(&n, &sum); err != nil {
				t.Fatal(err)
			}
			out[schema+"."+table] = fmt.Sprintf("%d rows, %s", n, sum)
		}
	}
	return out
}

// changed lists the tables whose state differs.
func changed(before, after map[string]string) string {
	var diffs []string
	for table, b := range before {
		if a := after[table]; a != b {
			diffs = append(diffs, fmt.Sprintf("%s: %s -> %s", table, b, a))
		}
	}
	return strings.Join(diffs, "; ")
}
