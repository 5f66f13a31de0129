package pupilapi_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/synthetic"
)

// pupilRow reads the stored columns an import could change, to show that a
// refused row changed nothing.
func (e *env) pupilRow(t *testing.T, upn string) string {
	t.Helper()
	var row string
	err := e.pool.QueryRow(context.Background(), `SELECT p::text FROM pupil.pupils p WHERE upn = $1`, upn).Scan(&row)
	if err != nil {
		t.Fatal(err)
	}
	return row
}

// createAt registers a pupil with upn at the school as token.
func (e *env) createAt(t *testing.T, token, upn, urn string) *pupilv1.Pupil {
	t.Helper()
	res, err := e.client(token).CreatePupil(context.Background(), &pupilv1.CreatePupilRequest{
		IdempotencyKey: newKey(), Pupil: &pupilv1.Pupil{Upn: upn, LegalSurname: "Elsewhere", LegalForename: "Eve", DateOfBirth: "2013-09-01", SchoolUrn: urn},
	})
	if err != nil {
		t.Fatalf("CreatePupil at %s: %v", urn, err)
	}
	return res.GetPupil()
}

// TestImportCannotTakeOverAnotherSchoolsPupil is the takeover an outside
// tester found: a careers leader's CSV and a caseworker's CTF naming the
// UPN of a pupil registered at a school outside their scope. Each row is
// refused, saying only that the pupil belongs to another school, and the
// pupil is neither moved nor overwritten.
func TestImportCannotTakeOverAnotherSchoolsPupil(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	city := synthetic.UPN(901)       // at 100009, LA 201: another hub's
	birmingham := synthetic.UPN(902) // at 100003, LA 330: the hub's, not the caseworker's LA
	e.createAt(t, servicetest.OtherHubAdmin, city, "100009")
	e.createAt(t, servicetest.HubAdmin, birmingham, "100003")
	before := map[string]string{city: e.pupilRow(t, city), birmingham: e.pupilRow(t, birmingham)}

	elsewhere := &pupilv1.Rejection{Field: "upn", RuleId: "upn.registered_elsewhere", Reason: "belongs to a pupil at another school: ask for a transfer"}
	t.Run("careers leader, CSV", func(t *testing.T) {
		data := synthetic.CSVHeader +
			city + ",Takeover,Mallory,2013-09-01,100001,,2025-10-01,50,true\n" +
			synthetic.UPN(903) + ",Testperson,Ada,2013-09-01,100001,,,,\n"
		got, err := e.importFile(ctx, servicetest.CareersLeader, csvHeader(), []byte(data), 1024)
		if err != nil {
			t.Fatal(err)
		}
		want := &pupilv1.ImportPupilsResponse{Rows: 2, Inserted: 1, RejectedRows: 1, Rejections: []*pupilv1.Rejection{
			{Location: "line 2", Field: elsewhere.Field, RuleId: elsewhere.RuleId, Reason: elsewhere.Reason},
		}}
		if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("caseworker, CTF", func(t *testing.T) {
		ctf := `<?xml version="1.0" encoding="UTF-8"?>
<CTfile><Header><DateTime>2025-10-01T10:00:00</DateTime></Header><CTFpupilData>
<Pupil><UPN>` + birmingham + `</UPN><Surname>Takeover</Surname><Forename>Mallory</Forename><DOB>2013-09-01</DOB></Pupil>
</CTFpupilData></CTfile>`
		got, err := e.importFile(ctx, servicetest.Caseworker, &pupilv1.ImportHeader{Format: pupilv1.ImportFormat_IMPORT_FORMAT_CTF, SchoolUrn: "100001"}, []byte(ctf), 1024)
		if err != nil {
			t.Fatal(err)
		}
		if got.GetRejectedRows() != 1 || got.GetInserted()+got.GetUpdated() != 0 || len(got.GetRejections()) != 1 ||
			got.GetRejections()[0].GetRuleId() != elsewhere.RuleId {
			t.Errorf("response %v, want the one row refused as registered elsewhere", got)
		}
	})
	for upn, row := range before {
		if after := e.pupilRow(t, upn); after != row {
			t.Errorf("pupil changed by a refused import:\nbefore %s\nafter  %s", row, after)
		}
	}

	// A hub admin covering both schools moves a pupil by import: a
	// deliberate transfer, kept in the school history.
	data := synthetic.CSVHeader + birmingham + ",Elsewhere,Eve,2013-09-01,100001,2025-11-01,,,\n"
	got, err := e.importFile(ctx, servicetest.HubAdmin, csvHeader(), []byte(data), 1024)
	if err != nil || got.GetUpdated() != 1 {
		t.Fatalf("hub admin's transfer: %v, %v", got, err)
	}
	var moves int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM pupil.school_history h JOIN pupil.pupils p ON p.id = h.pupil_id
		WHERE p.upn = $1 AND h.school_urn = '100003'`, birmingham).Scan(&moves); err != nil || moves != 1 {
		t.Errorf("school history rows = %d (%v), want 1", moves, err)
	}
}

// TestImportRefusesBadTextByRow: a Latin-1 file, a NUL byte and a
// direction override each refuse their row, naming the column, and the
// rest of the file imports.
func TestImportRefusesBadTextByRow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	data := synthetic.CSVHeader +
		synthetic.UPN(1) + ",Zo\xeb,Ada,2013-09-01,100001,,,,\n" +
		synthetic.UPN(2) + ",Nul\x00,Bo,2013-09-01,100001,,,,\n" +
		synthetic.UPN(3) + ",Testperson,\u202eadA,2013-09-01,100001,,,,\n" +
		synthetic.UPN(4) + ",Testperson,Di,2013-09-01,100001,,2099-01-01,90,\n" +
		synthetic.UPN(5) + ",Testperson,Ed,2013-09-01,100001,,,,\n"
	got, err := e.importFile(context.Background(), servicetest.HubAdmin, csvHeader(), []byte(data), 1024)
	if err != nil {
		t.Fatal(err)
	}
	want := &pupilv1.ImportPupilsResponse{Rows: 5, Inserted: 1, RejectedRows: 4, Rejections: []*pupilv1.Rejection{
		{Location: "line 2", Field: "legal_surname", RuleId: "text.utf8", Reason: "is not valid UTF-8 text: save the file as UTF-8 and send it again"},
		{Location: "line 3", Field: "legal_surname", RuleId: "text.control", Reason: "contains a control character"},
		{Location: "line 4", Field: "legal_forename", RuleId: "text.invisible", Reason: "contains an invisible formatting character (such as a direction override or a zero-width space)"},
		{Location: "line 5", Field: "risk_as_at", RuleId: "as_at.range", Reason: "the attendance factor must be true as at a date from 2000 to today"},
	}}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestCreatePupilRefusesReplaysAndOthersPupils: an idempotency key replayed with another pupil,
// a UPN registered in scope and one registered elsewhere, a date of birth
// in the future.
func TestCreatePupilRefusesReplaysAndOthersPupils(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.createAt(t, servicetest.OtherHubAdmin, synthetic.UPN(10), "100009")
	e.createAt(t, servicetest.HubAdmin, synthetic.UPN(11), "100001")
	key := newKey()
	first := &pupilv1.Pupil{Upn: synthetic.UPN(12), LegalSurname: "Testperson", LegalForename: "Ada", DateOfBirth: "2013-09-01", SchoolUrn: "100001"}
	if _, err := e.client(servicetest.CareersLeader).CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: key, Pupil: first}); err != nil {
		t.Fatal(err)
	}
	before := e.pupilCount(t)
	cases := map[string]struct {
		key    string
		pupil  *pupilv1.Pupil
		code   connect.Code
		reason refusalv1.Reason
		fields []string
	}{
		"key replayed with another pupil": {key: key, pupil: &pupilv1.Pupil{Upn: synthetic.UPN(13), LegalSurname: "Other", LegalForename: "Bo", DateOfBirth: "2013-09-01", SchoolUrn: "100001"},
			code: connect.CodeAlreadyExists, reason: refusalv1.Reason_REASON_IDEMPOTENCY_KEY_REUSED},
		"UPN at the caller's school": {pupil: &pupilv1.Pupil{Upn: synthetic.UPN(11), LegalSurname: "Again", LegalForename: "Cy", DateOfBirth: "2013-09-01", SchoolUrn: "100001"},
			code: connect.CodeAlreadyExists, reason: refusalv1.Reason_REASON_UPN_EXISTS},
		"UPN at another hub's school": {pupil: &pupilv1.Pupil{Upn: synthetic.UPN(10), LegalSurname: "Again", LegalForename: "Di", DateOfBirth: "2013-09-01", SchoolUrn: "100001"},
			code: connect.CodeInvalidArgument, fields: []string{"pupil.upn"}},
		"born tomorrow": {pupil: &pupilv1.Pupil{Upn: synthetic.UPN(14), LegalSurname: "Future", LegalForename: "Ed", DateOfBirth: "2025-12-02", SchoolUrn: "100001"},
			code: connect.CodeInvalidArgument, fields: []string{"pupil.date_of_birth"}},
		"factor as at 2099": {pupil: &pupilv1.Pupil{Upn: synthetic.UPN(15), LegalSurname: "Future", LegalForename: "Flo", DateOfBirth: "2013-09-01", SchoolUrn: "100001",
			RiskFactors: &pupilv1.RiskFactors{Attendance: &pupilv1.AttendanceFactor{Percent: 99, AsAt: "2099-01-01"}}},
			code: connect.CodeInvalidArgument, fields: []string{"pupil.risk_factors.attendance.as_at"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			k := tc.key
			if k == "" {
				k = newKey()
			}
			_, err := e.client(servicetest.CareersLeader).CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: k, Pupil: tc.pupil})
			if connect.CodeOf(err) != tc.code {
				t.Fatalf("code = %v, want %v (%v)", connect.CodeOf(err), tc.code, err)
			}
			if tc.reason != 0 && rpcerror.Reason(err) != tc.reason {
				t.Errorf("reason = %q, want %q", rpcerror.Reason(err), tc.reason)
			}
			if tc.fields != nil {
				if diff := cmp.Diff(tc.fields, rpcerror.Fields(err)); diff != "" {
					t.Errorf("fields (-want +got):\n%s", diff)
				}
			}
			if strings.Contains(err.Error(), "100009") || strings.Contains(err.Error(), "Elsewhere") {
				t.Errorf("the refusal tells of the other pupil: %v", err)
			}
		})
	}
	if after := e.pupilCount(t); after != before {
		t.Errorf("%d pupils after refusals, want %d", after, before)
	}
}

// TestUpdatePupilRefusesUnknownFields: a misspelt field in a JSON update
// is refused, not dropped, so the stored preferred surname survives.
func TestUpdatePupilRefusesUnknownFields(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	upn := synthetic.UPN(20)
	res, err := e.client(servicetest.HubAdmin).CreatePupil(context.Background(), &pupilv1.CreatePupilRequest{IdempotencyKey: newKey(),
		Pupil: &pupilv1.Pupil{Upn: upn, LegalSurname: "Testperson", LegalForename: "Ada", PreferredSurname: "Kept", DateOfBirth: "2013-09-01", SchoolUrn: "100001"}})
	if err != nil {
		t.Fatal(err)
	}
	p := res.GetPupil()
	before := e.pupilRow(t, upn)
	body := `{"pupil": {"id": "` + p.GetId() + `", "upn": "` + upn + `", "legalSurname": "Testperson", "legalForename": "Ada",
		"preferredSurnme": "Kept", "dateOfBirth": "2013-09-01", "schoolUrn": "100001"}, "version": "1"}`
	req, _ := http.NewRequest(http.MethodPost, e.url+"/nextstep.pupil.v1.PupilService/UpdatePupil", bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", servicetest.Bearer(servicetest.HubAdmin))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status %d, want 400", resp.StatusCode)
	}
	if after := e.pupilRow(t, upn); after != before {
		t.Errorf("pupil changed by a refused update:\nbefore %s\nafter  %s", before, after)
	}
}

// TestLocatePupils answers the service where pupils are on roll, leaving
// out ids it does not know, and nobody else.
func TestLocatePupils(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := e.createAt(t, servicetest.HubAdmin, synthetic.UPN(30), "100001")
	b := e.createAt(t, servicetest.OtherHubAdmin, synthetic.UPN(31), "100009")
	unknown := newKey()
	res, err := e.client(servicetest.Service).LocatePupils(ctx, &pupilv1.LocatePupilsRequest{PupilIds: []string{b.GetId(), unknown, a.GetId()}})
	if err != nil {
		t.Fatal(err)
	}
	want := []*pupilv1.PupilLocation{
		{PupilId: b.GetId(), SchoolUrn: "100009", LaCode: "201"},
		{PupilId: a.GetId(), SchoolUrn: "100001", LaCode: "336"},
	}
	if diff := cmp.Diff(want, res.GetLocations(), protocmp.Transform()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, token := range []string{servicetest.HubAdmin, servicetest.Caseworker, servicetest.CareersLeader, servicetest.Analyst} {
		_, err := e.client(token).LocatePupils(ctx, &pupilv1.LocatePupilsRequest{PupilIds: []string{a.GetId()}})
		if connect.CodeOf(err) != connect.CodePermissionDenied {
			t.Errorf("%s: code %v, want PermissionDenied", token, connect.CodeOf(err))
		}
	}
}
