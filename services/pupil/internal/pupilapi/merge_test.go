package pupilapi_test

import (
	"context"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	refusalv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/refusal/v1"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

// TestImportMergeRules imports three files about one pupil and checks what
// each keeps, replaces and records.
func TestImportMergeRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const header = "upn,legal_surname,legal_forename,date_of_birth,school_urn,joined_on,risk_as_at,attendance_percent,fsm_eligible\n"
	imports := []struct {
		name string
		row  string
		want *pupilv1.ImportPupilsResponse
	}{
		{"first", "L336400125001,Testperson,Ada,2013-09-01,100001,2025-09-03,2025-10-01,80,\n", &pupilv1.ImportPupilsResponse{Rows: 1, Inserted: 1}},
		// No joining date (kept) and an older attendance figure (ignored):
		// nothing changes. Then a newer free school meals flag is added.
		{"second", "L336400125001,Testperson,Ada,2013-09-01,100001,,2025-09-01,95,\n", &pupilv1.ImportPupilsResponse{Rows: 1, Unchanged: 1}},
		{"third", "L336400125001,Testperson,Ada,2013-09-01,100001,,2025-11-01,,true\n", &pupilv1.ImportPupilsResponse{Rows: 1, Updated: 1}},
		{"moves school", "L336400125001,Testperson,Ada,2013-09-01,100002,2026-01-05,,,\n", &pupilv1.ImportPupilsResponse{Rows: 1, Updated: 1}},
	}
	var pupilID string
	for i, imp := range imports {
		got, err := e.importFile(ctx, servicetest.HubAdmin, csvHeader(), []byte(header+imp.row), 1024)
		if err != nil {
			t.Fatalf("%s import: %v", imp.name, err)
		}
		if diff := cmp.Diff(imp.want, got, protocmp.Transform()); diff != "" {
			t.Fatalf("%s import (-want +got):\n%s", imp.name, diff)
		}
		if i == 2 {
			pupils := cohortPupils(t, e)
			if len(pupils) != 1 {
				t.Fatalf("%d pupils", len(pupils))
			}
			p := pupils[0]
			pupilID = p.GetId()
			if p.GetJoinedOn() != "2025-09-03" || p.GetVersion() != 2 {
				t.Errorf("joined_on %q, version %d; want 2025-09-03, 2", p.GetJoinedOn(), p.GetVersion())
			}
			want := &pupilv1.RiskFactors{
				Attendance:      &pupilv1.AttendanceFactor{Percent: 80, AsAt: "2025-10-01"},
				FreeSchoolMeals: &pupilv1.FlagFactor{Value: true, AsAt: "2025-11-01"},
			}
			if diff := cmp.Diff(want, p.GetRiskFactors(), protocmp.Transform()); diff != "" {
				t.Errorf("risk factors (-want +got):\n%s", diff)
			}
		}
	}

	got, err := e.client(servicetest.Service).GetPupil(ctx, &pupilv1.GetPupilRequest{Id: pupilID})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&pupilv1.CountFactor{Count: 1, AsAt: "2026-01-05"}, got.GetPupil().GetRiskFactors().GetSchoolMoves(), protocmp.Transform()); diff != "" {
		t.Errorf("school moves (-want +got):\n%s", diff)
	}
	msgs, err := e.snapshot(t, servicetest.Service, year7("2025/26"))
	if err != nil {
		t.Fatal(err)
	}
	last := msgs[len(msgs)-1]
	if last.GetTotal() != 1 || last.GetMembers()[0].GetLeftOn() != "2026-01-05" || last.GetMembers()[0].GetJoinedOn() != "2025-09-03" {
		t.Errorf("the old school's cohort: %v", last)
	}

	// A leaving date before the joining date the school already gave is
	// refused as a whole.
	_, err = e.importFile(ctx, servicetest.HubAdmin, csvHeader(), []byte(
		"upn,legal_surname,legal_forename,date_of_birth,school_urn,left_on,leaving_reason\n"+
			"L336400125001,Testperson,Ada,2013-09-01,100002,2026-01-01,moved_abroad\n"), 1024)
	if connect.CodeOf(err) != connect.CodeFailedPrecondition || rpcerror.Reason(err) != refusalv1.Reason_REASON_ROW_CONFLICTS {
		t.Errorf("contradicting import: %v, want FailedPrecondition ROW_CONFLICTS", err)
	}
}
