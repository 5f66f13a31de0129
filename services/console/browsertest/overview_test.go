package browsertest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/console/internal/web"
)

// TestOverviewOfASchool: a caseworker's overview counts the tasks of each
// school in their area; choosing a school shows its cohort's destinations
// known, risk bands and experiences of work, as counts only; the same
// figures download as CSV, without a young person in them.
func TestOverviewOfASchool(t *testing.T) {
	t.Parallel()
	// Logistics is a growth sector here.
	s := newStack(t, func(c *web.Config) { c.GrowthSectors = []placementv1.Sector{placementv1.Sector_SECTOR_LOGISTICS} })
	tasks := s.seedTasks(t, schoolA, []seed{
		{"AT_RISK_OF_NEET", trackingv1.Priority_PRIORITY_HIGH, "risk score 3", nil},
		{"DESTINATION_UNKNOWN", trackingv1.Priority_PRIORITY_URGENT, "destination not known", nil},
	})
	behind := s.seedTask(t, schoolB, "BEHIND_TRAJECTORY", trackingv1.Priority_PRIORITY_LOW, "2 of 4 expected days", nil)
	atRisk, known := tasks[0].GetPupilId(), tasks[1].GetPupilId()
	s.setRiskFactors(t, atRisk) // 3 points: medium
	// The two places this year: a large logistics firm and a small
	// digital one, both cornerstone employers of the hub.
	s.seedExperienceWith(t, atRisk, "Two days at the depot", &placementv1.Employer{
		Name: "Midlands Metro", Sector: placementv1.Sector_SECTOR_LOGISTICS, SizeBand: placementv1.SizeBand_SIZE_BAND_LARGE, Cornerstone: true,
	})
	s.seedExperienceWith(t, behind.GetPupilId(), "Two days of web design", &placementv1.Employer{
		Name: "Wolverhampton Web Ltd", Sector: placementv1.Sector_SECTOR_DIGITAL, SizeBand: placementv1.SizeBand_SIZE_BAND_SMALL, Cornerstone: true,
	})
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
	for sel, want := range map[string]string{"#engagement-sme": "50%", "#engagement-cornerstone": "100%", "#engagement-growth": "50%"} {
		if got := b.text(sel); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
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

	// The figures as CSV, the area's and then the school's cohort's too:
	// shares with their numerators and denominators, no young person.
	area := "measure,value,numerator,denominator\n" +
		"bookings,2,,\nhalf_days_credited,8,,\nsme_share,50,1,2\ncornerstone_share,100,2,2\ngrowth_sector_share,50,1,2\n" +
		"sector_share:digital,50,1,2\nsector_share:logistics,50,1,2\n"
	for path, want := range map[string]string{
		"/overview.csv": area,
		fmt.Sprintf("/overview.csv?school=%s&year=%d", schoolA, year): area + "on_roll,2,,\ndestination_known_share,50,1,2\n" +
			"experienced_share,50,1,2\nten_days_share,0,0,2\non_track_share,100,2,2\n" +
			"disadvantaged_experienced_share,100,1,1\nothers_experienced_share,0,0,1\nencounter_share,0,0,2\n",
	} {
		res, body := b.fetch(http.MethodGet, path, nil)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
			!strings.HasPrefix(res.Header.Get("Content-Disposition"), `attachment; filename="impact-measures-`) {
			t.Errorf("%s: %d %v", path, res.StatusCode, res.Header)
		}
		if body = strings.ReplaceAll(body, "\r\n", "\n"); body != want {
			t.Errorf("%s:\n%s\nwant\n%s", path, body, want)
		}
		for _, id := range []string{atRisk, known, behind.GetPupilId()} {
			if strings.Contains(body, id) {
				t.Errorf("%s names a young person", path)
			}
		}
	}
	var href string
	b.run(chromedp.AttributeValue("#download-impact", "href", &href, nil, chromedp.ByQuery))
	if want := fmt.Sprintf("/overview.csv?school=%s&year=%d", schoolA, year); href != want {
		t.Errorf("the download link: %q, want %q", href, want)
	}
	if res, _ := b.fetch(http.MethodGet, "/overview.csv?school=12345", nil); res.StatusCode != http.StatusBadRequest {
		t.Errorf("the CSV of a URN that is not one: %d", res.StatusCode)
	}

	if status := b.open("/overview?la=33&year=6"); status != http.StatusBadRequest {
		t.Errorf("a bad filter: %d", status)
	}
	if n := b.count(".govuk-error-summary a[href='#la'], .govuk-error-summary a[href='#year']"); n != 2 {
		t.Errorf("the error summary names %d fields, want 2", n)
	}
	b.checkAccessible("overview with errors")
}
