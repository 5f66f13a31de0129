package pupilapi_test

import (
	"context"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/pupil/internal/synthetic"
)

// TestResidenceDecidesTheLAsScope follows a young person at school 100001
// (LA 336) who lives in LA 330 and then moves to LA 201: each LA where
// they live sees their record, the LA they left sees only the transfer,
// and a school elsewhere sees nothing.
func TestResidenceDecidesTheLAsScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	created, err := e.client(servicetest.Caseworker).CreatePupil(ctx, &pupilv1.CreatePupilRequest{
		IdempotencyKey: newKey(),
		Pupil: &pupilv1.Pupil{Upn: synthetic.UPN(951), LegalSurname: "Mover", LegalForename: "Max", DateOfBirth: "2009-10-01",
			SchoolUrn: "100001", ResidenceLaCode: "330", ResidentSince: "2024-09-01"},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := created.GetPupil()
	if p.GetResidenceLaCode() != "330" || p.GetResidentSince() != "2024-09-01" {
		t.Fatalf("created with residence %q since %q", p.GetResidenceLaCode(), p.GetResidentSince())
	}
	visible := func(token string) bool {
		t.Helper()
		_, err := e.client(token).GetPupil(ctx, &pupilv1.GetPupilRequest{Id: p.GetId()})
		if err != nil && connect.CodeOf(err) != connect.CodeNotFound {
			t.Fatalf("GetPupil as %s: %v", token, err)
		}
		return err == nil
	}
	// 330's caseworker sees a resident educated out of their area; another
	// school's careers leader and the LA the pupil has nothing to do with
	// do not.
	for token, want := range map[string]bool{
		servicetest.Caseworker: true, servicetest.OtherCaseworker: true,
		servicetest.OtherLeader: false, servicetest.OtherHubAdmin: false,
	} {
		if got := visible(token); got != want {
			t.Errorf("before the move, %s sees the pupil: %v, want %v", token, got, want)
		}
	}
	located, err := e.client(servicetest.Service).LocatePupils(ctx, &pupilv1.LocatePupilsRequest{PupilIds: []string{p.GetId()}})
	if err != nil {
		t.Fatal(err)
	}
	if got := located.GetLocations()[0]; got.GetLaCode() != "336" || got.GetResidenceLaCode() != "330" {
		t.Errorf("LocatePupils: school LA %s, residence %s; want 336 and 330", got.GetLaCode(), got.GetResidenceLaCode())
	}

	// The school's LA records the move to LA 201 on 1 March 2025.
	p.ResidenceLaCode, p.ResidentSince = "201", "2025-03-01"
	updated, err := e.client(servicetest.Caseworker).UpdatePupil(ctx, &pupilv1.UpdatePupilRequest{Pupil: p, Version: p.GetVersion()})
	if err != nil {
		t.Fatal(err)
	}
	want := []*pupilv1.ResidenceMove{{LaCode: "330", ResidentSince: "2024-09-01", MovedOn: "2025-03-01", TransferredTo: "201"}}
	if diff := cmp.Diff(want, updated.GetPupil().GetResidenceHistory(), protocmp.Transform()); diff != "" {
		t.Errorf("residence history (-want +got):\n%s", diff)
	}
	// Born October 2009: in Year 11 until 31 August 2026, so their LA at
	// Year 11 (YP12) is not known yet (store.TestLAOn has the rest).
	if got := updated.GetPupil().GetLaCodeAtYear11(); got != "" {
		t.Errorf("LA at Year 11 %q before Year 11 has ended", got)
	}
	// An update that does not name a residence keeps it.
	kept := updated.GetPupil()
	kept.ResidenceLaCode, kept.ResidentSince, kept.PreferredForename = "", "", "Maxi"
	again, err := e.client(servicetest.Caseworker).UpdatePupil(ctx, &pupilv1.UpdatePupilRequest{Pupil: kept, Version: kept.GetVersion()})
	if err != nil {
		t.Fatal(err)
	}
	if got := again.GetPupil(); got.GetResidenceLaCode() != "201" || len(got.GetResidenceHistory()) != 1 {
		t.Errorf("an update without a residence left it %q with %d moves", got.GetResidenceLaCode(), len(got.GetResidenceHistory()))
	}
	for token, want := range map[string]bool{
		servicetest.Caseworker: true, servicetest.OtherCaseworker: false, servicetest.OtherHubAdmin: true,
	} {
		if got := visible(token); got != want {
			t.Errorf("after the move, %s sees the pupil: %v, want %v", token, got, want)
		}
	}

	// Both LAs see the transfer, and nothing more; an LA outside the
	// caller's scope is refused.
	transfer := []*pupilv1.ResidenceTransfer{{PupilId: p.GetId(), FromLaCode: "330", ToLaCode: "201", MovedOn: "2025-03-01"}}
	for _, c := range []struct{ token, la string }{{servicetest.OtherCaseworker, "330"}, {servicetest.OtherHubAdmin, "201"}} {
		res, err := e.client(c.token).ListResidenceTransfers(ctx, &pupilv1.ListResidenceTransfersRequest{LaCode: c.la, Since: "2025-01-01"})
		if err != nil {
			t.Fatalf("ListResidenceTransfers(%s) as %s: %v", c.la, c.token, err)
		}
		if diff := cmp.Diff(transfer, res.GetTransfers(), protocmp.Transform()); diff != "" {
			t.Errorf("transfers of %s (-want +got):\n%s", c.la, diff)
		}
	}
	res, err := e.client(servicetest.OtherCaseworker).ListResidenceTransfers(ctx, &pupilv1.ListResidenceTransfersRequest{LaCode: "330", Since: "2025-03-02"})
	if err != nil || len(res.GetTransfers()) != 0 {
		t.Errorf("transfers since the day after: %v, %v", res.GetTransfers(), err)
	}
	_, err = e.client(servicetest.Caseworker).ListResidenceTransfers(ctx, &pupilv1.ListResidenceTransfersRequest{LaCode: "201", Since: "2025-01-01"})
	if connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Errorf("another LA's transfers: %v, want PermissionDenied", err)
	}
}

// TestResidenceRefusesWhatItCannotPlace: an LA code that is not a current
// English authority, or a date without an LA, is refused with the field,
// and nothing is saved.
func TestResidenceRefusesWhatItCannotPlace(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	for name, c := range map[string]struct {
		la, since, field string
	}{
		"unknown LA":           {la: "999", field: "pupil.residence_la_code"},
		"Welsh LA":             {la: "660", field: "pupil.residence_la_code"},
		"date without LA":      {since: "2024-09-01", field: "pupil.resident_since"},
		"moved in before born": {la: "330", since: "2008-01-01", field: "pupil.resident_since"},
		"moved in the future":  {la: "330", since: "2026-09-01", field: "pupil.resident_since"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.client(servicetest.Caseworker).CreatePupil(ctx, &pupilv1.CreatePupilRequest{
				IdempotencyKey: newKey(),
				Pupil: &pupilv1.Pupil{Upn: synthetic.UPN(952), LegalSurname: "Nowhere", LegalForename: "Nia", DateOfBirth: "2009-10-01",
					SchoolUrn: "100001", ResidenceLaCode: c.la, ResidentSince: c.since},
			})
			if connect.CodeOf(err) != connect.CodeInvalidArgument || !cmp.Equal(rpcerror.Fields(err), []string{c.field}) {
				t.Errorf("got %v (fields %v), want InvalidArgument on %s", err, rpcerror.Fields(err), c.field)
			}
		})
	}
	if n := e.pupilCount(t); n != 0 {
		t.Errorf("%d pupils saved", n)
	}
}

// TestImportRecordsResidenceAndMoves: a CSV gives residences; an unknown LA
// code is reported on its row, never guessed; a second file that moves a
// young person keeps the LA they left with the transfer date, and one
// without the column keeps what is recorded.
func TestImportRecordsResidenceAndMoves(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const header = "upn,legal_surname,legal_forename,date_of_birth,school_urn,residence_la_code,resident_since\n"
	first := header +
		synthetic.UPN(961) + ",Stayer,Sam,2009-10-01,100001,336,\n" +
		synthetic.UPN(962) + ",Mover,Mo,2009-10-01,100001,330,2023-09-01\n" +
		synthetic.UPN(963) + ",Unknown,Una,2009-10-01,100001,123,\n" +
		synthetic.UPN(964) + ",Undated,Ug,2009-10-01,100001,,2023-09-01\n"
	got, err := e.importFile(ctx, servicetest.Caseworker, csvHeader(), []byte(first), 64)
	if err != nil {
		t.Fatal(err)
	}
	want := &pupilv1.ImportPupilsResponse{Rows: 4, Inserted: 2, RejectedRows: 2, Rejections: []*pupilv1.Rejection{
		{Location: "line 4", Field: "residence_la_code", RuleId: "residence_la_code.unknown", Reason: "is not the 3-digit code of a current English local authority"},
		{Location: "line 5", Field: "resident_since", RuleId: "resident_since.without_la", Reason: "is given only with residence_la_code"},
	}}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("first import (-want +got):\n%s", diff)
	}

	// Only the residence changes: the import reports the pupil updated.
	second := header + synthetic.UPN(962) + ",Mover,Mo,2009-10-01,100001,201,2025-02-01\n"
	moved, err := e.importFile(ctx, servicetest.Caseworker, csvHeader(), []byte(second), 64)
	if err != nil {
		t.Fatal(err)
	}
	if moved.GetUpdated() != 1 || moved.GetUnchanged() != 0 {
		t.Errorf("a move between LAs imported as %d updated, %d unchanged; want 1 and 0", moved.GetUpdated(), moved.GetUnchanged())
	}
	third := "upn,legal_surname,legal_forename,date_of_birth,school_urn\n" + synthetic.UPN(962) + ",Mover,Mo,2009-10-01,100001\n"
	if _, err := e.importFile(ctx, servicetest.Caseworker, csvHeader(), []byte(third), 64); err != nil {
		t.Fatal(err)
	}
	var id, la, since string
	err = e.pool.QueryRow(ctx, `SELECT id::text, residence_la_code, resident_since::text FROM pupil.pupils WHERE upn = $1`, synthetic.UPN(962)).Scan(&id, &la, &since)
	if err != nil {
		t.Fatal(err)
	}
	if la != "201" || since != "2025-02-01" {
		t.Errorf("after the move the residence is %s since %s, want 201 since 2025-02-01", la, since)
	}
	res, err := e.client(servicetest.HubAdmin).ListResidenceTransfers(ctx, &pupilv1.ListResidenceTransfersRequest{LaCode: "330", Since: "2020-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	wantTransfers := []*pupilv1.ResidenceTransfer{{PupilId: id, FromLaCode: "330", ToLaCode: "201", MovedOn: "2025-02-01"}}
	if diff := cmp.Diff(wantTransfers, res.GetTransfers(), protocmp.Transform()); diff != "" {
		t.Errorf("transfers (-want +got):\n%s", diff)
	}
}

// TestGetResidents lists the young people of academic age 16-17 in 2025/26
// (born 1 September 2007 to 31 August 2009) with their caseload LA: the
// boundaries are the 31 August birthdays.
func TestGetResidents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	ids := map[string]string{}
	for i, c := range []struct{ dob, residence string }{
		{"2009-08-31", ""},    // 16, the school's LA stands in
		{"2009-09-01", ""},    // 15: too young
		{"2007-09-01", "330"}, // 17, lives in 330
		{"2007-08-31", ""},    // 18: too old
	} {
		res, err := e.client(servicetest.Caseworker).CreatePupil(ctx, &pupilv1.CreatePupilRequest{
			IdempotencyKey: newKey(),
			Pupil: &pupilv1.Pupil{Upn: synthetic.UPN(970 + i), LegalSurname: "Aged", LegalForename: "Al", DateOfBirth: c.dob,
				SchoolUrn: "100001", ResidenceLaCode: c.residence},
		})
		if err != nil {
			t.Fatal(err)
		}
		ids[c.dob] = res.GetPupil().GetId()
	}
	residents := func(la string) map[string]*pupilv1.Resident {
		t.Helper()
		stream, err := e.client(servicetest.Service).GetResidents(ctx, &pupilv1.GetResidentsRequest{AcademicYear: "2025/26", MinAcademicAge: 16, MaxAcademicAge: 17, LaCode: la})
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]*pupilv1.Resident{}
		complete := false
		for stream.Receive() {
			for _, r := range stream.Msg().GetResidents() {
				byID[r.GetPupilId()] = r
			}
			complete = stream.Msg().GetComplete()
		}
		if err := stream.Err(); err != nil || !complete {
			t.Fatalf("stream ended with %v, complete %v", err, complete)
		}
		return byID
	}
	sixteen := &pupilv1.Resident{PupilId: ids["2009-08-31"], LaCode: "336", AcademicAge: 16}
	seventeen := &pupilv1.Resident{PupilId: ids["2007-09-01"], LaCode: "330", AcademicAge: 17}
	for la, want := range map[string]map[string]*pupilv1.Resident{
		"":    {sixteen.GetPupilId(): sixteen, seventeen.GetPupilId(): seventeen},
		"330": {seventeen.GetPupilId(): seventeen},
		"336": {sixteen.GetPupilId(): sixteen}, // the school's LA, not the 17-year-old's
	} {
		if diff := cmp.Diff(want, residents(la), protocmp.Transform()); diff != "" {
			t.Errorf("residents of %q (-want +got):\n%s", la, diff)
		}
	}
	// Staff may not call it: it is for the service's own measures.
	refused, err := e.client(servicetest.HubAdmin).GetResidents(ctx, &pupilv1.GetResidentsRequest{AcademicYear: "2025/26", MinAcademicAge: 16, MaxAcademicAge: 17})
	if err == nil {
		for refused.Receive() {
			t.Error("a hub admin received residents")
		}
		err = refused.Err()
	}
	if connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Errorf("a hub admin's call: %v, want PermissionDenied", err)
	}
}
