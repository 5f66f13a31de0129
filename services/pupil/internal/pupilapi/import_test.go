package pupilapi_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/synthetic"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/yeargroup"
)

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestImportMixedCSV imports a file of good and bad rows, then the same
// file again.
func TestImportMixedCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	data := readFile(t, "../pupilcsv/testdata/mixed.csv")

	got, err := e.importFile(ctx, servicetest.Caseworker, csvHeader(), data, 64)
	if err != nil {
		t.Fatalf("ImportPupils: %v", err)
	}
	want := &pupilv1.ImportPupilsResponse{
		Rows: 6, Inserted: 3, RejectedRows: 3,
		Rejections: []*pupilv1.Rejection{
			{Location: "line 4", Field: "upn", RuleId: "upn.check_letter", Reason: "check letter does not match"},
			{Location: "line 5", Field: "date_of_birth", RuleId: "date.format", Reason: "must be a date like 2025-09-01"},
			{Location: "line 6", Field: "risk_as_at", RuleId: "date.required", Reason: "is required"},
			{Location: "line 6", Field: "sen_status", RuleId: "sen_status.enum", Reason: "must be none, sen_support or ehc_plan"},
			{Location: "line 6", Field: "fsm_eligible", RuleId: "flag.enum", Reason: "must be true or false"},
			{Location: "line 6", Field: "attendance_percent", RuleId: "attendance.range", Reason: "must be a percentage from 0 to 100"},
		},
	}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("first import (-want +got):\n%s", diff)
	}
	before := cohortPupils(t, e)

	again, err := e.importFile(ctx, servicetest.Caseworker, csvHeader(), data, 1<<20)
	if err != nil {
		t.Fatalf("ImportPupils again: %v", err)
	}
	want.Inserted, want.Unchanged = 0, 3
	if diff := cmp.Diff(want, again, protocmp.Transform()); diff != "" {
		t.Errorf("second import (-want +got):\n%s", diff)
	}
	// Nothing changed: not a version, not a timestamp.
	if diff := cmp.Diff(before, cohortPupils(t, e), protocmp.Transform()); diff != "" {
		t.Errorf("pupils changed by the same import (-before +after):\n%s", diff)
	}
	// The third accepted row is taught a year behind: Year 6, not in the cohort.
	if len(before) != 2 {
		t.Fatalf("%d pupils in the cohort, want 2", len(before))
	}
	ada := before[0]
	if ada.GetUpn() != "L336400125001" {
		ada = before[1]
	}
	wantRisk := &pupilv1.RiskScore{Score: 5, Contributions: []*pupilv1.RiskContribution{
		{Factor: "attendance", Weight: 2, Evidence: "attendance 84.5% below 90% (as at 2025-10-01)"},
		{Factor: "suspensions", Weight: 1, Evidence: "1 suspension (as at 2025-10-01)"},
		{Factor: "sen", Weight: 1, Evidence: "SEN support (as at 2025-10-01)"},
		{Factor: "free_school_meals", Weight: 1, Evidence: "eligible for free school meals (as at 2025-10-01)"},
	}, NotKnown: []string{"permanent_exclusions", "prior_attainment", "child_in_need", "alternative_provision", "youth_justice",
		"young_parent", "home_educated", "mental_health"}, WeightsVersion: "nextstep-default-2026-11"}
	if diff := cmp.Diff(wantRisk, ada.GetRisk(), protocmp.Transform()); diff != "" {
		t.Errorf("risk of the first row's pupil (-want +got):\n%s", diff)
	}
}

// cohortPupils lists Year 7 of 2025/26 at school 100001.
func cohortPupils(t *testing.T, e *env) []*pupilv1.Pupil {
	t.Helper()
	res, err := e.client(servicetest.Caseworker).ListCohortPupils(context.Background(), &pupilv1.ListCohortPupilsRequest{
		SchoolUrn: "100001", YearGroup: 7, AcademicYear: "2025/26"})
	if err != nil {
		t.Fatalf("ListCohortPupils: %v", err)
	}
	return res.GetPupils()
}

func TestImportCTF(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	header := &pupilv1.ImportHeader{Format: pupilv1.ImportFormat_IMPORT_FORMAT_CTF, SchoolUrn: "100001"}
	data := readFile(t, "../ctf/testdata/sample.xml")
	got, err := e.importFile(context.Background(), servicetest.CareersLeader, header, data, 100)
	if err != nil {
		t.Fatalf("ImportPupils: %v", err)
	}
	want := &pupilv1.ImportPupilsResponse{
		Rows: 3, Inserted: 2, RejectedRows: 1,
		Rejections: []*pupilv1.Rejection{
			{Location: "Pupil 3 (line 56)", Field: "DOB", RuleId: "date.format", Reason: "must be a date like 2012-05-01"},
			{Location: "Pupil 3 (line 56)", Field: "UPN", RuleId: "upn.check_letter", Reason: "check letter does not match"},
		},
	}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestImportCTFStandards imports the data-standards sample through the
// API: the pupils with an unknown KS2 test subject, a scaled score out of
// range or an InCare that is not a boolean are reported, and the mid-year
// mover (a Welsh UPN, 1/0 booleans) and the pupil with KS2 results import.
func TestImportCTFStandards(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	header := &pupilv1.ImportHeader{Format: pupilv1.ImportFormat_IMPORT_FORMAT_CTF, SchoolUrn: "100001"}
	got, err := e.importFile(context.Background(), servicetest.CareersLeader, header, readFile(t, "../ctf/testdata/standards.xml"), 512)
	if err != nil {
		t.Fatalf("ImportPupils: %v", err)
	}
	want := &pupilv1.ImportPupilsResponse{
		Rows: 4, Inserted: 2, RejectedRows: 2,
		Rejections: []*pupilv1.Rejection{
			{Location: "Pupil 3 (line 87)", Field: "StageAssessments/KeyStage/StageAssessment/Subject", RuleId: "assessment.subject",
				Reason: "a KS2 test result must be for a known test subject (ENG reading or MAT maths)"},
			{Location: "Pupil 3 (line 87)", Field: "StageAssessments/KeyStage/StageAssessment/Result", RuleId: "assessment.range",
				Reason: "a KS2 scaled score must be from 80 to 120"},
			{Location: "Pupil 4 (line 100)", Field: "LookedAfter/InCare", RuleId: "flag.enum", Reason: "must be true or false (or 1 or 0)"},
		},
	}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestImportRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mixed := readFile(t, "../pupilcsv/testdata/mixed.csv")
	ctfData := readFile(t, "../ctf/testdata/sample.xml")
	ctfHeader := &pupilv1.ImportHeader{Format: pupilv1.ImportFormat_IMPORT_FORMAT_CTF, SchoolUrn: "100001"}
	cases := map[string]struct {
		token      string
		header     *pupilv1.ImportHeader
		data       []byte
		chunk      int
		wantCode   connect.Code
		wantReason refusalv1.Reason
	}{
		"declared size not received": {token: servicetest.Caseworker, data: mixed,
			header:   &pupilv1.ImportHeader{Format: pupilv1.ImportFormat_IMPORT_FORMAT_CSV, SizeBytes: int64(len(mixed) + 100)},
			wantCode: connect.CodeFailedPrecondition, wantReason: refusalv1.Reason_REASON_INCOMPLETE_UPLOAD},
		"CTF cut off half-way": {token: servicetest.Caseworker, header: ctfHeader, data: ctfData[:len(ctfData)/2],
			wantCode: connect.CodeInvalidArgument, wantReason: refusalv1.Reason_REASON_FILE_INVALID},
		"CSV with an unknown column": {token: servicetest.Caseworker, header: csvHeader(), data: []byte("upn,shoe_size\n"),
			wantCode: connect.CodeInvalidArgument, wantReason: refusalv1.Reason_REASON_FILE_INVALID},
		"CTF without a school": {token: servicetest.Caseworker, header: &pupilv1.ImportHeader{Format: pupilv1.ImportFormat_IMPORT_FORMAT_CTF},
			data: ctfData, wantCode: connect.CodeInvalidArgument},
		"analyst may not import": {token: servicetest.Analyst, header: csvHeader(), data: mixed, wantCode: connect.CodePermissionDenied},
		"chunk over 1 MiB": {token: servicetest.Caseworker, header: csvHeader(), data: bigFile(t),
			chunk: 3 << 19, wantCode: connect.CodeInvalidArgument},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			chunk := tc.chunk
			if chunk == 0 {
				chunk = 256
			}
			_, err := e.importFile(context.Background(), tc.token, tc.header, tc.data, chunk)
			if got := connect.CodeOf(err); got != tc.wantCode {
				t.Fatalf("code = %v, want %v (err %v)", got, tc.wantCode, err)
			}
			if got := rpcerror.Reason(err); tc.wantReason != 0 && got != tc.wantReason {
				t.Errorf("reason = %q, want %q", got, tc.wantReason)
			}
		})
	}
	if n := e.pupilCount(t); n != 0 {
		t.Errorf("%d pupils written by refused imports, want 0", n)
	}
}

// TestImportCutOff breaks the upload half-way through a large file: the
// pupils already copied must not be written.
func TestImportCutOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	data := bigFile(t)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := e.client(servicetest.HubAdmin).ImportPupils(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&pupilv1.ImportPupilsRequest{Part: &pupilv1.ImportPupilsRequest_Header{Header: csvHeader()}}); err != nil {
		t.Fatal(err)
	}
	const chunk = 16 << 10
	for off := 0; off < len(data)/2; off += chunk {
		if err := stream.Send(&pupilv1.ImportPupilsRequest{Part: &pupilv1.ImportPupilsRequest_Chunk{Chunk: data[off : off+chunk]}}); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	cancel() // the connection drops half-way
	if _, err := stream.CloseAndReceive(); err == nil {
		t.Fatal("an import cut off half-way succeeded")
	}
	// The server notices the broken stream, rolls back and writes the
	// audit row; nothing may be left behind.
	assertEventually(t, func() bool {
		var audited int
		_ = e.pool.QueryRow(context.Background(), `SELECT count(*) FROM pupil.audit_events WHERE procedure LIKE '%ImportPupils'`).Scan(&audited)
		return audited == 1
	})
	if n := e.pupilCount(t); n != 0 {
		t.Errorf("%d pupils written by a cut-off import, want 0", n)
	}

	// The whole file then imports.
	res, err := e.importFile(context.Background(), servicetest.HubAdmin, &pupilv1.ImportHeader{
		Format: pupilv1.ImportFormat_IMPORT_FORMAT_CSV, SizeBytes: int64(len(data))}, data, 64<<10)
	if err != nil {
		t.Fatalf("ImportPupils: %v", err)
	}
	if res.GetInserted() != 20_000 || res.GetRejectedRows() != 0 {
		t.Errorf("inserted %d, rejected %d; want 20000 and 0", res.GetInserted(), res.GetRejectedRows())
	}
}

func TestImportScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	data := []byte(synthetic.CSVHeader +
		synthetic.UPN(1) + ",Testperson,Ada,2013-09-01,100001,,,,\n" +
		synthetic.UPN(2) + ",Samplename,Bo,2013-09-02,100002,,,,\n" +
		synthetic.UPN(3) + ",Fictional,Cy,2013-09-03,100009,,,,\n" +
		synthetic.UPN(4) + ",Madeup,Di,2013-09-04,999999,,,,\n" +
		synthetic.UPN(1) + ",Testperson,Ada,2013-09-01,100001,,,,\n")
	got, err := e.importFile(context.Background(), servicetest.CareersLeader, csvHeader(), data, 1024)
	if err != nil {
		t.Fatal(err)
	}
	// Both rows with one UPN are refused: which is right cannot be guessed.
	want := &pupilv1.ImportPupilsResponse{Rows: 5, Inserted: 0, RejectedRows: 5, Rejections: []*pupilv1.Rejection{
		{Location: "line 2", Field: "upn", RuleId: "upn.duplicate", Reason: "repeats the UPN of line 6"},
		{Location: "line 3", Field: "school_urn", RuleId: "school.unknown", Reason: "is not an open school registered in your scope"},
		{Location: "line 4", Field: "school_urn", RuleId: "school.unknown", Reason: "is not an open school registered in your scope"},
		{Location: "line 5", Field: "school_urn", RuleId: "school.unknown", Reason: "is not an open school registered in your scope"},
		{Location: "line 6", Field: "upn", RuleId: "upn.duplicate", Reason: "repeats the UPN of line 2"},
	}}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// bigFile is a CSV of 20,000 invented pupils (about 1.6 MB).
func bigFile(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := synthetic.CSV(&buf, 20_000, "100001", yeargroup.AcademicYear{Start: 2025}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
