package pupilapi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1/pupilv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/rpcerror"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/pupil/upn"
)

func added(reason string) *pupilv1.RiskReview {
	return &pupilv1.RiskReview{Decision: pupilv1.RiskDecision_RISK_DECISION_ADDED, Reason: reason}
}

func suppressed(reason, until string) *pupilv1.RiskReview {
	return &pupilv1.RiskReview{Decision: pupilv1.RiskDecision_RISK_DECISION_SUPPRESSED, Reason: reason, ReviewOn: until}
}

// TestReviewRisk: staff add a pupil to the risk list or suppress a flag,
// within their scope, with a reason and (to suppress) a review date; the
// review is shown with the pupil and in the reconciler's snapshot, and
// every change is audited.
func TestReviewRisk(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	leader := e.client(servicetest.CareersLeader)
	created, err := leader.CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: newKey(), Pupil: newPupil()})
	if err != nil {
		t.Fatal(err)
	}
	id := created.GetPupil().GetId()
	review := func(token string, r *pupilv1.RiskReview) (*pupilv1.Pupil, error) {
		res, err := e.client(token).ReviewRisk(ctx, &pupilv1.ReviewRiskRequest{PupilId: id, Review: r})
		return res.GetPupil(), err
	}

	got, err := review(servicetest.CareersLeader, added("caring for a parent since the summer"))
	if err != nil {
		t.Fatalf("add: %v", err)
	}
	r := got.GetRiskReview()
	if r.GetDecision() != pupilv1.RiskDecision_RISK_DECISION_ADDED || r.GetReason() != "caring for a parent since the summer" || r.GetDecidedBy() != "careers-leader" || r.GetDecidedAt() == nil {
		t.Fatalf("review = %v", r)
	}
	// The same review again changes nothing, not even when it was made.
	again, err := review(servicetest.Caseworker, added("caring for a parent since the summer"))
	if err != nil || !again.GetRiskReview().GetDecidedAt().AsTime().Equal(r.GetDecidedAt().AsTime()) || again.GetRiskReview().GetDecidedBy() != "careers-leader" {
		t.Errorf("the same review again: %v (err %v)", again.GetRiskReview(), err)
	}

	// Bad reviews are refused with the field named, and change nothing.
	for name, c := range map[string]struct {
		review *pupilv1.RiskReview
		field  string
	}{
		"suppressed without a date": {suppressed("hospital stay", ""), "review.review_on"},
		"review date today":         {suppressed("hospital stay", "2025-12-01"), "review.review_on"},
		"review date past a year":   {suppressed("hospital stay", "2026-12-02"), "review.review_on"},
		"not a date":                {suppressed("hospital stay", "2026-02-30"), "review.review_on"},
		"no reason":                 {suppressed("", "2026-02-01"), "review.reason"},
		"no decision":               {&pupilv1.RiskReview{Reason: "x"}, "review.decision"},
	} {
		_, err := review(servicetest.CareersLeader, c.review)
		if connect.CodeOf(err) != connect.CodeInvalidArgument || !cmp.Equal(rpcerror.Fields(err), []string{c.field}) {
			t.Errorf("%s: %v (fields %v), want InvalidArgument on %s", name, err, rpcerror.Fields(err), c.field)
		}
	}
	// Another school's careers leader, and another hub's admin, find no
	// such pupil.
	for _, token := range []string{servicetest.OtherLeader, servicetest.OtherHubAdmin} {
		if _, err := review(token, suppressed("x", "2026-02-01")); connect.CodeOf(err) != connect.CodeNotFound {
			t.Errorf("%s: %v, want NotFound", token, err)
		}
		if _, err := review(token, nil); connect.CodeOf(err) != connect.CodeNotFound {
			t.Errorf("%s clearing: %v, want NotFound", token, err)
		}
	}
	read, err := leader.GetPupil(ctx, &pupilv1.GetPupilRequest{Id: id})
	if err != nil || read.GetPupil().GetRiskReview().GetDecision() != pupilv1.RiskDecision_RISK_DECISION_ADDED {
		t.Fatalf("after refusals the pupil's review is %v (err %v)", read.GetPupil().GetRiskReview(), err)
	}

	// A suppression replaces the addition; the reconciler sees it.
	if _, err := review(servicetest.Caseworker, suppressed("absence was a hospital stay", "2026-03-01")); err != nil {
		t.Fatalf("suppress: %v", err)
	}
	msgs, err := e.snapshot(t, servicetest.Service, &pupilv1.GetCohortSnapshotRequest{SchoolUrn: "100001", YearGroup: 7, AcademicYear: "2025/26"})
	if err != nil || len(msgs) != 1 || len(msgs[0].GetMembers()) != 1 {
		t.Fatalf("snapshot: %v (err %v)", msgs, err)
	}
	if r := msgs[0].GetMembers()[0].GetRiskReview(); r.GetDecision() != pupilv1.RiskDecision_RISK_DECISION_SUPPRESSED || r.GetReviewOn() != "2026-03-01" {
		t.Errorf("snapshot review = %v", r)
	}

	// Cleared.
	if got, err := review(servicetest.CareersLeader, nil); err != nil || got.GetRiskReview() != nil {
		t.Fatalf("clear: %v (err %v)", got.GetRiskReview(), err)
	}
	read, err = leader.GetPupil(ctx, &pupilv1.GetPupilRequest{Id: id})
	if err != nil || read.GetPupil().GetRiskReview() != nil {
		t.Errorf("after clearing: %v (err %v)", read.GetPupil().GetRiskReview(), err)
	}

	// Every review that was allowed is in the audit log, naming the pupil
	// and who made it.
	type row struct {
		Subject, Outcome string
		Targets          int
	}
	rows, err := e.pool.Query(ctx, `
		SELECT e.subject, e.outcome, cardinality(array_positions(e.targets, 'pupil:' || $2))
		FROM pupil.audit_events e
		WHERE e.procedure = $1 ORDER BY e.id`, pupilv1connect.PupilServiceReviewRiskProcedure, id)
	if err != nil {
		t.Fatal(err)
	}
	var audited []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.Subject, &r.Outcome, &r.Targets); err != nil {
			t.Fatal(err)
		}
		audited = append(audited, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var want []row
	want = append(want, row{"careers-leader", "ok", 1}, row{"caseworker", "ok", 1})
	// Of the six bad reviews, the contract's own rules refuse two (no
	// reason, no decision) before the call reaches the audit log.
	for range 4 {
		want = append(want, row{"careers-leader", "invalid_argument", 0})
	}
	want = append(want, row{"other-leader", "not_found", 0}, row{"other-leader", "not_found", 0},
		row{"other-hub-admin", "not_found", 0}, row{"other-hub-admin", "not_found", 0},
		row{"caseworker", "ok", 1}, row{"careers-leader", "ok", 1})
	if diff := cmp.Diff(want, audited); diff != "" {
		t.Errorf("audit rows (-want +got):\n%s", diff)
	}
}

// TestExportRiskList: the school's list is its pupils on roll in the high
// band or added by staff, highest score first, with the evidence and any
// review; a suppressed pupil stays on it, marked, so the school sees its
// own filter; cells cannot start a formula; another school's leader gets
// not found.
func TestExportRiskList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	admin := e.client(servicetest.HubAdmin)
	at := "2025-10-01"
	high := &pupilv1.RiskFactors{
		Attendance:          &pupilv1.AttendanceFactor{Percent: 80, AsAt: at},
		PermanentExclusions: &pupilv1.CountFactor{Count: 1, AsAt: at},
		LookedAfter:         &pupilv1.CareFactor{Status: pupilv1.CareStatus_CARE_STATUS_LOOKED_AFTER, AsAt: at},
	}
	fsm := &pupilv1.RiskFactors{FreeSchoolMeals: &pupilv1.FlagFactor{Value: true, AsAt: at}}
	ids := map[string]string{}
	for i, p := range []struct {
		name, urn string
		factors   *pupilv1.RiskFactors
	}{
		{"high", "100001", high}, {"none", "100001", nil}, {"added", "100001", fsm}, {"suppressed", "100001", high}, {"elsewhere", "100002", high},
	} {
		rest := fmt.Sprintf("336400125%03d", 100+i)
		pupil := &pupilv1.Pupil{Upn: string(upn.CheckLetter(rest)) + rest, LegalSurname: "Testperson", LegalForename: p.name,
			DateOfBirth: "2011-10-01", SchoolUrn: p.urn, JoinedOn: "2022-09-05", RiskFactors: p.factors}
		res, err := admin.CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: newKey(), Pupil: pupil})
		if err != nil {
			t.Fatalf("create %s: %v", p.name, err)
		}
		ids[p.name] = res.GetPupil().GetId()
	}
	if _, err := admin.ReviewRisk(ctx, &pupilv1.ReviewRiskRequest{PupilId: ids["added"], Review: added("=HYPERLINK(\"http://x\")")}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ReviewRisk(ctx, &pupilv1.ReviewRiskRequest{PupilId: ids["suppressed"], Review: suppressed("hospital stay", "2026-01-31")}); err != nil {
		t.Fatal(err)
	}

	read := func(token string) ([][]string, error) {
		stream, err := e.client(token).ExportRiskList(ctx, &pupilv1.ExportRiskListRequest{SchoolUrn: "100001"})
		if err != nil {
			return nil, err
		}
		defer stream.Close()
		var data []byte
		for stream.Receive() {
			data = append(data, stream.Msg().GetChunk()...)
		}
		if err := stream.Err(); err != nil {
			return nil, err
		}
		return csv.NewReader(bytes.NewReader(data)).ReadAll()
	}
	rows, err := read(servicetest.CareersLeader)
	if err != nil {
		t.Fatal(err)
	}
	factors := "attendance (2): attendance 80% below 90% (as at 2025-10-01); permanent_exclusions (2): 1 permanent exclusion (as at 2025-10-01); looked_after (2): looked after (as at 2025-10-01)"
	upns := func(name string) string {
		p, err := admin.GetPupil(ctx, &pupilv1.GetPupilRequest{Id: ids[name]})
		if err != nil {
			t.Fatal(err)
		}
		return p.GetPupil().GetUpn()
	}
	// Scores tie at 6 for high and suppressed: by id.
	first, second := "high", "suppressed"
	if ids[second] < ids[first] {
		first, second = second, first
	}
	row := func(name string) []string {
		switch name {
		case "high":
			return []string{ids[name], upns(name), "Testperson", name, "9", "6", "high", factors, "", "", "", ""}
		case "suppressed":
			return []string{ids[name], upns(name), "Testperson", name, "9", "6", "high", factors, "suppressed", "hospital stay", "2026-01-31", "hub-admin"}
		}
		return []string{ids[name], upns(name), "Testperson", name, "9", "1", "low", "free_school_meals (1): eligible for free school meals (as at 2025-10-01)",
			"added", "'=HYPERLINK(\"http://x\")", "", "hub-admin"}
	}
	want := [][]string{
		{"pupil_id", "upn", "legal_surname", "legal_forename", "year_group", "score", "band", "factors", "review", "review_reason", "review_on", "reviewed_by"},
		row(first), row(second), row("added"),
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("risk list (-want +got):\n%s", diff)
	}
	if _, err := read(servicetest.OtherLeader); connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("another school's leader: %v, want NotFound", err)
	}
}

// TestEvidenceFactors: the factors beyond the first nine go in and come
// out through the API and a CSV import, and score.
func TestEvidenceFactors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	leader := e.client(servicetest.CareersLeader)
	flag := func(v bool) *pupilv1.FlagFactor { return &pupilv1.FlagFactor{Value: v, AsAt: "2025-10-01"} }
	p := newPupil()
	p.RiskFactors = &pupilv1.RiskFactors{
		PriorAttainment: &pupilv1.AttainmentFactor{Ks2Reading: 96, Ks2Maths: 101, AsAt: "2025-07-08"},
		ChildInNeed:     flag(true), AlternativeProvision: flag(false), YouthJustice: flag(false),
		YoungParent: flag(false), HomeEducated: flag(false), MentalHealth: flag(true),
		LookedAfter: &pupilv1.CareFactor{Status: pupilv1.CareStatus_CARE_STATUS_EVER_LOOKED_AFTER, AsAt: "2025-10-01"},
	}
	created, err := leader.CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: newKey(), Pupil: p})
	if err != nil {
		t.Fatal(err)
	}
	read, err := leader.GetPupil(ctx, &pupilv1.GetPupilRequest{Id: created.GetPupil().GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p.GetRiskFactors(), read.GetPupil().GetRiskFactors(), protocmp.Transform()); diff != "" {
		t.Errorf("factors read back (-want +got):\n%s", diff)
	}
	var got []string
	for _, c := range read.GetPupil().GetRisk().GetContributions() {
		got = append(got, fmt.Sprintf("%s %d", c.GetFactor(), c.GetWeight()))
	}
	if diff := cmp.Diff([]string{"looked_after 1", "prior_attainment 2", "child_in_need 2", "mental_health 1"}, got); diff != "" {
		t.Errorf("contributions (-want +got):\n%s", diff)
	}

	// The CSV's columns for them; an old file's previously_looked_after
	// reads as ever looked after.
	rest := "336400125077"
	csv := "upn,legal_surname,legal_forename,date_of_birth,school_urn,risk_as_at,looked_after,child_in_need,alternative_provision,youth_justice,young_parent,home_educated,mental_health\n" +
		string(upn.CheckLetter(rest)) + rest + ",Testperson,Bea,2011-10-01,100001,2025-10-01,previously_looked_after,0,1,yes,N,true,false\n"
	res, err := e.importFile(ctx, servicetest.CareersLeader, csvHeader(), []byte(csv), 1<<16)
	if err != nil || res.GetInserted() != 1 {
		t.Fatalf("import: %v (err %v)", res, err)
	}
	members, err := leader.ListCohortPupils(ctx, &pupilv1.ListCohortPupilsRequest{SchoolUrn: "100001", YearGroup: 9, AcademicYear: "2025/26"})
	if err != nil || len(members.GetPupils()) != 1 {
		t.Fatalf("cohort: %v (err %v)", members, err)
	}
	f := members.GetPupils()[0].GetRiskFactors()
	if f.GetLookedAfter().GetStatus() != pupilv1.CareStatus_CARE_STATUS_EVER_LOOKED_AFTER || f.GetChildInNeed().GetValue() ||
		!f.GetAlternativeProvision().GetValue() || !f.GetYouthJustice().GetValue() || f.GetYoungParent().GetValue() ||
		!f.GetHomeEducated().GetValue() || f.GetMentalHealth().GetValue() || f.GetMentalHealth().GetAsAt() != "2025-10-01" {
		t.Errorf("imported factors = %v", f)
	}
}
