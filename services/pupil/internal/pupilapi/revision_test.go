package pupilapi_test

import (
	"context"
	"slices"
	"testing"

	"connectrpc.com/connect"

	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

func TestGetSchoolRevision(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	service := e.client(servicetest.Service)
	revision := func(urn string) int64 {
		t.Helper()
		res, err := service.GetSchoolRevision(ctx, &pupilv1.GetSchoolRevisionRequest{SchoolUrn: urn})
		if err != nil {
			t.Fatalf("GetSchoolRevision %s: %v", urn, err)
		}
		return res.GetRevision()
	}

	// Registering the school was its first write.
	if got := revision("100001"); got != 1 {
		t.Errorf("revision of a school just registered: %d, want 1", got)
	}
	if got := revision("999999"); got != 0 {
		t.Errorf("revision of a school never registered: %d, want 0", got)
	}

	// A pupil registered and then reviewed moves the counter each time;
	// another school's stays where it was.
	before, other := revision("100001"), revision("100002")
	created, err := e.client(servicetest.CareersLeader).CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: key1, Pupil: newPupil()})
	if err != nil {
		t.Fatal(err)
	}
	afterCreate := revision("100001")
	if afterCreate <= before {
		t.Errorf("CreatePupil left the revision at %d", afterCreate)
	}
	_, err = e.client(servicetest.Caseworker).ReviewRisk(ctx, &pupilv1.ReviewRiskRequest{PupilId: created.GetPupil().GetId(),
		Review: &pupilv1.RiskReview{Decision: pupilv1.RiskDecision_RISK_DECISION_ADDED, Reason: "known to the youth offending team"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := revision("100001"); got <= afterCreate {
		t.Errorf("ReviewRisk left the revision at %d", got)
	}
	if got := revision("100002"); got != other {
		t.Errorf("another school's revision moved from %d to %d", other, got)
	}
	// Reading changes nothing.
	if _, err := e.snapshot(t, servicetest.Service, &pupilv1.GetCohortSnapshotRequest{SchoolUrn: "100001", YearGroup: 7, AcademicYear: "2025/26"}); err != nil {
		t.Fatal(err)
	}
	if a, b := revision("100001"), revision("100001"); a != b {
		t.Errorf("reads moved the revision: %d, then %d", a, b)
	}

	cases := map[string]struct {
		token    string
		urn      string
		wantCode connect.Code
	}{
		// Only services may ask; a person's role is refused before the
		// handler, so scope (0 outside it, store.SchoolRevision) is never
		// reached by one.
		"caseworker may not":     {token: servicetest.Caseworker, urn: "100001", wantCode: connect.CodePermissionDenied},
		"hub admin may not":      {token: servicetest.HubAdmin, urn: "100001", wantCode: connect.CodePermissionDenied},
		"careers leader may not": {token: servicetest.CareersLeader, urn: "100001", wantCode: connect.CodePermissionDenied},
		"analyst may not":        {token: servicetest.Analyst, urn: "100001", wantCode: connect.CodePermissionDenied},
		"not a URN":              {token: servicetest.Service, urn: "10001", wantCode: connect.CodeInvalidArgument},
		"no URN":                 {token: servicetest.Service, urn: "", wantCode: connect.CodeInvalidArgument},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := e.client(tc.token).GetSchoolRevision(ctx, &pupilv1.GetSchoolRevisionRequest{SchoolUrn: tc.urn})
			if got := connect.CodeOf(err); got != tc.wantCode {
				t.Errorf("code = %v, want %v (err %v)", got, tc.wantCode, err)
			}
		})
	}
}

// TestGetSchoolRevisionNotAudited checks that the read leaves no trace in
// the audit log: it is a number, not personal data.
func TestGetSchoolRevisionNotAudited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	count := func() int {
		t.Helper()
		var n int
		if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM pupil.audit_events`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	if _, err := e.client(servicetest.Service).GetSchoolRevision(ctx, &pupilv1.GetSchoolRevisionRequest{SchoolUrn: "100001"}); err != nil {
		t.Fatal(err)
	}
	if after := count(); after != before {
		t.Errorf("audit events %d after the call, %d before", after, before)
	}
}

// The change feed names a school a write moved, from the position it gave
// before the write; only the service may follow it.
func TestListSchoolChanges(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	service := e.client(servicetest.Service)
	start, err := service.ListSchoolChanges(ctx, &pupilv1.ListSchoolChangesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if start.GetPosition() == "" || len(start.GetSchoolUrns()) != 0 {
		t.Fatalf("from no position: %v, want a position and no school", start)
	}
	if _, err := e.client(servicetest.CareersLeader).CreatePupil(ctx, &pupilv1.CreatePupilRequest{IdempotencyKey: key1, Pupil: newPupil()}); err != nil {
		t.Fatal(err)
	}
	res, err := service.ListSchoolChanges(ctx, &pupilv1.ListSchoolChangesRequest{After: start.GetPosition()})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(res.GetSchoolUrns(), "100001") || res.GetTruncated() || res.GetPosition() == start.GetPosition() {
		t.Errorf("after a pupil registered at 100001: %v, want it listed and a new position", res)
	}
	if _, err := service.ListSchoolChanges(ctx, &pupilv1.ListSchoolChangesRequest{After: "not a position"}); connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Errorf("from a position no answer gave: %v, want InvalidArgument", err)
	}
	for _, token := range []string{servicetest.Caseworker, servicetest.HubAdmin, servicetest.CareersLeader, servicetest.Analyst} {
		if _, err := e.client(token).ListSchoolChanges(ctx, &pupilv1.ListSchoolChangesRequest{}); connect.CodeOf(err) != connect.CodePermissionDenied {
			t.Errorf("%s: %v, want PermissionDenied", token, err)
		}
	}
}
