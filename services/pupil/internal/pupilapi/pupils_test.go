package pupilapi_test

import (
	"context"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

const key1 = "6f1c1d2e-0000-4000-8000-000000000001"

func newPupil() *pupilv1.Pupil {
	return &pupilv1.Pupil{
		Upn: "L336400125001", LegalSurname: "Testperson", LegalForename: "Ada", PreferredForename: "Addie",
		DateOfBirth: "2013-09-01", SchoolUrn: "100001", JoinedOn: "2025-09-03",
		RiskFactors: &pupilv1.RiskFactors{
			Attendance:  &pupilv1.AttendanceFactor{Percent: 88, AsAt: "2025-10-01"},
			LookedAfter: &pupilv1.CareFactor{Status: pupilv1.CareStatus_CARE_STATUS_LOOKED_AFTER, AsAt: "2025-09-01"},
		},
	}
}

// outputOnly ignores the fields the service fills in.
var outputOnly = protocmp.IgnoreFields(&pupilv1.Pupil{}, "id", "version", "updated_at", "year_group", "risk", "risk_review")

func TestCreateGetUpdatePupil(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	leader := e.client(servicetest.CareersLeader)

	created, err := leader.CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: key1, Pupil: newPupil()})
	if err != nil {
		t.Fatalf("CreatePupil: %v", err)
	}
	p := created.GetPupil()
	if diff := cmp.Diff(newPupil(), p, protocmp.Transform(), outputOnly); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	if p.GetYearGroup() != 7 || p.GetVersion() != 1 || len(p.GetId()) != 36 {
		t.Errorf("year group %d, version %d, id %q", p.GetYearGroup(), p.GetVersion(), p.GetId())
	}
	wantRisk := &pupilv1.RiskScore{Score: 4, Contributions: []*pupilv1.RiskContribution{
		{Factor: "attendance", Weight: 2, Evidence: "attendance 88% below 90% (as at 2025-10-01)"},
		{Factor: "looked_after", Weight: 2, Evidence: "looked after (as at 2025-09-01)"},
	}, NotKnown: []string{"suspensions", "permanent_exclusions", "sen", "free_school_meals", "young_carer", "english_additional_language",
		"school_moves", "prior_attainment", "child_in_need", "alternative_provision", "youth_justice", "young_parent", "home_educated", "mental_health"},
		WeightsVersion: "nextstep-default-2026-11"}
	if diff := cmp.Diff(wantRisk, p.GetRisk(), protocmp.Transform()); diff != "" {
		t.Errorf("risk (-want +got):\n%s", diff)
	}

	// A retry with the same key is the same pupil; another key is a duplicate UPN.
	retry, err := leader.CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: key1, Pupil: newPupil()})
	if err != nil || retry.GetPupil().GetId() != p.GetId() {
		t.Fatalf("retried CreatePupil: %v, id %q want %q", err, retry.GetPupil().GetId(), p.GetId())
	}
	_, err = leader.CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: "6f1c1d2e-0000-4000-8000-000000000002", Pupil: newPupil()})
	if connect.CodeOf(err) != connect.CodeAlreadyExists || rpcerror.Reason(err) != refusalv1.Reason_REASON_UPN_EXISTS {
		t.Errorf("duplicate UPN: %v", err)
	}

	// Another school's careers leader cannot see the pupil; the LA's caseworker can.
	if _, err := e.client(servicetest.OtherLeader).GetPupil(ctx, &pupilv1.GetPupilRequest{Id: p.GetId()}); connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("other school's GetPupil: %v, want NotFound", err)
	}
	got, err := e.client(servicetest.Caseworker).GetPupil(ctx, &pupilv1.GetPupilRequest{Id: p.GetId()})
	if err != nil {
		t.Fatalf("GetPupil: %v", err)
	}
	if diff := cmp.Diff(p, got.GetPupil(), protocmp.Transform()); diff != "" {
		t.Errorf("got (-created +got):\n%s", diff)
	}

	// The pupil moves to another school in the same LA.
	moved := proto.Clone(p).(*pupilv1.Pupil)
	moved.SchoolUrn, moved.JoinedOn = "100002", "2026-01-05"
	caseworker := e.client(servicetest.Caseworker)
	updated, err := caseworker.UpdatePupil(ctx, &pupilv1.UpdatePupilRequest{Pupil: moved, Version: 1})
	if err != nil {
		t.Fatalf("UpdatePupil: %v", err)
	}
	if updated.GetPupil().GetVersion() != 2 {
		t.Errorf("version %d after update, want 2", updated.GetPupil().GetVersion())
	}
	wantMoves := &pupilv1.CountFactor{Count: 1, AsAt: "2026-01-05"}
	if diff := cmp.Diff(wantMoves, updated.GetPupil().GetRiskFactors().GetSchoolMoves(), protocmp.Transform()); diff != "" {
		t.Errorf("school moves (-want +got):\n%s", diff)
	}

	// An update from the version before is refused, not applied.
	stale := proto.Clone(p).(*pupilv1.Pupil)
	stale.PreferredForename = "Ads"
	_, err = caseworker.UpdatePupil(ctx, &pupilv1.UpdatePupilRequest{Pupil: stale, Version: 1})
	if connect.CodeOf(err) != connect.CodeAborted || rpcerror.Reason(err) != refusalv1.Reason_REASON_STALE_VERSION {
		t.Errorf("stale update: %v, want Aborted STALE_VERSION", err)
	}
	// The first school's leader no longer sees the pupil.
	if _, err := leader.GetPupil(ctx, &pupilv1.GetPupilRequest{Id: p.GetId()}); connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("old school's GetPupil: %v, want NotFound", err)
	}
}

func TestCreatePupilRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	with := func(change func(p *pupilv1.Pupil)) *pupilv1.Pupil {
		p := newPupil()
		change(p)
		return p
	}
	cases := map[string]struct {
		token      string
		pupil      *pupilv1.Pupil
		wantCode   connect.Code
		wantFields []string
	}{
		"wrong check letter": {token: servicetest.CareersLeader, pupil: with(func(p *pupilv1.Pupil) { p.Upn = "A336400125001" }),
			wantCode: connect.CodeInvalidArgument, wantFields: []string{"pupil.upn"}},
		"lowercase UPN": {token: servicetest.CareersLeader, pupil: with(func(p *pupilv1.Pupil) { p.Upn = "l336400125001" }),
			wantCode: connect.CodeInvalidArgument, wantFields: []string{"pupil.upn"}},
		"not a real date": {token: servicetest.CareersLeader, pupil: with(func(p *pupilv1.Pupil) { p.DateOfBirth = "2013-02-30" }),
			wantCode: connect.CodeInvalidArgument, wantFields: []string{"pupil.date_of_birth"}},
		"left without a reason": {token: servicetest.CareersLeader, pupil: with(func(p *pupilv1.Pupil) { p.LeftOn = "2026-01-01" }),
			wantCode: connect.CodeInvalidArgument, wantFields: []string{"pupil.leaving_reason"}},
		"another school": {token: servicetest.CareersLeader, pupil: with(func(p *pupilv1.Pupil) { p.SchoolUrn = "100002" }),
			wantCode: connect.CodeNotFound},
		"no such school": {token: servicetest.HubAdmin, pupil: with(func(p *pupilv1.Pupil) { p.SchoolUrn = "999999" }),
			wantCode: connect.CodeNotFound},
		"analyst may not": {token: servicetest.Analyst, pupil: newPupil(), wantCode: connect.CodePermissionDenied},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := e.client(tc.token).CreatePupil(context.Background(), &pupilv1.CreatePupilRequest{IdempotencyKey: key1, Pupil: tc.pupil})
			if got := connect.CodeOf(err); got != tc.wantCode {
				t.Fatalf("code = %v, want %v (err %v)", got, tc.wantCode, err)
			}
			if diff := cmp.Diff(tc.wantFields, rpcerror.Fields(err)); tc.wantFields != nil && diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGetPupilIsAudited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	created, err := e.client(servicetest.CareersLeader).CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: key1, Pupil: newPupil()})
	if err != nil {
		t.Fatal(err)
	}
	id := created.GetPupil().GetId()
	if _, err := e.client(servicetest.Caseworker).GetPupil(ctx, &pupilv1.GetPupilRequest{Id: id}); err != nil {
		t.Fatal(err)
	}
	var subjects []string
	rows, err := e.pool.Query(ctx, `SELECT e.subject FROM pupil.audit_events e WHERE e.targets @> ARRAY[$1] ORDER BY e.id`, "pupil:"+id)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		subjects = append(subjects, s)
	}
	if diff := cmp.Diff([]string{"careers-leader", "caseworker"}, subjects); diff != "" {
		t.Errorf("audited subjects (-want +got):\n%s", diff)
	}
}
