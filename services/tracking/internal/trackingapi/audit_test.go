package trackingapi_test

import (
	"context"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/timestamppb"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1/trackingv1connect"
	"github.com/nextstep-uk/nextstep/services/kit/audit"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

func TestAuditLog(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	pupil := e.pupilAt(t, "100001")
	before := time.Now().Add(-time.Minute)
	record(t, e, servicetest.Caseworker, destination(pupil, confirmed, "130", "2026-09-01"))

	// A read of the pupil's data, with a purpose.
	readCtx, call := connect.NewClientContext(ctx)
	call.RequestHeader().Set(audit.PurposeHeader, "caseload review")
	if _, err := e.client(servicetest.Caseworker).GetLatestDestinations(readCtx, &trackingv1.GetLatestDestinationsRequest{PupilIds: []string{pupil}}); err != nil {
		t.Fatal(err)
	}
	// Reads of no personal data are not audited.
	if _, err := e.client(servicetest.Analyst).ListActivityCodes(ctx, &trackingv1.ListActivityCodesRequest{}); err != nil {
		t.Fatal(err)
	}

	admin := e.client(servicetest.HubAdmin)
	res, err := admin.ListAuditEvents(ctx, &trackingv1.ListAuditEventsRequest{Target: "pupil:" + pupil, Since: timestamppb.New(before)})
	if err != nil {
		t.Fatal(err)
	}
	// Each event names the verified subject and who vouched for it: the
	// development tokens' issuer here.
	type row struct {
		Subject, Issuer, Procedure, Purpose, Outcome string
		Targets                                      []string
		TargetCount                                  int32
	}
	var got []row
	for _, ev := range res.GetEvents() {
		got = append(got, row{ev.GetSubject(), ev.GetIssuer(), ev.GetProcedure(), ev.GetPurpose(), ev.GetOutcome(), ev.GetTargets(), ev.GetTargetCount()})
	}
	want := []row{
		{"caseworker", servicetest.Issuer(), trackingv1connect.TrackingServiceGetLatestDestinationsProcedure, "caseload review", "ok", []string{"pupil:" + pupil}, 1},
		{"caseworker", servicetest.Issuer(), trackingv1connect.TrackingServiceRecordDestinationProcedure, "", "ok", []string{"pupil:" + pupil}, 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("audit of the pupil, newest first (-want +got):\n%s", diff)
	}

	// Pages, by subject.
	var all []int64
	token := ""
	for {
		page, err := admin.ListAuditEvents(ctx, &trackingv1.ListAuditEventsRequest{Subject: "caseworker", PageSize: 1, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range page.GetEvents() {
			all = append(all, ev.GetId())
		}
		if token = page.GetNextPageToken(); token == "" {
			break
		}
	}
	if len(all) != 2 || all[0] <= all[1] {
		t.Errorf("paged ids = %v, want two, newest first", all)
	}
	// Nothing before the time range.
	empty, err := admin.ListAuditEvents(ctx, &trackingv1.ListAuditEventsRequest{Until: timestamppb.New(before)})
	if err != nil || len(empty.GetEvents()) != 0 {
		t.Errorf("events before the range: %v (err %v)", empty.GetEvents(), err)
	}
	_, err = e.client(servicetest.Caseworker).ListAuditEvents(ctx, &trackingv1.ListAuditEventsRequest{})
	checkCode(t, err, connect.CodePermissionDenied, 0)
}

// TestAuditLogIsReadWithinScope: a hub admin reads the events that touched
// their hub's records, and of each only those records; another hub's admin
// sees none of them.
func TestAuditLogIsReadWithinScope(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	ours, theirs := e.pupilAt(t, "100003"), e.pupilAt(t, "100009") // LA 330 (hub wmca), LA 201 (hub london)
	record(t, e, servicetest.HubAdmin, destination(ours, confirmed, "130", "2026-09-01"))
	record(t, e, servicetest.OtherHubAdmin, destination(theirs, confirmed, "130", "2026-09-01"))
	// One read that touches both.
	if _, err := e.client(servicetest.Service).GetLatestDestinations(ctx, &trackingv1.GetLatestDestinationsRequest{PupilIds: []string{ours, theirs}}); err != nil {
		t.Fatal(err)
	}
	// A refused call touches nothing, so it belongs to no hub.
	_, err := e.client(servicetest.Caseworker).ListAuditEvents(ctx, &trackingv1.ListAuditEventsRequest{})
	checkCode(t, err, connect.CodePermissionDenied, 0)

	type row struct {
		Procedure   string
		Targets     []string
		TargetCount int32
	}
	read := func(caller string, req *trackingv1.ListAuditEventsRequest) []row {
		t.Helper()
		res, err := e.client(caller).ListAuditEvents(ctx, req)
		if err != nil {
			t.Fatalf("ListAuditEvents as %s: %v", caller, err)
		}
		var got []row
		for _, ev := range res.GetEvents() {
			got = append(got, row{ev.GetProcedure(), ev.GetTargets(), ev.GetTargetCount()})
		}
		return got
	}
	for _, c := range []struct {
		caller, pupil, other string
	}{{servicetest.HubAdmin, ours, theirs}, {servicetest.OtherHubAdmin, theirs, ours}} {
		want := []row{
			{trackingv1connect.TrackingServiceGetLatestDestinationsProcedure, []string{"pupil:" + c.pupil}, 1},
			{trackingv1connect.TrackingServiceRecordDestinationProcedure, []string{"pupil:" + c.pupil}, 1},
		}
		if diff := cmp.Diff(want, read(c.caller, &trackingv1.ListAuditEventsRequest{})); diff != "" {
			t.Errorf("%s reads (-want +got):\n%s", c.caller, diff)
		}
		// Asking for the other hub's pupil by name finds nothing.
		if got := read(c.caller, &trackingv1.ListAuditEventsRequest{Target: "pupil:" + c.other}); len(got) != 0 {
			t.Errorf("%s reads events of another hub's pupil: %v", c.caller, got)
		}
	}
}
