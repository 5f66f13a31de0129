package trackingapi_test

import (
	"context"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

// TestTrackingFollowsResidence: a young person at Heath Park (school
// 100001, LA 336) who lives in LA 330 is 330's to track, and one who moves
// there takes their tasks and their history with them. 336, the LA of the
// school, keeps sight of its own pupils; LA 201 never sees them.
func TestTrackingFollowsResidence(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	c := heathPark()
	mover := e.pupilAt(t, "100001")

	queue := func(token string) []string {
		t.Helper()
		res, err := e.client(token).ListTasks(ctx, &trackingv1.ListTasksRequest{PupilId: mover})
		if err != nil {
			t.Fatalf("ListTasks as %s: %v", token, err)
		}
		var las []string
		for _, task := range res.GetTasks() {
			las = append(las, task.GetLaCode())
		}
		return las
	}
	history := func(token string) int {
		t.Helper()
		res, err := e.client(token).ListDestinations(ctx, &trackingv1.ListDestinationsRequest{PupilId: mover})
		if err != nil {
			t.Fatalf("ListDestinations as %s: %v", token, err)
		}
		return len(res.GetDestinations())
	}

	// Before a residence is recorded the school's LA stands in.
	record(t, e, servicetest.Caseworker, destination(mover, confirmed, "210", "2026-05-01"))
	c.sync(t, e, desired(mover, "DESTINATION_UNKNOWN", "2026-06-15"))
	if got := queue(servicetest.Caseworker); len(got) != 1 || got[0] != "336" {
		t.Fatalf("336's queue before the move: %v", got)
	}
	if got := queue(servicetest.OtherCaseworker); len(got) != 0 {
		t.Errorf("330's queue before the move: %v", got)
	}
	_, err := e.client(servicetest.OtherCaseworker).RecordDestination(ctx, &trackingv1.RecordDestinationRequest{
		IdempotencyKey: newID(t), Destination: destination(mover, confirmed, "230", "2026-05-20"),
	})
	checkCode(t, err, connect.CodeNotFound, 0)

	// They move to LA 330: the next pass puts the task in 330's queue.
	e.pupils.Reside(t, mover, "330", "2026-05-10")
	res := c.sync(t, e, desired(mover, "DESTINATION_UNKNOWN", "2026-06-15"))
	if res.GetUpdated() != 1 {
		t.Errorf("the pass after the move updated %d tasks, want 1", res.GetUpdated())
	}
	if got := queue(servicetest.OtherCaseworker); len(got) != 1 || got[0] != "330" {
		t.Errorf("330's queue after the move: %v", got)
	}
	if got := queue(servicetest.Caseworker); len(got) != 0 {
		t.Errorf("336's queue after the move: %v", got)
	}

	// 330 records and reads their activity, the record made before the
	// move included; 336 still sees its pupil; 201 sees nothing.
	d := record(t, e, servicetest.OtherCaseworker, destination(mover, confirmed, "230", "2026-05-20"))
	if d.GetLaCode() != "330" || d.GetSchoolUrn() != "100001" {
		t.Errorf("recorded at school %s, LA %s; want 100001 and 330", d.GetSchoolUrn(), d.GetLaCode())
	}
	for token, want := range map[string]int{servicetest.OtherCaseworker: 2, servicetest.Caseworker: 2, servicetest.OtherHubAdmin: 0} {
		if got := history(token); got != want {
			t.Errorf("%s reads %d destinations, want %d", token, got, want)
		}
	}
	latest, err := e.client(servicetest.OtherCaseworker).GetLatestDestinations(ctx, &trackingv1.GetLatestDestinationsRequest{PupilIds: []string{mover}})
	if err != nil {
		t.Fatal(err)
	}
	if got := latest.GetDestinations()[0].GetDestination().GetActivityCode(); got != "230" {
		t.Errorf("330's latest destination for its resident: %q, want 230", got)
	}
}

// TestExportFollowsResidence: a young person's latest record says where they
// were when it was written; the export says where they are now. One who
// moves from 336 to 330 with no record since is in 330's export under 330,
// and in 336's no longer, whoever asks and however they filter.
func TestExportFollowsResidence(t *testing.T) {
	t.Parallel()
	e := start(t)
	stayer, mover := e.pupilAt(t, "100001"), e.pupilAt(t, "100001")
	record(t, e, servicetest.Caseworker, destination(stayer, confirmed, "230", "2026-09-01"))
	record(t, e, servicetest.Caseworker, destination(mover, confirmed, "440", "2026-09-01"))
	e.pupils.Reside(t, mover, "330", "2026-10-01")

	exported := func(token, la string) map[string]string {
		t.Helper()
		rows := exportRows(t, e, token, &trackingv1.ExportDestinationsRequest{LaCode: la})
		byID := map[string]string{}
		for _, row := range rows[1:] {
			byID[row[0]] = row[1] // pupil_id: la_code
		}
		return byID
	}
	for _, c := range []struct {
		token, la string
		want      map[string]string
	}{
		{servicetest.Caseworker, "", map[string]string{stayer: "336"}},
		{servicetest.OtherCaseworker, "", map[string]string{mover: "330"}},
		{servicetest.OtherCaseworker, "330", map[string]string{mover: "330"}},
		{servicetest.OtherCaseworker, "336", map[string]string{}},
		{servicetest.HubAdmin, "336", map[string]string{stayer: "336"}},
		{servicetest.HubAdmin, "330", map[string]string{mover: "330"}},
		{servicetest.OtherHubAdmin, "", map[string]string{}},
	} {
		if diff := cmp.Diff(c.want, exported(c.token, c.la)); diff != "" {
			t.Errorf("%s's export of LA %q (-want +got):\n%s", c.token, c.la, diff)
		}
	}
}
