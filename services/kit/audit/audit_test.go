package audit_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"testing/fstest"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1/pupilv1connect"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1/trackingv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

const schema = "audittest"

// destinations touches the pupil it is asked about, as a real handler must,
// saying where the pupil is on roll.
type destinations struct {
	trackingv1connect.UnimplementedTrackingServiceHandler
}

func (destinations) GetLatestDestinations(ctx context.Context, req *trackingv1.GetLatestDestinationsRequest) (*trackingv1.GetLatestDestinationsResponse, error) {
	res := &trackingv1.GetLatestDestinationsResponse{}
	for _, id := range req.GetPupilIds() {
		audit.TouchAt(ctx, "pupil", id, "100001", "336")
		res.Destinations = append(res.Destinations, &trackingv1.LatestDestination{PupilId: id})
	}
	return res, nil
}

type schools struct {
	pupilv1connect.UnimplementedPupilServiceHandler
}

// GetPupil touches the pupil without saying where they are on roll, as the
// pupil service does.
func (schools) GetPupil(ctx context.Context, req *pupilv1.GetPupilRequest) (*pupilv1.GetPupilResponse, error) {
	audit.Touch(ctx, "pupil", req.GetId())
	return &pupilv1.GetPupilResponse{}, nil
}

func (schools) GetSchool(context.Context, *pupilv1.GetSchoolRequest) (*pupilv1.GetSchoolResponse, error) {
	return &pupilv1.GetSchoolResponse{School: &pupilv1.School{Urn: "100001"}}, nil
}

// start serves the two services on a fresh schema and returns the pool,
// clients of each (a caseworker's, giving a purpose, and a hub admin's)
// and the server's URL.
func start(t *testing.T) (*pgxpool.Pool, trackingv1connect.TrackingServiceClient, pupilv1connect.PupilServiceClient, string) {
	pool := dbtest.NewPool(t, schema, fstest.MapFS{})
	srv := servicetest.Start(t, schema, pool,
		server.Service{Name: trackingv1connect.TrackingServiceName, Mount: func(o ...connect.HandlerOption) (string, http.Handler) {
			return trackingv1connect.NewTrackingServiceHandler(destinations{}, o...)
		}},
		server.Service{Name: pupilv1connect.PupilServiceName, Mount: func(o ...connect.HandlerOption) (string, http.Handler) {
			return pupilv1connect.NewPupilServiceHandler(schools{}, o...)
		}},
	)
	purpose := connect.WithInterceptors(purposeHeader("caseload review"))
	tracking := trackingv1connect.NewTrackingServiceClient(servicetest.HTTPClient(), srv.URL, append(servicetest.Options(servicetest.Caseworker, false), purpose)...)
	pupil := pupilv1connect.NewPupilServiceClient(servicetest.HTTPClient(), srv.URL, servicetest.Options(servicetest.HubAdmin, true)...)
	return pool, tracking, pupil, srv.URL
}

type event struct {
	Subject, Issuer, Role, Procedure, Purpose, Outcome string
	Targets                                            []string
}

func events(t *testing.T, pool *pgxpool.Pool) []event {
	rows, err := pool.Query(context.Background(), `
		SELECT subject, issuer, role, procedure, purpose, outcome,
			ARRAY(SELECT concat_ws(' ', target, nullif(school_urn, ''), nullif(la_code, ''))
				FROM unnest(e.targets, e.target_schools, e.target_las) WITH ORDINALITY AS t(target, school_urn, la_code, ord) ORDER BY ord)
		FROM audittest.audit_events e ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var out []event
	for rows.Next() {
		var e event
		if err := rows.Scan(&e.Subject, &e.Issuer, &e.Role, &e.Procedure, &e.Purpose, &e.Outcome, &e.Targets); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func TestPersonalDataReadsAndChangesAreAudited(t *testing.T) {
	t.Parallel()
	pool, tracking, pupil, _ := start(t)
	ctx := context.Background()
	const pupilID = "0b7e4a1c-8f0e-4d7a-9a57-3c1f4f0a2b6d"

	if _, err := tracking.GetLatestDestinations(ctx, &trackingv1.GetLatestDestinationsRequest{PupilIds: []string{pupilID}}); err != nil {
		t.Fatal(err)
	}
	// A read of no personal data is not audited.
	if _, err := pupil.GetSchool(ctx, &pupilv1.GetSchoolRequest{Urn: "100001"}); err != nil {
		t.Fatal(err)
	}
	// A change is audited whatever its outcome.
	_, err := pupil.CreateSchool(ctx, &pupilv1.CreateSchoolRequest{School: &pupilv1.School{Urn: "100001", Name: "X", LaCode: "336", Phase: pupilv1.Phase_PHASE_SECONDARY}})
	if connect.CodeOf(err) != connect.CodeUnimplemented {
		t.Fatalf("CreateSchool: %v", err)
	}

	// A read touched with no school or LA (Touch).
	if _, err := pupil.GetPupil(ctx, &pupilv1.GetPupilRequest{Id: pupilID}); err != nil {
		t.Fatal(err)
	}

	want := []event{
		{Subject: "caseworker", Issuer: servicetest.Issuer(), Role: "ROLE_CASEWORKER", Procedure: trackingv1connect.TrackingServiceGetLatestDestinationsProcedure,
			Purpose: "caseload review", Outcome: "ok", Targets: []string{"pupil:" + pupilID + " 100001 336"}},
		{Subject: "hub-admin", Issuer: servicetest.Issuer(), Role: "ROLE_HUB_ADMIN", Procedure: pupilv1connect.PupilServiceCreateSchoolProcedure,
			Outcome: "unimplemented", Targets: []string{}},
		{Subject: "hub-admin", Issuer: servicetest.Issuer(), Role: "ROLE_HUB_ADMIN", Procedure: pupilv1connect.PupilServiceGetPupilProcedure,
			Outcome: "ok", Targets: []string{"pupil:" + pupilID}},
	}
	if diff := cmp.Diff(want, events(t, pool)); diff != "" {
		t.Errorf("audit events (-want +got):\n%s", diff)
	}

	// Where each record belongs is an array as long as the targets, or
	// empty when the call said for none.
	type placing struct{ Targets, Schools, LAs int }
	var got []placing
	rows, err := pool.Query(ctx, `SELECT cardinality(targets), cardinality(target_schools), cardinality(target_las) FROM audittest.audit_events ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p placing
		if err := rows.Scan(&p.Targets, &p.Schools, &p.LAs); err != nil {
			t.Fatal(err)
		}
		got = append(got, p)
	}
	if diff := cmp.Diff([]placing{{1, 1, 1}, {0, 0, 0}, {1, 0, 0}}, got); diff != "" {
		t.Errorf("array lengths (-want +got):\n%s", diff)
	}
}

func TestUnauditableReadIsWithheld(t *testing.T) {
	t.Parallel()
	pool, tracking, _, _ := start(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `DROP TABLE audittest.audit_events`); err != nil {
		t.Fatal(err)
	}
	_, err := tracking.GetLatestDestinations(ctx, &trackingv1.GetLatestDestinationsRequest{PupilIds: []string{"0b7e4a1c-8f0e-4d7a-9a57-3c1f4f0a2b6d"}})
	if connect.CodeOf(err) != connect.CodeUnavailable {
		t.Fatalf("read with no audit log: %v, want Unavailable", err)
	}
}

type purposeHeader string

func (p purposeHeader) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		req.Header().Set(audit.PurposeHeader, string(p))
		return next(ctx, req)
	}
}

func (purposeHeader) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (purposeHeader) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// Calls that end together share a batch; each still gets its own outcome.
// Forty reads at once are each audited with their own target, and five
// whose event the database refuses (a trigger, here) are withheld without
// costing the others theirs.
func TestConcurrentCallsAreEachAudited(t *testing.T) {
	t.Parallel()
	pool, tracking, _, srvURL := start(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `
		CREATE FUNCTION audittest.refuse() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.purpose = 'refused' THEN RAISE EXCEPTION 'refused'; END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER refuse BEFORE INSERT ON audittest.audit_events FOR EACH ROW EXECUTE FUNCTION audittest.refuse()`); err != nil {
		t.Fatal(err)
	}
	refused := trackingv1connect.NewTrackingServiceClient(servicetest.HTTPClient(), srvURL,
		append(servicetest.Options(servicetest.Caseworker, false), connect.WithInterceptors(purposeHeader("refused")))...)
	id := func(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }
	var wg sync.WaitGroup
	errs := make([]error, 45)
	for i := range errs {
		wg.Go(func() {
			c := tracking
			if i >= 40 {
				c = refused
			}
			_, errs[i] = c.GetLatestDestinations(ctx, &trackingv1.GetLatestDestinationsRequest{PupilIds: []string{id(i)}})
		})
	}
	wg.Wait()
	want := map[string]bool{}
	for i, err := range errs {
		switch {
		case i < 40 && err != nil:
			t.Errorf("call %d: %v", i, err)
		case i >= 40 && connect.CodeOf(err) != connect.CodeUnavailable:
			t.Errorf("call %d, its event refused: %v, want Unavailable", i, err)
		}
		if i < 40 {
			want["pupil:"+id(i)+" 100001 336"] = true
		}
	}
	got := map[string]bool{}
	for _, e := range events(t, pool) {
		if len(e.Targets) != 1 || e.Purpose != "caseload review" {
			t.Errorf("event %+v: want one target and the purpose caseload review", e)
			continue
		}
		got[e.Targets[0]] = true
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("audited targets (-want +got):\n%s", diff)
	}
}
