package browsertest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/pupil/pupiltest"
)

// TestYearGroupTask: a Year 9 mostly behind has one task for the year group
// (as the reconciler raises it), besides a pupil's own. The queue marks it
// "Whole year group", its page says what it stands for and links to the
// year group's figures instead of a young person, and the overview counts
// the year groups with a task as a whole before the tasks themselves.
func TestYearGroupTask(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	own := s.seedTask(t, schoolA, "BEHIND_TRAJECTORY", trackingv1.Priority_PRIORITY_NORMAL, "1 of 5 expected days", nil)
	ctx := context.Background()
	svc := s.tracking(servicetest.Service)
	s.pass[schoolA]++
	due := time.Now().AddDate(0, 0, 20).Format(time.DateOnly)
	_, err := svc.SyncInterventions(ctx, &trackingv1.SyncInterventionsRequest{
		CohortKey: "hub/school-" + schoolA + "-y9", SchoolUrn: schoolA, LaCode: pupiltest.Schools[schoolA], PassToken: s.pass[schoolA],
		Desired: []*trackingv1.DesiredIntervention{
			{PupilId: own.GetPupilId(), ReasonCode: own.GetReasonCode(), Priority: own.GetPriority(), DueDate: own.GetDueDate(), Summary: own.GetSummary()},
			{ReasonCode: "BEHIND_TRAJECTORY", Priority: trackingv1.Priority_PRIORITY_NORMAL, DueDate: due,
				Summary: "180 of 200 pupils on roll are behind the work-experience trajectory; expected 6 days by now, mean credited 1.5",
				Evidence: map[string]string{"level": "cohort", "pupils": "180", "on_roll": "200", "individual": "1", "year_group": "9",
					"days_expected": "6", "mean_days_credited": "1.5"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, s)
	b.signIn(caseworker)

	b.open("/queue")
	if got := b.text("#tasks tbody"); !strings.Contains(got, "Whole year group") || !strings.Contains(got, "180 of 200 pupils") {
		t.Errorf("queue: %q", got)
	}
	b.checkAccessible("queue with a year group's task")
	b.open("/overview")
	if got := b.text("#overview-cohort-level"); !strings.HasPrefix(got, "1") {
		t.Errorf("year groups with a task as a whole: %q", got)
	}

	list, err := svc.ListTasks(ctx, &trackingv1.ListTasksRequest{CohortKey: "hub/school-" + schoolA + "-y9"})
	if err != nil {
		t.Fatal(err)
	}
	var id string
	for _, tk := range list.GetTasks() {
		if tk.GetPupilId() == "" {
			id = tk.GetId()
		}
	}
	if status := b.open("/tasks/" + id); status != 200 {
		t.Fatalf("the year group's task: status %d", status)
	}
	if got := b.text("#year-group"); !strings.Contains(got, "Year 9 at school "+schoolA+" as a whole") {
		t.Errorf("year group: %q", got)
	}
	if got := b.text("#why"); !strings.Contains(got, "180 of the 200 pupils on roll") || !strings.Contains(got, "the year group's mean is 1.5") {
		t.Errorf("why: %q", got)
	}
	b.checkAccessible("a year group's task")
	b.submit("#year-group-pupils")
	if got := b.path(); got != "/cohorts?school="+schoolA+"&year=9" {
		t.Fatalf("the year group's pupils at %s", got)
	}
	// The pupil the stack enrolled is in the year group their date of
	// birth puts them in this year; its list has them.
	year := s.pupil(t, own.GetPupilId()).GetYearGroup()
	b.open(fmt.Sprintf("/cohorts?school=%s&year=%d", schoolA, year))
	if got := b.text("#cohort-pupils tbody"); !strings.Contains(got, "Testpupil") {
		t.Errorf("Year %d's pupils: %q", year, got)
	}
	b.checkAccessible("a year group's pupils")
	// Another LA's school's year group is not found.
	if status := b.open(fmt.Sprintf("/cohorts?school=100003&year=%d", year)); status != 404 {
		t.Errorf("another LA's school: status %d, want 404", status)
	}
}
