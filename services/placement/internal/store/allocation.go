package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// AllocationOpportunity is an opportunity as an allocation proposal reads
// it.
type AllocationOpportunity struct {
	ID                string
	Capacity, Booked  int
	YearGroups        []int32
	Sector, SizeBand  string
	FirstDay, LastDay time.Time
	// Latitude and Longitude are where it happens (not Valid when not
	// known); MaxTravelKm the farthest a pupil's school may be (0: none).
	Latitude, Longitude pgtype.Float8
	MaxTravelKm         float64
}

// AllocationOpportunities returns the opportunities of ids that exist, in
// id order.
func AllocationOpportunities(ctx context.Context, db DB, ids []string) ([]AllocationOpportunity, error) {
	rows, err := queries.AllocationOpportunities(ctx, db, ids)
	if err != nil {
		return nil, err
	}
	out := make([]AllocationOpportunity, len(rows))
	for i, r := range rows {
		out[i] = AllocationOpportunity{
			ID: r.ID, Capacity: int(r.Capacity), Booked: int(r.Booked), YearGroups: r.YearGroups,
			Sector: r.Sector, SizeBand: r.SizeBand, FirstDay: r.FirstDay, LastDay: r.LastDay,
			Latitude: r.Latitude, Longitude: r.Longitude, MaxTravelKm: r.MaxTravelKm,
		}
	}
	return out, nil
}

// BookedDates is one live booking of a pupil's: the opportunity, the dates
// it spans and its employer's sector.
type BookedDates struct {
	OpportunityID, Sector string
	FirstDay, LastDay     time.Time
}

// PupilsBookedDates returns the live bookings of each pupil of ids who has
// any, by pupil.
func PupilsBookedDates(ctx context.Context, db DB, ids []string) (map[string][]BookedDates, error) {
	rows, err := queries.PupilsBookedDates(ctx, db, ids)
	if err != nil {
		return nil, err
	}
	out := map[string][]BookedDates{}
	for _, r := range rows {
		out[r.PupilID] = append(out[r.PupilID], BookedDates{OpportunityID: r.OpportunityID, Sector: r.Sector, FirstDay: r.FirstDay, LastDay: r.LastDay})
	}
	return out, nil
}
