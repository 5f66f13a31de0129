package trackingapi_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

const (
	low    = trackingv1.Priority_PRIORITY_LOW
	normal = trackingv1.Priority_PRIORITY_NORMAL
	high   = trackingv1.Priority_PRIORITY_HIGH
	urgent = trackingv1.Priority_PRIORITY_URGENT
)

// queue is a region's queue: each task's summary names it, so tests can
// compare lists by name.
type queue struct {
	e                        env
	heath, sandwell, faraway *cohort
}

func seedQueue(t *testing.T) queue {
	t.Helper()
	q := queue{e: start(t), heath: heathPark(), sandwell: sandwell(), faraway: elsewhere()}
	mk := func(name, reason string, p trackingv1.Priority, due string) *trackingv1.DesiredIntervention {
		d := withPriority(desired(newID(t), reason, due), p)
		d.Summary = name
		return d
	}
	q.heath.sync(t, q.e,
		mk("h-normal-late", "BEHIND_TRAJECTORY", normal, "2028-03-01"),
		mk("h-urgent-overdue", "DESTINATION_UNKNOWN", urgent, "2020-01-01"),
		mk("h-normal-soon", "BEHIND_TRAJECTORY", normal, "2028-01-01"),
		mk("h-low", "BEHIND_TRAJECTORY", low, "2021-01-01"),
		mk("h-high", "AT_RISK_OF_NEET", high, "2028-02-01"),
	)
	q.sandwell.sync(t, q.e,
		mk("s-urgent", "DESTINATION_UNKNOWN", urgent, "2028-01-01"),
		mk("s-normal", "BEHIND_TRAJECTORY", normal, "2020-06-01"),
	)
	q.faraway.sync(t, q.e, mk("f-high", "AT_RISK_OF_NEET", high, "2028-01-01"))
	return q
}

func names(tasks []*trackingv1.Task) []string {
	out := []string{}
	for _, t := range tasks {
		out = append(out, t.GetSummary())
	}
	return out
}

func TestQueueFiltersAndOrder(t *testing.T) {
	t.Parallel()
	q := seedQueue(t)
	cases := map[string]struct {
		token string
		req   *trackingv1.ListTasksRequest
		want  []string
	}{
		"caseworker sees the LA, most urgent first": {token: servicetest.Caseworker, req: &trackingv1.ListTasksRequest{},
			want: []string{"h-urgent-overdue", "h-high", "h-normal-soon", "h-normal-late", "h-low"}},
		"hub admin sees the hub's LAs": {token: servicetest.HubAdmin, req: &trackingv1.ListTasksRequest{},
			want: []string{"h-urgent-overdue", "s-urgent", "h-high", "s-normal", "h-normal-soon", "h-normal-late", "h-low"}},
		"hub admin narrows to one LA": {token: servicetest.HubAdmin, req: &trackingv1.ListTasksRequest{LaCode: "330"},
			want: []string{"s-urgent", "s-normal"}},
		"filters cannot widen scope": {token: servicetest.Caseworker, req: &trackingv1.ListTasksRequest{LaCode: "201"}, want: []string{}},
		"careers leader sees the school": {token: servicetest.CareersLeader, req: &trackingv1.ListTasksRequest{Priority: normal},
			want: []string{"h-normal-soon", "h-normal-late"}},
		"another school sees none": {token: servicetest.OtherLeader, req: &trackingv1.ListTasksRequest{}, want: []string{}},
		"by reason": {token: servicetest.Service, req: &trackingv1.ListTasksRequest{ReasonCode: "AT_RISK_OF_NEET"},
			want: []string{"f-high", "h-high"}},
		"overdue": {token: servicetest.HubAdmin, req: &trackingv1.ListTasksRequest{OverdueOnly: true},
			want: []string{"h-urgent-overdue", "s-normal", "h-low"}},
		"by school": {token: servicetest.Service, req: &trackingv1.ListTasksRequest{SchoolUrn: "100003"},
			want: []string{"s-urgent", "s-normal"}},
		"closed ones on request": {token: servicetest.Service, req: &trackingv1.ListTasksRequest{Statuses: []trackingv1.TaskStatus{trackingv1.TaskStatus_TASK_STATUS_CLOSED}},
			want: []string{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, err := q.e.client(tc.token).ListTasks(context.Background(), tc.req)
			if err != nil {
				t.Fatalf("ListTasks: %v", err)
			}
			if diff := cmp.Diff(tc.want, names(res.GetTasks())); diff != "" {
				t.Errorf("queue (-want +got):\n%s", diff)
			}
		})
	}
}

func TestQueueByAssignee(t *testing.T) {
	t.Parallel()
	q := seedQueue(t)
	ctx := context.Background()
	cw := q.e.client(servicetest.Caseworker)
	all, err := cw.ListTasks(ctx, &trackingv1.ListTasksRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range all.GetTasks()[1:3] {
		req := assign("caseworker")
		req.TaskId, req.Version = task.GetId(), task.GetVersion()
		if _, err := cw.UpdateTask(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	mine, err := cw.ListTasks(ctx, &trackingv1.ListTasksRequest{Assignee: "caseworker"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"h-high", "h-normal-soon"}, names(mine.GetTasks())); diff != "" {
		t.Errorf("my queue (-want +got):\n%s", diff)
	}
	counts, err := cw.CountTasks(ctx, &trackingv1.CountTasksRequest{})
	if err != nil {
		t.Fatal(err)
	}
	want := &trackingv1.CountTasksResponse{
		Counts: []*trackingv1.OpenCount{
			{ReasonCode: "AT_RISK_OF_NEET", Priority: high, Open: 1},
			{ReasonCode: "BEHIND_TRAJECTORY", Priority: normal, Open: 2},
			{ReasonCode: "BEHIND_TRAJECTORY", Priority: low, Open: 1, Overdue: 1},
			{ReasonCode: "DESTINATION_UNKNOWN", Priority: urgent, Open: 1, Overdue: 1},
		},
		Open: 5, Overdue: 2, Unassigned: 3,
	}
	if diff := cmp.Diff(want, counts, protocmp.Transform()); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	// Analysts see counts, never tasks.
	if _, err := q.e.client(servicetest.Analyst).CountTasks(ctx, &trackingv1.CountTasksRequest{}); err != nil {
		t.Errorf("analyst CountTasks: %v", err)
	}
}

// TestQueuePaginationIsStable pages through the queue while the reconciler
// raises and clears tasks: every task present throughout is returned once,
// in order.
func TestQueuePaginationIsStable(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := heathPark()
	var set []*trackingv1.DesiredIntervention
	for i := range 23 {
		d := withPriority(desired(newID(t), "BEHIND_TRAJECTORY", fmt.Sprintf("2028-01-%02d", i%5+1)), trackingv1.Priority(i%4+1))
		d.Summary = fmt.Sprintf("task-%02d", i)
		set = append(set, d)
	}
	c.sync(t, e, set...)
	ctx := context.Background()
	cw := e.client(servicetest.Caseworker)
	full, err := cw.ListTasks(ctx, &trackingv1.ListTasksRequest{PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	want := names(full.GetTasks())

	var got []string
	token := ""
	for page := 0; ; page++ {
		res, err := cw.ListTasks(ctx, &trackingv1.ListTasksRequest{PageSize: 5, PageToken: token})
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		got = append(got, names(res.GetTasks())...)
		if page == 1 {
			// Between pages: the first task returned clears, and a new urgent
			// one appears ahead of the cursor. Neither shifts what follows.
			var keep []*trackingv1.DesiredIntervention
			for _, d := range set {
				if d.GetSummary() != want[0] {
					keep = append(keep, d)
				}
			}
			req := c.request(append(keep, withPriority(desired(newID(t), "DESTINATION_UNKNOWN", "2028-01-01"), urgent))...)
			req.MaxCloseFraction = 1
			if _, err := e.client(servicetest.Service).SyncInterventions(ctx, req); err != nil {
				t.Fatal(err)
			}
		}
		token = res.GetNextPageToken()
		if token == "" {
			break
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
	_, err = cw.ListTasks(ctx, &trackingv1.ListTasksRequest{PageToken: "not-a-token"})
	checkCode(t, err, 3, 0) // InvalidArgument
}
