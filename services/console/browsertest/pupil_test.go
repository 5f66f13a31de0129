package browsertest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1/placementv1connect"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1/pupilv1connect"
	trackingv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/tracking/v1"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/pupil/pupiltest"
)

// TestYoungPersonPage: from a task to the young person's page, which shows
// the risk factors with their evidence and the ones not known, the days
// credited and the destinations; the caseworker suppresses the young
// person from the at-risk list, clears that, and records a destination
// with the NCCIS activity picker. A form sent twice records once.
func TestYoungPersonPage(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	task := s.seedTask(t, schoolA, "AT_RISK_OF_NEET", trackingv1.Priority_PRIORITY_HIGH, "risk score 4", nil)
	pupil := task.GetPupilId()
	s.setRiskFactors(t, pupil)
	s.seedExperience(t, pupil, "Two days at the depot")
	// A confirmed activity whose review date has passed: it has lapsed.
	started, reviewOn := time.Now().AddDate(-1, 0, 0).Format(time.DateOnly), time.Now().AddDate(0, -1, 0).Format(time.DateOnly)
	s.recordDestination(t, pupil, "610", started, reviewOn)
	b := newBrowser(t, s)
	b.signIn(caseworker)

	b.open("/tasks/" + task.GetId())
	b.submit("#young-person-link")
	if b.path() != "/pupils/"+pupil {
		t.Fatalf("young person's page at %s", b.path())
	}
	if got := b.title(); strings.Contains(got, "Testpupil") || !strings.HasPrefix(got, "Young person") {
		t.Errorf("title %q", got)
	}
	if got := b.text("#young-person"); !strings.Contains(got, "Testpupil") || !strings.Contains(got, "School "+schoolA) ||
		!strings.Contains(got, "Lives in") || !strings.Contains(got, "Not recorded: the school's local authority tracks them") {
		t.Errorf("profile: %q", got)
	}
	if got := b.text("#risk-factors"); !strings.Contains(got, "Attendance") || !strings.Contains(got, "attendance 82% below 90%") || !strings.Contains(got, "Free school meals") {
		t.Errorf("risk factors: %q", got)
	}
	if got := b.text("#not-known"); !strings.Contains(got, "Young carer: not known") {
		t.Errorf("not known: %q", got)
	}
	if got := b.text("#credited"); !strings.Contains(got, "Days credited so far, from attendance: 2.") {
		t.Errorf("credited: %q", got)
	}
	if got := b.text("#experiences"); !strings.Contains(got, "Two days at the depot") || !strings.Contains(got, "Placement") {
		t.Errorf("experiences: %q", got)
	}
	if got := b.text("#destinations"); !strings.Contains(got, "610: Not yet ready for work or learning") || !strings.Contains(got, "Lapsed") {
		t.Errorf("destinations: %q", got)
	}
	b.checkAccessible("young person")

	// Suppress without a review date: the error summary names the date.
	b.run(
		chromedp.Click("#decision-2", chromedp.ByQuery),
		chromedp.SendKeys("#reason", "Attendance recovered since the autumn; the school is watching it", chromedp.ByID),
	)
	if status := b.submit("#save-review"); status != http.StatusBadRequest {
		t.Errorf("suppress without a date: %d", status)
	}
	if got := b.text(".govuk-error-summary a[href='#review-on-day']"); got != "Enter the date to review the suppression by" {
		t.Errorf("error summary: %q", got)
	}
	if !strings.HasPrefix(b.title(), "Error: ") {
		t.Errorf("title %q", b.title())
	}
	b.checkAccessible("young person, review with errors")
	next := fmt.Sprint(time.Now().Year() + 1)
	b.run(
		chromedp.SendKeys("#review-on-day", "1", chromedp.ByID),
		chromedp.SendKeys("#review-on-month", "1", chromedp.ByID),
		chromedp.SendKeys("#review-on-year", next, chromedp.ByID),
	)
	b.submit("#save-review")
	if got := b.text(".govuk-notification-banner--success"); !strings.Contains(got, "Suppressed from the at-risk list until 1 January "+next) {
		t.Errorf("after suppressing: %q", got)
	}
	if got := b.text("#risk-review"); !strings.Contains(got, "Suppressed from the at-risk list") || !strings.Contains(got, caseworker) {
		t.Errorf("review: %q", got)
	}
	if got := s.pupil(t, pupil).GetRiskReview(); got.GetDecision() != pupilv1.RiskDecision_RISK_DECISION_SUPPRESSED || got.GetReviewOn() != next+"-01-01" {
		t.Errorf("the pupil service holds the review %v", got)
	}
	b.submit("#clear-review")
	if got := b.text("#risk-review"); !strings.Contains(got, "No review is in force") {
		t.Errorf("after clearing: %q", got)
	}
	if got := s.pupil(t, pupil).GetRiskReview(); got != nil {
		t.Errorf("the review is still held: %v", got)
	}

	// Record a destination: first with nothing chosen, then properly.
	if status := b.submit("#record-destination"); status != http.StatusBadRequest {
		t.Errorf("empty destination: %d", status)
	}
	for _, field := range []string{"kind", "activity", "effective-day", "source"} {
		if n := b.count(".govuk-error-summary a[href='#" + field + "']"); n != 1 {
			t.Errorf("the error summary does not name %s", field)
		}
	}
	b.checkAccessible("young person, destination with errors")
	b.run(
		chromedp.Click("#kind", chromedp.ByQuery),
		chromedp.SetValue("#activity", "230", chromedp.ByID),
		chromedp.SendKeys("#effective-day", "1", chromedp.ByID),
		chromedp.SendKeys("#effective-month", "9", chromedp.ByID),
		chromedp.SendKeys("#effective-year", fmt.Sprint(time.Now().Year()), chromedp.ByID),
		chromedp.SendKeys("#source", "Phone call with the young person", chromedp.ByID),
		chromedp.SendKeys("#provider", "123456789", chromedp.ByID),
	)
	if status := b.submit("#record-destination"); status != http.StatusBadRequest {
		t.Errorf("a provider of 9 digits: %d", status)
	}
	// What was typed is kept; only the provider needs correcting.
	if got := b.value("#activity"); got != "230" {
		t.Errorf("the activity after the error is %q", got)
	}
	b.run(chromedp.Evaluate(`document.getElementById('provider').value = ''`, nil), chromedp.SendKeys("#provider", "130001", chromedp.ByID))
	b.submit("#record-destination")
	if got := b.text(".govuk-notification-banner--success"); !strings.Contains(got, "Destination recorded") {
		t.Errorf("after recording: %q", got)
	}
	if got := b.text("#destinations tbody tr:first-child"); !strings.Contains(got, "230: Full time education - further education") || !strings.Contains(got, "Provider 130001") {
		t.Errorf("newest destination: %q", got)
	}
	if n := len(s.destinations(t, pupil)); n != 2 {
		t.Errorf("%d destinations, want 2", n)
	}

	// The same form sent twice (a double click) records once.
	key, token := b.value("input[name=key]"), b.value("form[action$='/destinations'] input[name=csrf_token]")
	form := url.Values{
		"csrf_token": {token}, "key": {key}, "kind": {"intended"}, "activity": {"230"},
		"effective-day": {"1"}, "effective-month": {"9"}, "effective-year": {fmt.Sprint(time.Now().Year())}, "source": {"Careers interview"},
	}
	for range 2 {
		if status := b.post("/pupils/"+pupil+"/destinations", form); status != http.StatusSeeOther {
			t.Errorf("posting the form: %d", status)
		}
	}
	if n := len(s.destinations(t, pupil)); n != 3 {
		t.Errorf("%d destinations after the form was sent twice, want 3", n)
	}
}

// setRiskFactors gives the pupil two factors that count (attendance and
// free school meals); the rest stay not known.
func (s *stack) setRiskFactors(t *testing.T, id string) {
	t.Helper()
	ctx := context.Background()
	c := pupilv1connect.NewPupilServiceClient(servicetest.HTTPClient(), s.pupils.URL, servicetest.Options(servicetest.HubAdmin, false)...)
	got, err := c.GetPupil(ctx, &pupilv1.GetPupilRequest{Id: id})
	if err != nil {
		t.Fatal(err)
	}
	p := got.GetPupil()
	version := p.GetVersion()
	p.Version, p.YearGroup, p.Risk, p.UpdatedAt, p.RiskReview = 0, 0, nil, nil, nil
	p.RiskFactors = &pupilv1.RiskFactors{
		Attendance:      &pupilv1.AttendanceFactor{Percent: 82, AsAt: "2026-01-10"},
		FreeSchoolMeals: &pupilv1.FlagFactor{Value: true, AsAt: "2025-10-01"},
	}
	if _, err := c.UpdatePupil(ctx, &pupilv1.UpdatePupilRequest{Pupil: p, Version: version}); err != nil {
		t.Fatal(err)
	}
}

// seedExperience books the pupil on a two-day placement that has been and
// gone, attended in full: 2 days credited.
func (s *stack) seedExperience(t *testing.T, pupil, title string) {
	t.Helper()
	s.seedExperienceWith(t, pupil, title, &placementv1.Employer{
		Name: "Midlands Metro", Sector: placementv1.Sector_SECTOR_LOGISTICS, SizeBand: placementv1.SizeBand_SIZE_BAND_LARGE,
	})
}

// seedExperienceWith is seedExperience with a new employer of the caller's.
func (s *stack) seedExperienceWith(t *testing.T, pupil, title string, employer *placementv1.Employer) {
	t.Helper()
	ctx := context.Background()
	c := placementv1connect.NewPlacementServiceClient(servicetest.HTTPClient(), s.placementURL, servicetest.Options(servicetest.HubAdmin, false)...)
	emp, err := c.CreateEmployer(ctx, &placementv1.CreateEmployerRequest{IdempotencyKey: pupiltest.NewID(), Employer: employer})
	if err != nil {
		t.Fatal(err)
	}
	// Two days last week, in one academic year (an opportunity's days
	// must be): early in September, the last two days of August.
	first, second := time.Now().AddDate(0, 0, -8), time.Now().AddDate(0, 0, -7)
	if academicyear.Containing(first) != academicyear.Containing(second) {
		first, second = first.AddDate(0, 0, -1), first
	}
	days := []string{first.Format(time.DateOnly), second.Format(time.DateOnly)}
	opp, err := c.CreateOpportunity(ctx, &placementv1.CreateOpportunityRequest{IdempotencyKey: pupiltest.NewID(), Opportunity: &placementv1.Opportunity{
		EmployerId: emp.GetEmployer().GetId(), Title: title, Kind: placementv1.Kind_KIND_PLACEMENT, Capacity: 5,
		Days: []*placementv1.OpportunityDay{
			{Date: days[0], Session: placementv1.Session_SESSION_FULL_DAY}, {Date: days[1], Session: placementv1.Session_SESSION_FULL_DAY},
		},
		YearGroups: []int32{7, 8, 9, 10, 11, 12, 13}, Location: "WV1 1AA",
	}})
	if err != nil {
		t.Fatal(err)
	}
	booking, err := c.BookPlace(ctx, &placementv1.BookPlaceRequest{IdempotencyKey: pupiltest.NewID(), OpportunityId: opp.GetOpportunity().GetId(), PupilId: pupil})
	if err != nil {
		t.Fatal(err)
	}
	var marks []*placementv1.AttendanceRecord
	for _, d := range days {
		marks = append(marks, &placementv1.AttendanceRecord{BookingId: booking.GetBooking().GetId(), Date: d, Mark: placementv1.Mark_MARK_FULL_DAY})
	}
	if _, err := c.RecordAttendance(ctx, &placementv1.RecordAttendanceRequest{Records: marks}); err != nil {
		t.Fatal(err)
	}
}

// recordDestination records a confirmed activity for the pupil, as a
// caseworker, from effective (YYYY-MM-DD), with an optional review date.
func (s *stack) recordDestination(t *testing.T, pupil, code, effective, reviewOn string) {
	t.Helper()
	if _, err := s.tracking(servicetest.Caseworker).RecordDestination(context.Background(), &trackingv1.RecordDestinationRequest{
		IdempotencyKey: pupiltest.NewID(), Destination: &trackingv1.Destination{
			PupilId: pupil, Kind: trackingv1.DestinationKind_DESTINATION_KIND_CONFIRMED, ActivityCode: code,
			EffectiveDate: effective, ReviewOn: reviewOn, Source: "school return",
		},
	}); err != nil {
		t.Fatal(err)
	}
}

// pupil reads a pupil as a hub admin.
func (s *stack) pupil(t *testing.T, id string) *pupilv1.Pupil {
	t.Helper()
	c := pupilv1connect.NewPupilServiceClient(servicetest.HTTPClient(), s.pupils.URL, servicetest.Options(servicetest.HubAdmin, false)...)
	res, err := c.GetPupil(context.Background(), &pupilv1.GetPupilRequest{Id: id})
	if err != nil {
		t.Fatal(err)
	}
	return res.GetPupil()
}

// destinations reads the pupil's destination history as the service does.
func (s *stack) destinations(t *testing.T, id string) []*trackingv1.Destination {
	t.Helper()
	res, err := s.tracking(servicetest.Service).ListDestinations(context.Background(), &trackingv1.ListDestinationsRequest{PupilId: id})
	if err != nil {
		t.Fatal(err)
	}
	return res.GetDestinations()
}
