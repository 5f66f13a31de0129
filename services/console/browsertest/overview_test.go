package browsertest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/console/internal/web"
)

// TestOverviewOfASchool: a caseworker's overview counts the tasks of each
// school in their area; choosing a school shows its cohort's destinations
// known, risk bands and experiences of work, as counts only.
func TestOverviewOfASchool(t *testing.T) {
	t.Parallel()
	// Logistics is a growth sector here: the one place this year is in it.
	s := newStack(t, func(c *web.Config) { c.GrowthSectors = []placementv1.Sector{placementv1.Sector_SECTOR_LOGISTICS} })
	tasks := s.seedTasks(t, schoolA, []seed{
		{"AT_RISK_OF_NEET", trackingv1.Priority_PRIORITY_HIGH, "risk score 3", nil},
		{"DESTINATION_UNKNOWN", trackingv1.Priority_PRIORITY_URGENT, "destination not known", nil},
	})
	s.seedTask(t, schoolB, "BEHIND_TRAJECTORY", trackingv1.Priority_PRIORITY_LOW, "2 of 4 expected days", nil)
	atRisk, known := tasks[0].GetPupilId(), tasks[1].GetPupilId()
	s.setRiskFactors(t, atRisk) // 3 points: medium
	s.seedExperience(t, atRisk, "Two days at the depot")
	s.recordDestination(t, known, "230", time.Now().Format(time.DateOnly), "")
	year := s.pupil(t, atRisk).GetYearGroup()
	b := newBrowser(t, s)
	b.signIn(caseworker)

	b.open("/overview")
	if got := b.text("#overview-open"); got != "3" {
		t.Errorf("active tasks = %q, want 3", got)
	}
	if n := b.count("#schools tbody tr"); n != 2 {
		t.Errorf("%d schools in the table, want the caseworker's 2", n)
	}
	if got := b.text("#schools tbody tr:first-child"); !strings.Contains(got, "School "+schoolA) || !strings.Contains(got, "1\t1") {
		t.Errorf("school A's row: %q", got)
	}
	// The one place this year is with a large employer, in logistics.
	if got := b.text("#engagement-sme"); got != "0%" {
		t.Errorf("places with SMEs = %q, want 0%%", got)
	}
	if got := b.text("#engagement-growth"); got != "100%" {
		t.Errorf("places in growth sectors = %q, want 100%%", got)
	}
	b.checkAccessible("overview, by school")

	b.open(fmt.Sprintf("/overview?school=%s&year=%d", schoolA, year))
	for sel, want := range map[string]string{
		"#cohort-on-roll": "2", "#cohort-known": "1 (50%)", "#band-medium": "1", "#band-low": "1", "#band-high": "0",
		// School B's pupil behind the trajectory is not this cohort's.
		"#cohort-on-track": "2 (100%); 0 behind the trajectory", "#cohort-experienced": "1 (50%; the hub's target is 90%)",
		// The pupil with the experience is on free school meals: the one
		// disadvantaged pupil, against the rest's none.
		"#cohort-gap": "1 of 1 (100%); the rest 0%", "#cohort-encountered": "0 (0%)",
	} {
		if got := b.text(sel); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if got := b.text("#cohort"); !strings.Contains(got, "With any experience of work\t1") {
		t.Errorf("cohort: %q", got)
	}
	if strings.Contains(b.text("main"), "Testpupil") {
		t.Error("the overview names a young person")
	}
	b.checkAccessible("overview of a school")

	if status := b.open("/overview?la=33&year=6"); status != http.StatusBadRequest {
		t.Errorf("a bad filter: %d", status)
	}
	if n := b.count(".govuk-error-summary a[href='#la'], .govuk-error-summary a[href='#year']"); n != 2 {
		t.Errorf("the error summary names %d fields, want 2", n)
	}
	b.checkAccessible("overview with errors")
}
