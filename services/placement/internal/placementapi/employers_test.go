package placementapi_test

import (
	"context"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

func TestCreateEmployerIsIdempotent(t *testing.T) {
	t.Parallel()
	for name, grpc := range map[string]bool{"connect": false, "grpc": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := start(t)
			ctx := context.Background()
			admin := e.as(servicetest.HubAdmin)
			if grpc {
				admin = e.asGRPC(servicetest.HubAdmin)
			}
			req := &placementv1.CreateEmployerRequest{IdempotencyKey: newID(), Employer: smallEmployer()}
			first, err := admin.CreateEmployer(ctx, req)
			if err != nil {
				t.Fatalf("CreateEmployer: %v", err)
			}
			want := smallEmployer()
			want.Id, want.Version = first.GetEmployer().GetId(), 1
			if diff := cmp.Diff(want, first.GetEmployer(), protocmp.Transform()); diff != "" {
				t.Errorf("created (-want +got):\n%s", diff)
			}

			retry, err := admin.CreateEmployer(ctx, req)
			if err != nil {
				t.Fatalf("retried CreateEmployer: %v", err)
			}
			if diff := cmp.Diff(first.GetEmployer(), retry.GetEmployer(), protocmp.Transform()); diff != "" {
				t.Errorf("a retry made another employer (-first +retry):\n%s", diff)
			}
			var n int
			if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM placement.employers`).Scan(&n); err != nil || n != 1 {
				t.Errorf("employers stored = %d (%v), want 1", n, err)
			}

			got, err := e.as(servicetest.CareersLeader).GetEmployer(ctx, &placementv1.GetEmployerRequest{Id: want.Id})
			if err != nil {
				t.Fatalf("GetEmployer: %v", err)
			}
			if diff := cmp.Diff(want, got.GetEmployer(), protocmp.Transform()); diff != "" {
				t.Errorf("got (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCreateEmployerRefusals(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	usedKey := newID()
	if _, err := e.as(servicetest.HubAdmin).CreateEmployer(ctx, &placementv1.CreateEmployerRequest{IdempotencyKey: usedKey, Employer: smallEmployer()}); err != nil {
		t.Fatal(err)
	}
	other := smallEmployer()
	other.Name, other.CompaniesHouseNumber = "Another Ltd", "SC123456"
	sameCompany := smallEmployer()
	sameCompany.Name = "BCR (trading name)"

	cases := map[string]struct {
		token    string
		key      string
		employer *placementv1.Employer
		want     refusal
	}{
		"key reused for another employer": {token: servicetest.HubAdmin, key: usedKey, employer: other,
			want: refusal{code: connect.CodeAlreadyExists, reason: refusalv1.Reason_REASON_IDEMPOTENCY_KEY_REUSED}},
		"Companies House number taken": {token: servicetest.HubAdmin, key: newID(), employer: sameCompany,
			want: refusal{code: connect.CodeAlreadyExists, reason: refusalv1.Reason_REASON_EMPLOYER_EXISTS}},
		"every field wrong": {token: servicetest.HubAdmin, key: "not-a-uuid",
			employer: &placementv1.Employer{CompaniesHouseNumber: "123", Contact: &placementv1.Contact{Email: "nobody"}},
			want: refusal{code: connect.CodeInvalidArgument, fields: []string{
				"idempotency_key", "employer.name", "employer.companies_house_number", "employer.sector",
				"employer.size_band", "employer.contact.email"}}},
		"no employer":          {token: servicetest.HubAdmin, key: newID(), want: refusal{code: connect.CodeInvalidArgument, fields: []string{"employer"}}},
		"caseworker may not":   {token: servicetest.Caseworker, key: newID(), employer: other, want: refusal{code: connect.CodePermissionDenied}},
		"analyst may not":      {token: servicetest.Analyst, key: newID(), employer: other, want: refusal{code: connect.CodePermissionDenied}},
		"a stranger may not":   {token: "", key: newID(), employer: other, want: refusal{code: connect.CodeUnauthenticated}},
		"another employer, ok": {token: servicetest.HubAdmin, key: newID(), employer: other, want: refusal{code: ok}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := e.as(tc.token).CreateEmployer(ctx, &placementv1.CreateEmployerRequest{IdempotencyKey: tc.key, Employer: tc.employer})
			checkRefusal(t, err, tc.want)
		})
	}
}

func TestUpdateEmployerRefusesAStaleVersion(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	admin := e.as(servicetest.HubAdmin)
	v1 := createEmployer(t, e, smallEmployer())

	grown := proto.Clone(v1).(*placementv1.Employer)
	grown.SizeBand = placementv1.SizeBand_SIZE_BAND_MEDIUM
	v2, err := admin.UpdateEmployer(ctx, &placementv1.UpdateEmployerRequest{Employer: grown})
	if err != nil {
		t.Fatalf("UpdateEmployer: %v", err)
	}
	if got := v2.GetEmployer(); got.GetVersion() != 2 || got.GetSizeBand() != placementv1.SizeBand_SIZE_BAND_MEDIUM {
		t.Fatalf("updated employer = %v, want version 2 and medium", got)
	}

	// A second editor still holding version 1 is refused, not applied.
	renamed := proto.Clone(v1).(*placementv1.Employer)
	renamed.Name = "Renamed Ltd"
	_, err = admin.UpdateEmployer(ctx, &placementv1.UpdateEmployerRequest{Employer: renamed})
	checkRefusal(t, err, refusal{code: connect.CodeAborted, reason: refusalv1.Reason_REASON_STALE_VERSION})

	got, err := admin.GetEmployer(ctx, &placementv1.GetEmployerRequest{Id: v1.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v2.GetEmployer(), got.GetEmployer(), protocmp.Transform()); diff != "" {
		t.Errorf("stored employer after a stale update (-want +got):\n%s", diff)
	}

	missing := proto.Clone(v2.GetEmployer()).(*placementv1.Employer)
	missing.Id = newID()
	_, err = admin.UpdateEmployer(ctx, &placementv1.UpdateEmployerRequest{Employer: missing})
	checkRefusal(t, err, refusal{code: connect.CodeNotFound})

	missing.Id = "7"
	_, err = admin.UpdateEmployer(ctx, &placementv1.UpdateEmployerRequest{Employer: missing})
	checkRefusal(t, err, refusal{code: connect.CodeInvalidArgument, fields: []string{"employer.id"}})
}

func TestListEmployersPages(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	names := []string{"Alpha Care", "Bravo Build", "Charlie Digital", "Delta Energy", "Echo Logistics"}
	for _, n := range names {
		emp := smallEmployer()
		emp.Name, emp.CompaniesHouseNumber = n, ""
		createEmployer(t, e, emp)
	}
	var got []string
	token := ""
	for pages := 0; ; pages++ {
		if pages > len(names) {
			t.Fatal("pagination does not end")
		}
		res, err := e.as(servicetest.Analyst).ListEmployers(ctx, &placementv1.ListEmployersRequest{PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatalf("ListEmployers: %v", err)
		}
		for _, emp := range res.GetEmployers() {
			got = append(got, emp.GetName())
		}
		if token = res.GetNextPageToken(); token == "" {
			break
		}
	}
	if diff := cmp.Diff(names, got); diff != "" {
		t.Errorf("employers over every page (-want +got):\n%s", diff)
	}
	_, err := e.as(servicetest.Analyst).ListEmployers(ctx, &placementv1.ListEmployersRequest{PageToken: "%%%"})
	checkRefusal(t, err, refusal{code: connect.CodeInvalidArgument, fields: []string{"page_token"}})
}
