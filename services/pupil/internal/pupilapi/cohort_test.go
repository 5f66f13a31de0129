package pupilapi_test

import (
	"bytes"
	"context"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/synthetic"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/yeargroup"
)

func year7(academicYear string) *pupilv1.GetCohortSnapshotRequest {
	return &pupilv1.GetCohortSnapshotRequest{SchoolUrn: "100001", YearGroup: 7, AcademicYear: academicYear}
}

// importCohort imports n Year 7 pupils of 2025/26 into school 100001.
func importCohort(t *testing.T, e *env, n int) {
	t.Helper()
	var buf bytes.Buffer
	if err := synthetic.CSV(&buf, n, "100001", yeargroup.AcademicYear{Start: 2025}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.importFile(context.Background(), servicetest.HubAdmin, csvHeader(), buf.Bytes(), 256<<10); err != nil {
		t.Fatalf("import: %v", err)
	}
}

func TestCohortSnapshot(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	importCohort(t, e, 1203)

	// One pupil moves school in January: still a member, with left_on set.
	leaver, err := e.client(servicetest.HubAdmin).ListCohortPupils(ctx, &pupilv1.ListCohortPupilsRequest{SchoolUrn: "100001", YearGroup: 7, AcademicYear: "2025/26", PageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	moved := leaver.GetPupils()[0]
	moved.SchoolUrn, moved.JoinedOn = "100003", "2026-01-12"
	if _, err := e.client(servicetest.HubAdmin).UpdatePupil(ctx, &pupilv1.UpdatePupilRequest{Pupil: moved, Version: moved.GetVersion()}); err != nil {
		t.Fatal(err)
	}

	msgs, err := e.snapshot(t, servicetest.Service, year7("2025/26"))
	if err != nil {
		t.Fatalf("GetCohortSnapshot: %v", err)
	}
	var sizes []int
	ids := map[string]*pupilv1.CohortMember{}
	for _, m := range msgs {
		sizes = append(sizes, len(m.GetMembers()))
		for _, mem := range m.GetMembers() {
			ids[mem.GetPupilId()] = mem
		}
	}
	if diff := cmp.Diff([]int{500, 500, 203}, sizes); diff != "" {
		t.Errorf("chunk sizes (-want +got):\n%s", diff)
	}
	last := msgs[len(msgs)-1]
	if !last.GetComplete() || last.GetTotal() != 1203 || len(ids) != 1203 {
		t.Errorf("complete %v, total %d, distinct members %d; want true, 1203, 1203", last.GetComplete(), last.GetTotal(), len(ids))
	}
	for _, m := range msgs[:len(msgs)-1] {
		if m.GetComplete() {
			t.Error("a message before the last says complete")
		}
	}
	wantLeaver := &pupilv1.CohortMember{PupilId: moved.GetId(), YearGroup: 7, JoinedOn: "2025-09-03", LeftOn: "2026-01-12"}
	if diff := cmp.Diff(wantLeaver, ids[moved.GetId()], protocmp.Transform(),
		protocmp.IgnoreFields(&pupilv1.CohortMember{}, "risk_factors", "risk")); diff != "" {
		t.Errorf("the leaver (-want +got):\n%s", diff)
	}

	// The same pupils are Year 8 next year (less the one who left).
	next, err := e.snapshot(t, servicetest.Service, &pupilv1.GetCohortSnapshotRequest{SchoolUrn: "100001", YearGroup: 8, AcademicYear: "2026/27"})
	if err != nil || next[len(next)-1].GetTotal() != 1202 {
		t.Errorf("Year 8 in 2026/27: %v, total %d, want 1202", err, next[len(next)-1].GetTotal())
	}
	// And the school they joined has them from January.
	joined, err := e.snapshot(t, servicetest.Service, &pupilv1.GetCohortSnapshotRequest{SchoolUrn: "100003", YearGroup: 7, AcademicYear: "2025/26"})
	if err != nil || joined[len(joined)-1].GetTotal() != 1 {
		t.Errorf("the new school's Year 7: %v, %v", err, joined)
	}
}

func TestCohortSnapshotAccess(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	importCohort(t, e, 3)
	cases := map[string]struct {
		token     string
		req       *pupilv1.GetCohortSnapshotRequest
		wantCode  connect.Code
		wantTotal int32
	}{
		"the operator":                {token: servicetest.Service, req: year7("2025/26"), wantTotal: 3},
		"caseworker of the LA":        {token: servicetest.Caseworker, req: year7("2025/26"), wantTotal: 3},
		"empty year group":            {token: servicetest.Service, req: &pupilv1.GetCohortSnapshotRequest{SchoolUrn: "100001", YearGroup: 9, AcademicYear: "2025/26"}},
		"careers leader may not":      {token: servicetest.CareersLeader, req: year7("2025/26"), wantCode: connect.CodePermissionDenied},
		"analyst may not":             {token: servicetest.Analyst, req: year7("2025/26"), wantCode: connect.CodePermissionDenied},
		"school outside the hub":      {token: servicetest.HubAdmin, req: &pupilv1.GetCohortSnapshotRequest{SchoolUrn: "100009", YearGroup: 7, AcademicYear: "2025/26"}, wantCode: connect.CodeNotFound},
		"academic year out of step":   {token: servicetest.Service, req: year7("2025/27"), wantCode: connect.CodeInvalidArgument},
		"academic year badly written": {token: servicetest.Service, req: year7("2025-26"), wantCode: connect.CodeInvalidArgument},
		"year group 6":                {token: servicetest.Service, req: &pupilv1.GetCohortSnapshotRequest{SchoolUrn: "100001", YearGroup: 6, AcademicYear: "2025/26"}, wantCode: connect.CodeInvalidArgument},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			msgs, err := e.snapshot(t, tc.token, tc.req)
			if got := connect.CodeOf(err); err != nil && got != tc.wantCode || err == nil && tc.wantCode != ok {
				t.Fatalf("code = %v, want %v (err %v)", got, tc.wantCode, err)
			}
			if err == nil && (msgs[len(msgs)-1].GetTotal() != tc.wantTotal || !msgs[len(msgs)-1].GetComplete()) {
				t.Errorf("total %d, want %d", msgs[len(msgs)-1].GetTotal(), tc.wantTotal)
			}
		})
	}
}

func TestListCohortPupilsPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	importCohort(t, e, 25)
	client := e.client(servicetest.CareersLeader)
	seen := map[string]bool{}
	token := ""
	pages := 0
	for {
		res, err := client.ListCohortPupils(context.Background(), &pupilv1.ListCohortPupilsRequest{
			SchoolUrn: "100001", YearGroup: 7, AcademicYear: "2025/26", PageSize: 10, PageToken: token})
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		pages++
		for _, p := range res.GetPupils() {
			if seen[p.GetId()] {
				t.Fatalf("pupil repeated on page %d", pages)
			}
			seen[p.GetId()] = true
		}
		if token = res.GetNextPageToken(); token == "" {
			break
		}
	}
	if pages != 3 || len(seen) != 25 {
		t.Errorf("%d pages, %d pupils; want 3 and 25", pages, len(seen))
	}
	_, err := e.client(servicetest.OtherLeader).ListCohortPupils(context.Background(), &pupilv1.ListCohortPupilsRequest{
		SchoolUrn: "100001", YearGroup: 7, AcademicYear: "2025/26"})
	if connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("another school's leader: %v, want NotFound", err)
	}
}

func TestListSchools(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	list := func(token, laCode string, size int32) ([]string, error) {
		var urns []string
		pageToken := ""
		for {
			res, err := e.client(token).ListSchools(context.Background(), &pupilv1.ListSchoolsRequest{PageSize: size, PageToken: pageToken, LaCode: laCode})
			if err != nil {
				return nil, err
			}
			for _, s := range res.GetSchools() {
				urns = append(urns, s.GetUrn())
			}
			if pageToken = res.GetNextPageToken(); pageToken == "" {
				return urns, nil
			}
		}
	}
	cases := map[string]struct {
		token  string
		laCode string
		size   int32
		want   []string
	}{
		"hub admin sees the hub's LAs, a page at a time": {token: servicetest.HubAdmin, size: 2, want: []string{"100001", "100002", "100003"}},
		"filtered by LA":                 {token: servicetest.HubAdmin, laCode: "330", want: []string{"100003"}},
		"caseworker sees one LA":         {token: servicetest.Caseworker, size: 1, want: []string{"100001", "100002"}},
		"careers leader sees one school": {token: servicetest.CareersLeader, want: []string{"100001"}},
		"the operator sees all":          {token: servicetest.Service, want: []string{"100001", "100002", "100003", "100009"}},
		"an LA outside the scope":        {token: servicetest.Caseworker, laCode: "201"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := list(tc.token, tc.laCode, tc.size)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	_, err := e.client(servicetest.Service).ListSchools(context.Background(), &pupilv1.ListSchoolsRequest{PageToken: "not a token"})
	if connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Errorf("forged page token: %v", err)
	}
}

// TestEHCCohortSnapshot: past Year 13, an LA tracks the young people with
// an EHC plan to 25 (NCCIS). In 2025/26 the cohort "Year 14" of school
// 100001 to 25 is its pupils, on roll there now or last, of academic age 18
// to 24 (born 1 September 2000 to 31 August 2007) with an EHC plan: not one
// without, not one of 25, not one of 17, not another school's.
func TestEHCCohortSnapshot(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	ehc := &pupilv1.RiskFactors{Sen: &pupilv1.SENFactor{Status: pupilv1.SENStatus_SEN_STATUS_EHC_PLAN, AsAt: "2025-09-01"}}
	ids := map[string]string{}
	for i, c := range []struct {
		name, dob, urn string
		factors        *pupilv1.RiskFactors
	}{
		{"19 with a plan", "2006-05-01", "100001", ehc},
		{"24 with a plan", "2000-09-01", "100001", ehc},
		{"18 with a plan", "2007-08-31", "100001", ehc},
		{"25 with a plan", "2000-08-31", "100001", ehc},
		{"17 with a plan", "2007-09-01", "100001", ehc},
		{"19 without", "2006-05-01", "100001", nil},
		{"19 elsewhere", "2006-05-01", "100002", ehc},
	} {
		res, err := e.client(servicetest.HubAdmin).CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: newKey(),
			Pupil: &pupilv1.Pupil{Upn: synthetic.UPN(960 + i), LegalSurname: "Older", LegalForename: "Al", DateOfBirth: c.dob,
				SchoolUrn: c.urn, LeftOn: "2024-07-19", LeavingReason: pupilv1.LeavingReason_LEAVING_REASON_END_OF_COMPULSORY_SCHOOLING, RiskFactors: c.factors}})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		ids[res.GetPupil().GetId()] = c.name
	}
	msgs, err := e.snapshot(t, servicetest.Service, &pupilv1.GetCohortSnapshotRequest{SchoolUrn: "100001", YearGroup: 14, AcademicYear: "2025/26", EhcPlanToAge: 25})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int32{}
	for _, m := range msgs {
		for _, mem := range m.GetMembers() {
			got[ids[mem.GetPupilId()]] = mem.GetYearGroup()
		}
	}
	want := map[string]int32{"18 with a plan": 14, "19 with a plan": 15, "24 with a plan": 20}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("members by their year group had school gone on (-want +got):\n%s", diff)
	}
	for name, req := range map[string]*pupilv1.GetCohortSnapshotRequest{
		"Year 14 without an age": {SchoolUrn: "100001", YearGroup: 14, AcademicYear: "2025/26"},
		"an age with Year 13":    {SchoolUrn: "100001", YearGroup: 13, AcademicYear: "2025/26", EhcPlanToAge: 25},
		"an age past 25":         {SchoolUrn: "100001", YearGroup: 14, AcademicYear: "2025/26", EhcPlanToAge: 26},
	} {
		if _, err := e.snapshot(t, servicetest.Service, req); connect.CodeOf(err) != connect.CodeInvalidArgument {
			t.Errorf("%s: %v, want InvalidArgument", name, err)
		}
	}
}
