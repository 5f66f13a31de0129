package main

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/nextstep-uk/nextstep/api/academicyear"
	placementv1 "github.com/nextstep-uk/nextstep/api/gen/nextstep/placement/v1"
)

// The school and year group whose allocation proposal the region shows:
// Canalside's Year 10, mostly behind the trajectory.
const (
	allocationSchool = "136004"
	allocationYear   = 10
)

// scarcePlaces are opportunities three weeks ahead with few places, for
// Years 9 and 10, nobody booked: what a hub shares out with the console's
// Allocate page.
var scarcePlaces = []struct {
	title    string
	employer int // index in seedEmployers
	places   int32
	days     int
}{
	{"Engineering taster week", 1, 6, 5},
	{"A day on the hospital wards", 4, 4, 1},
}

// seedScarcePlaces creates them, starting three weeks from today or, late
// in the academic year, on its last weekday.
func seedScarcePlaces(ctx context.Context, c seedClients, today time.Time, employerIDs []string) error {
	year := academicyear.Containing(today)
	start := weekday(today.AddDate(0, 0, 21))
	for _, p := range scarcePlaces {
		var days []*placementv1.OpportunityDay
		for d, date := 0, start; d < p.days && !date.After(year.LastDay()); d, date = d+1, weekday(date.AddDate(0, 0, 1)) {
			days = append(days, &placementv1.OpportunityDay{Date: date.Format(time.DateOnly), Session: placementv1.Session_SESSION_FULL_DAY})
		}
		if len(days) == 0 {
			continue // the year ends before it would start
		}
		if _, err := c.placement.CreateOpportunity(ctx, &placementv1.CreateOpportunityRequest{
			IdempotencyKey: uuid.NewString(),
			Opportunity: &placementv1.Opportunity{
				EmployerId: employerIDs[p.employer], Title: p.title, Kind: placementv1.Kind_KIND_PLACEMENT, Days: days,
				Capacity: p.places, YearGroups: []int32{9, 10}, Location: "Wolverhampton",
				// In the centre of Wolverhampton, within a bus ride of
				// every school in the region.
				Point: seedCentres["336"], MaxTravelKm: 15,
			},
		}); err != nil {
			return fmt.Errorf("create opportunity %q: %w", p.title, err)
		}
	}
	return nil
}

// showProposal asks the placement service for the proposal the console's
// Allocate page shows for the school's year group, over every opportunity
// open to it with places free from today, and prints its size and first
// reason. It is an error for the proposal to fail, or, when places are
// free, to place nobody.
func showProposal(ctx context.Context, token string, today time.Time) error {
	c := newSeedClients(token)
	res, err := c.placement.ListOpportunities(ctx, &placementv1.ListOpportunitiesRequest{
		YearGroup: allocationYear, From: today.Format(time.DateOnly), PageSize: 100,
	})
	if err != nil {
		return fmt.Errorf("list opportunities: %w", err)
	}
	var ids []string
	for _, o := range res.GetOpportunities() {
		if o.GetBooked() < o.GetCapacity() {
			ids = append(ids, o.GetId())
		}
	}
	if len(ids) == 0 {
		fmt.Println("      no opportunity has places free from today: no allocation to propose")
		return nil
	}
	proposal, err := c.placement.ProposeAllocation(ctx, &placementv1.ProposeAllocationRequest{
		Cohorts:        []*placementv1.CohortRef{{SchoolUrn: allocationSchool, YearGroup: allocationYear}},
		OpportunityIds: ids,
	})
	if err != nil {
		return fmt.Errorf("propose an allocation: %w", err)
	}
	if len(proposal.GetPlaces()) == 0 {
		return fmt.Errorf("the allocation proposal for %s Year %d placed nobody in %d free places", allocationSchool, allocationYear, proposal.GetFreePlaces())
	}
	fmt.Printf("      allocation proposal for school %s, Year %d: %d of %d free places, first %q (console: /allocate?school=%s&year=%d)\n",
		allocationSchool, allocationYear, len(proposal.GetPlaces()), proposal.GetFreePlaces(), proposal.GetPlaces()[0].GetReason(), allocationSchool, allocationYear)
	return nil
}
