package pupilapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	geov1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/geo/v1"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1/pupilv1connect"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/services/kit/dbtest"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/kit/server"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/pupilapi"
	"github.com/nextstep-uk/nextstep/services/pupil/migrations"
)

// start serves the pupil service on a fresh database and returns a function
// making clients for a principal's token, over Connect or gRPC.
func start(t *testing.T) (*servicetest.Server, func(token string, grpc bool) pupilv1connect.PupilServiceClient) {
	t.Helper()
	pool := dbtest.NewPool(t, "pupil", migrations.FS)
	srv := servicetest.Start(t, "pupil", pool, pupilapi.Services(server.Deps{Pool: pool, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})...)
	return srv, func(token string, grpc bool) pupilv1connect.PupilServiceClient {
		return pupilv1connect.NewPupilServiceClient(servicetest.HTTPClient(), srv.URL, servicetest.Options(token, grpc)...)
	}
}

func wolverhamptonSchool() *pupilv1.School {
	return &pupilv1.School{Urn: "100001", Name: "Heath Park School", LaCode: "336", Phase: pupilv1.Phase_PHASE_SECONDARY, Open: true,
		Location: &geov1.Point{Latitude: 52.5965, Longitude: -2.0987}}
}

func TestCreateAndGetSchool(t *testing.T) {
	t.Parallel()
	for name, grpc := range map[string]bool{"connect": false, "grpc": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, client := start(t)
			ctx := context.Background()
			admin := client(servicetest.HubAdmin, grpc)

			created, err := admin.CreateSchool(ctx, &pupilv1.CreateSchoolRequest{School: wolverhamptonSchool()})
			if err != nil {
				t.Fatalf("CreateSchool: %v", err)
			}
			if diff := cmp.Diff(wolverhamptonSchool(), created.GetSchool(), protocmp.Transform()); diff != "" {
				t.Errorf("created school (-want +got):\n%s", diff)
			}
			// A retry of the same create is a no-op.
			if _, err := admin.CreateSchool(ctx, &pupilv1.CreateSchoolRequest{School: wolverhamptonSchool()}); err != nil {
				t.Fatalf("CreateSchool again: %v", err)
			}
			got, err := client(servicetest.CareersLeader, grpc).GetSchool(ctx, &pupilv1.GetSchoolRequest{Urn: "100001"})
			if err != nil {
				t.Fatalf("GetSchool: %v", err)
			}
			if diff := cmp.Diff(wolverhamptonSchool(), got.GetSchool(), protocmp.Transform()); diff != "" {
				t.Errorf("got school (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCreateSchoolRefusals(t *testing.T) {
	t.Parallel()
	_, client := start(t)
	ctx := context.Background()
	if _, err := client(servicetest.HubAdmin, false).CreateSchool(ctx, &pupilv1.CreateSchoolRequest{School: wolverhamptonSchool()}); err != nil {
		t.Fatal(err)
	}
	renamed := wolverhamptonSchool()
	renamed.Name = "Another Name"
	outOfScope := wolverhamptonSchool()
	outOfScope.Urn, outOfScope.LaCode = "100009", "201"
	college := &pupilv1.School{Urn: "130001", Name: "City of Wolverhampton College", LaCode: "336", Phase: pupilv1.Phase_PHASE_SIXTEEN_PLUS,
		Open: true, Ukprn: "10099991", EstablishmentType: "18"}
	created, err := client(servicetest.HubAdmin, false).CreateSchool(ctx, &pupilv1.CreateSchoolRequest{School: college})
	if err != nil {
		t.Fatal(err)
	}
	if got := created.GetSchool(); got.GetEstablishmentTypeName() != "Further education" || !got.GetPost16() || got.GetUkprn() != "10099991" {
		t.Errorf("the college came back as %v", got)
	}
	sameUKPRN := &pupilv1.School{Urn: "130002", Name: "Another College", LaCode: "336", Phase: pupilv1.Phase_PHASE_SIXTEEN_PLUS, Ukprn: "10099991"}

	cases := map[string]struct {
		token      string
		school     *pupilv1.School
		wantCode   connect.Code
		wantFields []string
		wantReason refusalv1.Reason
	}{
		"same URN, other details": {token: servicetest.HubAdmin, school: renamed, wantCode: connect.CodeAlreadyExists, wantReason: refusalv1.Reason_REASON_SCHOOL_EXISTS},
		"URN not six digits": {token: servicetest.HubAdmin, school: &pupilv1.School{Urn: "12345", Name: "X", LaCode: "336", Phase: pupilv1.Phase_PHASE_SECONDARY},
			wantCode: connect.CodeInvalidArgument, wantFields: []string{"school.urn"}},
		"every field wrong": {token: servicetest.HubAdmin, school: &pupilv1.School{Urn: "abc", LaCode: "3366"},
			wantCode: connect.CodeInvalidArgument, wantFields: []string{"school.urn", "school.name", "school.la_code", "school.phase"}},
		"no school": {token: servicetest.HubAdmin, wantCode: connect.CodeInvalidArgument, wantFields: []string{"school"}},
		"LA code not English": {token: servicetest.HubAdmin, school: &pupilv1.School{Urn: "100008", Name: "X", LaCode: "999", Phase: pupilv1.Phase_PHASE_SECONDARY},
			wantCode: connect.CodeInvalidArgument, wantFields: []string{"school.la_code"}},
		"a location outside England": {token: servicetest.HubAdmin, school: &pupilv1.School{Urn: "100008", Name: "X", LaCode: "336", Phase: pupilv1.Phase_PHASE_SECONDARY,
			Location: &geov1.Point{Latitude: 40.4, Longitude: -3.7}},
			wantCode: connect.CodeInvalidArgument, wantFields: []string{"school.location.latitude"}}, // Madrid: its longitude is within England's
		"moved on the map": {token: servicetest.HubAdmin, school: func() *pupilv1.School {
			s := wolverhamptonSchool()
			s.Location.Latitude = 52.6
			return s
		}(), wantCode: connect.CodeAlreadyExists, wantReason: refusalv1.Reason_REASON_SCHOOL_EXISTS},
		"LA code retired": {token: servicetest.HubAdmin, school: &pupilv1.School{Urn: "100008", Name: "X", LaCode: "909", Phase: pupilv1.Phase_PHASE_SECONDARY},
			wantCode: connect.CodeInvalidArgument, wantFields: []string{"school.la_code"}},
		"outside the hub": {token: servicetest.HubAdmin, school: outOfScope, wantCode: connect.CodePermissionDenied, wantReason: refusalv1.Reason_REASON_OUT_OF_SCOPE},
		"UKPRN not 8 digits from 1": {token: servicetest.HubAdmin, school: &pupilv1.School{Urn: "130003", Name: "X", LaCode: "336", Phase: pupilv1.Phase_PHASE_SIXTEEN_PLUS, Ukprn: "00007527"},
			wantCode: connect.CodeInvalidArgument, wantFields: []string{"school.ukprn"}},
		"UKPRN of another institution": {token: servicetest.HubAdmin, school: sameUKPRN, wantCode: connect.CodeInvalidArgument, wantFields: []string{"school.ukprn"}},
		"establishment type GIAS retired": {token: servicetest.HubAdmin, school: &pupilv1.School{Urn: "130004", Name: "X", LaCode: "336", Phase: pupilv1.Phase_PHASE_SIXTEEN_PLUS, EstablishmentType: "04"},
			wantCode: connect.CodeInvalidArgument, wantFields: []string{"school.establishment_type"}},
		"analyst may not":        {token: servicetest.Analyst, school: wolverhamptonSchool(), wantCode: connect.CodePermissionDenied},
		"careers leader may not": {token: servicetest.CareersLeader, school: wolverhamptonSchool(), wantCode: connect.CodePermissionDenied},
		"no token":               {token: "", school: wolverhamptonSchool(), wantCode: connect.CodeUnauthenticated},
		"unknown token":          {token: "not-a-real-token", school: wolverhamptonSchool(), wantCode: connect.CodeUnauthenticated},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := client(tc.token, false).CreateSchool(ctx, &pupilv1.CreateSchoolRequest{School: tc.school})
			if got := connect.CodeOf(err); got != tc.wantCode {
				t.Fatalf("code = %v, want %v (err %v)", got, tc.wantCode, err)
			}
			if tc.wantFields != nil {
				if diff := cmp.Diff(tc.wantFields, rpcerror.Fields(err)); diff != "" {
					t.Errorf("violated fields (-want +got):\n%s", diff)
				}
			}
			if got := rpcerror.Reason(err); tc.wantReason != 0 && got != tc.wantReason {
				t.Errorf("reason = %q, want %q", got, tc.wantReason)
			}
		})
	}
}

// ok stands for success in tables of expected codes.
const ok connect.Code = 0

func TestGetSchoolScope(t *testing.T) {
	t.Parallel()
	_, client := start(t)
	ctx := context.Background()
	if _, err := client(servicetest.HubAdmin, false).CreateSchool(ctx, &pupilv1.CreateSchoolRequest{School: wolverhamptonSchool()}); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		token    string
		urn      string
		wantCode connect.Code
	}{
		"own school":              {token: servicetest.CareersLeader, urn: "100001", wantCode: ok},
		"another school's leader": {token: servicetest.OtherLeader, urn: "100001", wantCode: connect.CodeNotFound},
		"caseworker in the LA":    {token: servicetest.Caseworker, urn: "100001", wantCode: ok},
		"service sees all":        {token: servicetest.Service, urn: "100001", wantCode: ok},
		"no such school":          {token: servicetest.Service, urn: "999999", wantCode: connect.CodeNotFound},
		"malformed URN is named":  {token: servicetest.Service, urn: "1", wantCode: connect.CodeInvalidArgument},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := client(tc.token, false).GetSchool(ctx, &pupilv1.GetSchoolRequest{Urn: tc.urn})
			if tc.wantCode == ok {
				if err != nil {
					t.Fatalf("GetSchool: %v", err)
				}
				return
			}
			if got := connect.CodeOf(err); got != tc.wantCode {
				t.Fatalf("code = %v, want %v (err %v)", got, tc.wantCode, err)
			}
		})
	}
}

// TestJSONOverHTTP calls the service the way curl does.
func TestJSONOverHTTP(t *testing.T) {
	t.Parallel()
	srv, client := start(t)
	if _, err := client(servicetest.HubAdmin, false).CreateSchool(context.Background(), &pupilv1.CreateSchoolRequest{School: wolverhamptonSchool()}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+pupilv1connect.PupilServiceGetSchoolProcedure, strings.NewReader(`{"urn":"100001"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", servicetest.Bearer(servicetest.Caseworker))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"laCode":"336"`) {
		t.Fatalf("status %d, body %s", res.StatusCode, body)
	}
}
