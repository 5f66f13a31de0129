package browsertest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
	"github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1/placementv1connect"
	pupilv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/pupil/v1"
	"github.com/nextstep-uk/nextstep/services/kit/servicetest"
	"github.com/nextstep-uk/nextstep/services/pupil/pupiltest"
)

// TestAllocatePlaces: a caseworker shares out the one free place on a
// placement among two Year 10 pupils. The looked-after pupil is proposed
// first; the caseworker declines that place (say she has a hospital
// appointment that week), so it goes to the next in line, and books it.
func TestAllocatePlaces(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ctx := context.Background()
	today := time.Now()
	year := academicyear.Containing(today)
	born := fmt.Sprintf("%d-10-01", year.Start-15) // Year 10
	looked, other := s.pupils.EnrolBorn(t, schoolA, born), s.pupils.EnrolBorn(t, schoolA, born)
	s.pupils.Factors(t, looked, &pupilv1.RiskFactors{
		LookedAfter: &pupilv1.CareFactor{Status: pupilv1.CareStatus_CARE_STATUS_LOOKED_AFTER, AsAt: today.Format(time.DateOnly)},
	})
	// One place, a fortnight from now (within this academic year).
	on := today.AddDate(0, 0, 14)
	if on.After(year.LastDay()) {
		on = today
	}
	c := placementv1connect.NewPlacementServiceClient(servicetest.HTTPClient(), s.placementURL, servicetest.Options(servicetest.HubAdmin, false)...)
	emp, err := c.CreateEmployer(ctx, &placementv1.CreateEmployerRequest{IdempotencyKey: pupiltest.NewID(), Employer: &placementv1.Employer{
		Name: "Wolverhampton Wanderers Foundation", Sector: placementv1.Sector_SECTOR_CREATIVE, SizeBand: placementv1.SizeBand_SIZE_BAND_MEDIUM,
	}})
	if err != nil {
		t.Fatal(err)
	}
	opp, err := c.CreateOpportunity(ctx, &placementv1.CreateOpportunityRequest{IdempotencyKey: pupiltest.NewID(), Opportunity: &placementv1.Opportunity{
		EmployerId: emp.GetEmployer().GetId(), Title: "A day at the stadium", Kind: placementv1.Kind_KIND_PLACEMENT, Capacity: 1,
		Days:       []*placementv1.OpportunityDay{{Date: on.Format(time.DateOnly), Session: placementv1.Session_SESSION_FULL_DAY}},
		YearGroups: []int32{10}, Location: "WV1 4QR",
	}})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, s)
	b.signIn(caseworker)

	b.open("/allocate?school=" + schoolA + "&year=10")
	if got := b.text("#opportunities"); !strings.Contains(got, "A day at the stadium: 1 of 1 places free") {
		t.Fatalf("opportunities: %q", got)
	}
	b.checkAccessible("allocate, choosing opportunities")
	b.run(chromedp.Click("#opportunity-0", chromedp.ByQuery))
	b.submit("#propose")
	if b.path() != "/allocate/proposal" {
		t.Fatalf("after proposing: %s", b.path())
	}
	if got := b.text("#proposal tbody"); !strings.Contains(got, "priority 1: looked after") || !strings.Contains(got, "A day at the stadium") {
		t.Errorf("proposal: %q", got)
	}
	if n := b.count("#unplaced li"); n != 1 {
		t.Errorf("%d without a place, want 1", n)
	}
	b.checkAccessible("allocate, the proposal")

	// Declined: the place goes to the next in line.
	b.run(chromedp.Click("#decline-0", chromedp.ByQuery))
	b.submit("#decline")
	if got := b.text("#proposal tbody"); !strings.Contains(got, "priority 2:") {
		t.Errorf("proposal after the decline: %q", got)
	}
	if got := b.value("input[name=place]"); got != other+":"+opp.GetOpportunity().GetId() {
		t.Errorf("proposed place after the decline = %q, want the other pupil's", got)
	}
	b.submit("#book")
	if got := b.text("#booked-panel"); got != "1 booked" {
		t.Errorf("result: %q", got)
	}
	b.checkAccessible("allocate, booked")
	res, err := c.ListBookings(ctx, &placementv1.ListBookingsRequest{Of: &placementv1.ListBookingsRequest_OpportunityId{OpportunityId: opp.GetOpportunity().GetId()}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.GetBookings()) != 1 || res.GetBookings()[0].GetPupilId() != other {
		t.Errorf("bookings = %v, want the other pupil's alone", res.GetBookings())
	}
}
