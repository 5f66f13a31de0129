package placementapi_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1/placementv1connect"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/placement/internal/placementapi"
	"github.com/nextstep-uk/nextstep/services/placement/migrations"
	"github.com/nextstep-uk/nextstep/services/pupil/pupiltest"
)

// ok stands for success in tables of expected codes.
const ok connect.Code = 0

// env is the placement service on a fresh database, with the real pupil
// service it asks where pupils are on roll.
type env struct {
	pool   *pgxpool.Pool
	url    string
	pupils *pupiltest.Service
}

func start(t testing.TB) *env {
	t.Helper()
	pupils := pupiltest.Start(t)
	pool := dbtest.NewPool(t, "placement", migrations.FS)
	srv := servicetest.Start(t, "placement", pool, placementapi.Services(server.Deps{
		Pool: pool, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Pupils: pupils.Directory(),
	})...)
	return &env{pool: pool, url: srv.URL, pupils: pupils}
}

// as returns a Connect client calling as the principal with token.
func (e *env) as(token string) placementv1connect.PlacementServiceClient {
	return placementv1connect.NewPlacementServiceClient(servicetest.HTTPClient(), e.url, servicetest.Options(token, false)...)
}

// asGRPC returns a gRPC client calling as the principal with token.
func (e *env) asGRPC(token string) placementv1connect.PlacementServiceClient {
	return placementv1connect.NewPlacementServiceClient(servicetest.HTTPClient(), e.url, servicetest.Options(token, true)...)
}

// newID returns a random (version 4) UUID, for idempotency keys and the
// pupil service's ids.
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func smallEmployer() *placementv1.Employer {
	return &placementv1.Employer{
		Name:                 "Black Country Robotics Ltd",
		CompaniesHouseNumber: "09876543",
		Sector:               placementv1.Sector_SECTOR_ADVANCED_MANUFACTURING,
		SizeBand:             placementv1.SizeBand_SIZE_BAND_SMALL,
		Cornerstone:          true,
		Contact:              &placementv1.Contact{Name: "Jo Bloggs", Email: "jo@example.org", Phone: "01902 000000"},
	}
}

func createEmployer(t testing.TB, e *env, emp *placementv1.Employer) *placementv1.Employer {
	t.Helper()
	res, err := e.as(servicetest.HubAdmin).CreateEmployer(context.Background(), &placementv1.CreateEmployerRequest{IdempotencyKey: newID(), Employer: emp})
	if err != nil {
		t.Fatalf("CreateEmployer: %v", err)
	}
	return res.GetEmployer()
}

// day is one full or half day.
func day(date string, half bool) *placementv1.OpportunityDay {
	s := placementv1.Session_SESSION_FULL_DAY
	if half {
		s = placementv1.Session_SESSION_HALF_DAY
	}
	return &placementv1.OpportunityDay{Date: date, Session: s}
}

// opportunity is a valid opportunity of kind at employerID.
func opportunity(employerID string, kind placementv1.Kind, capacity int32, days ...*placementv1.OpportunityDay) *placementv1.Opportunity {
	o := &placementv1.Opportunity{
		EmployerId: employerID,
		Title:      "A week in the robot cell",
		Kind:       kind,
		Days:       days,
		Capacity:   capacity,
		YearGroups: []int32{10},
		Sectors:    []placementv1.Sector{placementv1.Sector_SECTOR_ADVANCED_MANUFACTURING},
		Location:   "WV10 9RU",
	}
	if kind == placementv1.Kind_KIND_VIRTUAL_EXPERIENCE {
		o.Location, o.Virtual = "", true
	}
	return o
}

func createOpportunity(t testing.TB, e *env, o *placementv1.Opportunity) *placementv1.Opportunity {
	t.Helper()
	res, err := e.as(servicetest.HubAdmin).CreateOpportunity(context.Background(), &placementv1.CreateOpportunityRequest{IdempotencyKey: newID(), Opportunity: o})
	if err != nil {
		t.Fatalf("CreateOpportunity: %v", err)
	}
	return res.GetOpportunity()
}

// pupil is a pupil of the pupil service: their id and their school.
type pupil struct{ id, urn, la string }

// pupilAt registers a new pupil at the school with urn (one of
// pupiltest.Schools).
func (e *env) pupilAt(t testing.TB, urn string) pupil {
	t.Helper()
	return pupil{id: e.pupils.Enrol(t, urn), urn: urn, la: pupiltest.Schools[urn]}
}

func book(t testing.TB, e *env, opportunityID string, p pupil) *placementv1.Booking {
	t.Helper()
	res, err := e.as(servicetest.HubAdmin).BookPlace(context.Background(), bookRequest(opportunityID, p))
	if err != nil {
		t.Fatalf("BookPlace: %v", err)
	}
	return res.GetBooking()
}

func bookRequest(opportunityID string, p pupil) *placementv1.BookPlaceRequest {
	return &placementv1.BookPlaceRequest{IdempotencyKey: newID(), OpportunityId: opportunityID, PupilId: p.id}
}

func mark(bookingID, date string, m placementv1.Mark) *placementv1.AttendanceRecord {
	return &placementv1.AttendanceRecord{BookingId: bookingID, Date: date, Mark: m}
}

func record(t testing.TB, e *env, records ...*placementv1.AttendanceRecord) {
	t.Helper()
	if _, err := e.as(servicetest.HubAdmin).RecordAttendance(context.Background(), &placementv1.RecordAttendanceRequest{Records: records}); err != nil {
		t.Fatalf("RecordAttendance: %v", err)
	}
}

// refusal is an expected error: its code and, when set, its reason and
// violated fields.
type refusal struct {
	code   connect.Code
	reason refusalv1.Reason
	fields []string
}

func checkRefusal(t *testing.T, err error, want refusal) {
	t.Helper()
	if got := connect.CodeOf(err); err == nil && want.code != ok || err != nil && got != want.code {
		t.Fatalf("code = %v, want %v (err %v)", got, want.code, err)
	}
	if want.reason != 0 {
		if got := rpcerror.Reason(err); got != want.reason {
			t.Errorf("reason = %q, want %q (err %v)", got, want.reason, err)
		}
	}
	if want.fields != nil {
		if diff := cmp.Diff(want.fields, rpcerror.Fields(err)); diff != "" {
			t.Errorf("violated fields (-want +got):\n%s", diff)
		}
	}
}
