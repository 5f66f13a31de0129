package e2e_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
)

// TestAllocationClosesTheGap: with one scarce place on a week's
// placement, the proposal puts the looked-after pupil first; the hub
// declines that place, so it goes to the next in line (the pupil 4 days
// behind), confirms it, and once the week is attended the reconciler
// closes that pupil's BehindTrajectory intervention and the cohort's
// behind count falls from 2 to 1.
func TestAllocationClosesTheGap(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	s.seed(t)
	s.startManager(t, false)
	s.applyProgramme(t)
	s.waitForTasks(t, firstPass)
	ctx := context.Background()

	employer, err := s.placement.CreateEmployer(ctx, &placementv1.CreateEmployerRequest{
		IdempotencyKey: uuid.NewString(),
		Employer:       &placementv1.Employer{Name: "Royal Wolverhampton Care Group", Sector: placementv1.Sector_SECTOR_HEALTH_AND_CARE, SizeBand: placementv1.SizeBand_SIZE_BAND_LARGE},
	})
	check(t, "create employer", err)
	week := []string{"2026-02-23", "2026-02-24", "2026-02-25", "2026-02-26", "2026-02-27"}
	var days []*placementv1.OpportunityDay
	for _, d := range week {
		days = append(days, &placementv1.OpportunityDay{Date: d, Session: placementv1.Session_SESSION_FULL_DAY})
	}
	opp, err := s.placement.CreateOpportunity(ctx, &placementv1.CreateOpportunityRequest{
		IdempotencyKey: uuid.NewString(),
		Opportunity: &placementv1.Opportunity{EmployerId: employer.GetEmployer().GetId(), Title: "A week on the wards", Kind: placementv1.Kind_KIND_PLACEMENT,
			Days: days, Capacity: 1, YearGroups: []int32{9}, Location: "Wolverhampton"},
	})
	check(t, "create opportunity", err)
	oppID := opp.GetOpportunity().GetId()

	// As at the reconciler's day, so that the cohort and the days behind
	// are the ones it sees.
	propose := func(declined ...*placementv1.PlacementRef) *placementv1.ProposeAllocationResponse {
		t.Helper()
		res, err := s.placement.ProposeAllocation(ctx, &placementv1.ProposeAllocationRequest{
			Cohorts: []*placementv1.CohortRef{{SchoolUrn: schoolURN, YearGroup: 9}}, OpportunityIds: []string{oppID},
			Declined: declined, AsOf: s.today.Format(time.DateOnly),
		})
		check(t, "propose an allocation", err)
		return res
	}
	first := propose()
	if len(first.GetPlaces()) != 1 || first.GetPlaces()[0].GetPupilId() != s.pupils["atrisk"] ||
		!strings.HasPrefix(first.GetPlaces()[0].GetReason(), "priority 1: looked after, 5 days behind") {
		t.Fatalf("first proposal: %v", first.GetPlaces())
	}
	// Those left: the pupil behind by 4 days, then the one on track.
	if got, want := fmt.Sprint(first.GetUnplaced()), fmt.Sprint([]string{s.pupils["behind"], s.pupils["ontrack"]}); got != want {
		t.Errorf("unplaced %s, want %s", got, want)
	}

	second := propose(&placementv1.PlacementRef{PupilId: s.pupils["atrisk"], OpportunityId: oppID})
	if len(second.GetPlaces()) != 1 || second.GetPlaces()[0].GetPupilId() != s.pupils["behind"] ||
		!strings.HasPrefix(second.GetPlaces()[0].GetReason(), "priority 2: 4 days behind") {
		t.Fatalf("proposal after the decline: %v", second.GetPlaces())
	}
	confirmed, err := s.placement.ConfirmAllocation(ctx, &placementv1.ConfirmAllocationRequest{IdempotencyKey: uuid.NewString(),
		Places: []*placementv1.PlacementRef{{PupilId: s.pupils["behind"], OpportunityId: oppID}}})
	check(t, "confirm the allocation", err)
	if confirmed.GetBooked() != 1 {
		t.Fatalf("confirmation: %v", confirmed)
	}
	s.bookings["behind"] = confirmed.GetPlaces()[0].GetBooking().GetId()
	s.attend(t, "behind", week...)

	s.waitForTasks(t, []task{
		{Pupil: "atrisk", Reason: "AT_RISK_OF_NEET", Status: "OPEN"},
		{Pupil: "atrisk", Reason: "BEHIND_TRAJECTORY", Status: "OPEN"},
		{Pupil: "behind", Reason: "BEHIND_TRAJECTORY", Status: "CLOSED"},
	})
	eventually(t, 30*time.Second, func() error {
		c, err := s.cohort(t)
		if err != nil {
			return err
		}
		if c.Status.Pupils.Behind != 1 || c.Status.Pupils.OnTrack != 2 {
			return fmt.Errorf("status pupils %+v, want 1 behind and 2 on track", c.Status.Pupils)
		}
		return nil
	})
}
