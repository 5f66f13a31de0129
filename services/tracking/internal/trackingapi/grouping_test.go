package trackingapi_test

import (
	"context"
	"testing"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
)

// TestCohortLevelTask: six pupils behind each have a task; the next pass
// asks for the cohort's own task instead. Their tasks close as grouped into
// it (not held, though all six close at once), the cohort's task names no
// pupil and sits in the school's LA, where the caseworker sees it, and a
// looked-after pupil asked for by name keeps theirs. When the share falls,
// the cohort's task closes and the pupils still behind get their own.
func TestCohortLevelTask(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	c := heathPark()
	var pupils []string
	var each []*trackingv1.DesiredIntervention
	for range 6 {
		p := e.pupilAt(t, "100001")
		pupils = append(pupils, p)
		each = append(each, desired(p, "BEHIND_TRAJECTORY", "2026-12-15"))
	}
	if res := c.sync(t, e, each...); res.GetCreated() != 6 {
		t.Fatalf("first pass created %d, want 6", res.GetCreated())
	}

	group := desired("", "BEHIND_TRAJECTORY", "2026-12-20")
	group.Summary = "6 of 6 pupils are behind the trajectory; expected 6 days by now, mean credited 1.5"
	keeps := desired(pupils[0], "BEHIND_TRAJECTORY", "2026-12-15") // looked after: keeps their own
	req := c.request(group, keeps)
	req.MaxCloseFraction = 0.1
	res, err := e.client(servicetest.Service).SyncInterventions(ctx, req)
	if err != nil {
		t.Fatalf("the grouping pass: %v", err)
	}
	if res.GetGrouped() != 5 || res.GetClosed() != 0 || res.GetCreated() != 1 || res.GetUnchanged() != 1 {
		t.Errorf("grouping pass: %v, want 5 grouped, 1 created, 1 unchanged", res)
	}
	list, err := e.client(servicetest.Caseworker).ListTasks(ctx, &trackingv1.ListTasksRequest{CohortKey: c.key})
	if err != nil {
		t.Fatal(err)
	}
	var cohortTask *trackingv1.Task
	for _, tk := range list.GetTasks() {
		if tk.GetPupilId() == "" {
			cohortTask = tk
		}
	}
	if len(list.GetTasks()) != 2 || cohortTask == nil || cohortTask.GetLaCode() != "336" || cohortTask.GetSummary() != group.GetSummary() {
		t.Fatalf("active tasks after grouping: %v", list.GetTasks())
	}
	got, err := e.client(servicetest.Caseworker).GetTask(ctx, &trackingv1.GetTaskRequest{TaskId: cohortTask.GetId()})
	if err != nil || got.GetTask().GetPupilId() != "" {
		t.Fatalf("GetTask of the cohort's task: %v, %v", got, err)
	}
	counts, err := e.client(servicetest.Caseworker).CountTasks(ctx, &trackingv1.CountTasksRequest{SchoolUrn: "100001"})
	if err != nil || counts.GetOpen() != 2 || counts.GetCohortLevel() != 1 || counts.GetCounts()[0].GetCohortLevel() != 1 {
		t.Errorf("CountTasks: %v, %v; want 2 open, 1 of them the cohort's", counts, err)
	}
	grouped := onlyClosed(t, e, c, pupils[1])
	if h := grouped.GetHistory(); len(h) != 2 || h[1].GetText() != "grouped into the cohort's task" {
		t.Errorf("a grouped task's history: %v", h)
	}

	// Two pupils are still behind: the cohort's task closes as cleared and
	// theirs are raised again.
	res = c.sync(t, e, keeps, desired(pupils[1], "BEHIND_TRAJECTORY", "2026-12-15"))
	if res.GetClosed() != 1 || res.GetCreated() != 1 || res.GetGrouped() != 0 {
		t.Errorf("ungrouping pass: %v, want the cohort's task closed and one raised", res)
	}
}

// onlyClosed returns, with its history, the pupil's one closed task in the
// cohort.
func onlyClosed(t *testing.T, e env, c *cohort, pupil string) *trackingv1.GetTaskResponse {
	t.Helper()
	ctx := context.Background()
	res, err := e.client(servicetest.Service).ListTasks(ctx, &trackingv1.ListTasksRequest{CohortKey: c.key, PupilId: pupil,
		Statuses: []trackingv1.TaskStatus{trackingv1.TaskStatus_TASK_STATUS_CLOSED}})
	if err != nil || len(res.GetTasks()) != 1 {
		t.Fatalf("closed tasks of the pupil: %v, %v", res, err)
	}
	got, err := e.client(servicetest.Service).GetTask(ctx, &trackingv1.GetTaskRequest{TaskId: res.GetTasks()[0].GetId()})
	if err != nil {
		t.Fatal(err)
	}
	return got
}
