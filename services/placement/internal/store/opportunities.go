package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
	"github.com/nextstep-uk/nextstep/services/placement/internal/credit"
	"github.com/nextstep-uk/nextstep/services/placement/internal/schedule"
	"github.com/nextstep-uk/nextstep/services/placement/internal/store/dbsqlc"
)

// Opportunity is a row of placement.opportunities with its days.
type Opportunity struct {
	ID         string
	EmployerID string
	Title      string
	Kind       credit.Kind
	Days       []schedule.Day // in date order
	Capacity   int32
	Booked     int32
	YearGroups []int32
	Sectors    []string
	Location   string
	Virtual    bool
	Version    int64
	// Latitude and Longitude are where it happens (both NULL when not
	// known); MaxTravelKm the farthest a pupil's school may be (0: none).
	Latitude, Longitude pgtype.Float8
	MaxTravelKm         float64
}

// opportunityFrom makes an Opportunity of a row and its days, which the
// queries return as two arrays in date order: the dates, and the session
// each runs.
func opportunityFrom(r dbsqlc.PlacementOpportunity, dates []time.Time, sessions []int16) Opportunity {
	days := make([]schedule.Day, len(dates))
	for i, d := range dates {
		days[i] = schedule.Day{Date: d, Session: credit.Session(sessions[i])}
	}
	return Opportunity{
		ID:          r.ID,
		EmployerID:  r.EmployerID,
		Title:       r.Title,
		Kind:        credit.Kind(r.Kind),
		Days:        days,
		Capacity:    r.Capacity,
		Booked:      r.Booked,
		YearGroups:  r.YearGroups,
		Sectors:     r.Sectors,
		Location:    r.Location,
		Virtual:     r.Virtual,
		Version:     r.Version,
		Latitude:    r.Latitude,
		Longitude:   r.Longitude,
		MaxTravelKm: r.MaxTravelKm,
	}
}

// CreateOpportunity inserts o and its days under an idempotency key, in one
// transaction. A retry returns the first call's opportunity; the same key
// with another request is ErrKeyReused; an unknown employer is
// ErrEmployerNotFound.
func CreateOpportunity(ctx context.Context, db DB, key string, requestHash []byte, o Opportunity) (Opportunity, error) {
	var out Opportunity
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		id, err := queries.CreateOpportunity(ctx, tx, dbsqlc.CreateOpportunityParams{
			IdempotencyKey: key,
			RequestHash:    requestHash,
			EmployerID:     o.EmployerID,
			Title:          o.Title,
			Kind:           string(o.Kind),
			Capacity:       o.Capacity,
			YearGroups:     o.YearGroups,
			Sectors:        o.Sectors,
			Location:       o.Location,
			Virtual:        o.Virtual,
			StartsOn:       o.Days[0].Date,
			Latitude:       o.Latitude,
			Longitude:      o.Longitude,
			MaxTravelKm:    o.MaxTravelKm,
		})
		switch {
		case foreignKeyViolation(err) != "":
			return ErrEmployerNotFound
		case errors.Is(err, pgx.ErrNoRows):
			// The key was used before: this is a retry, or a mistake.
			first, err := queries.OpportunityByKey(ctx, tx, key)
			if err != nil {
				return err
			}
			if !sameRequest(first.RequestHash, requestHash) {
				return ErrKeyReused
			}
			id = first.ID
		case err != nil:
			return err
		default:
			days := make([]dbsqlc.InsertOpportunityDaysParams, len(o.Days))
			for i, d := range o.Days {
				days[i] = dbsqlc.InsertOpportunityDaysParams{OpportunityID: id, Day: d.Date, HalfDays: int16(d.Session)}
			}
			if _, err := queries.InsertOpportunityDays(ctx, tx, days); err != nil {
				return err
			}
		}
		out, err = GetOpportunity(ctx, tx, id)
		return err
	})
	return out, err
}

// GetOpportunity returns the opportunity with id.
func GetOpportunity(ctx context.Context, db DB, id string) (Opportunity, error) {
	r, err := queries.GetOpportunity(ctx, db, id)
	if err != nil {
		return Opportunity{}, notFound(err)
	}
	return opportunityFrom(r.PlacementOpportunity, r.Dates, r.Sessions), nil
}

// UpdateOpportunity replaces o's title, capacity, targets and place if its
// version is still o.Version. Its employer, kind and days must be as stored
// (ErrFixedField), and capacity at least the places booked
// (ErrCapacityBelowBooked).
func UpdateOpportunity(ctx context.Context, db DB, o Opportunity) (Opportunity, error) {
	var out Opportunity
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		r, err := queries.GetOpportunityForUpdate(ctx, tx, o.ID)
		if err != nil {
			return notFound(err)
		}
		current := opportunityFrom(r.PlacementOpportunity, r.Dates, r.Sessions)
		switch {
		case current.Version != o.Version:
			return ErrStaleVersion
		case current.EmployerID != o.EmployerID || current.Kind != o.Kind || !sameDays(current.Days, o.Days):
			return ErrFixedField
		case o.Capacity < current.Booked:
			return ErrCapacityBelowBooked
		}
		if err := queries.UpdateOpportunity(ctx, tx, dbsqlc.UpdateOpportunityParams{
			ID:          o.ID,
			Title:       o.Title,
			Capacity:    o.Capacity,
			YearGroups:  o.YearGroups,
			Sectors:     o.Sectors,
			Location:    o.Location,
			Virtual:     o.Virtual,
			Latitude:    o.Latitude,
			Longitude:   o.Longitude,
			MaxTravelKm: o.MaxTravelKm,
		}); err != nil {
			return err
		}
		out, err = GetOpportunity(ctx, tx, o.ID)
		return err
	})
	return out, err
}

func sameDays(a, b []schedule.Day) bool {
	return slices.EqualFunc(a, b, func(x, y schedule.Day) bool { return x.Date.Equal(y.Date) && x.Session == y.Session })
}

// OpportunityFilter narrows a list of opportunities; zero fields do not.
type OpportunityFilter struct {
	EmployerID string
	YearGroup  int32
	From       *time.Time
}

// OpportunityCursor is where a page of opportunities ends: the first day
// (starts_on) and id of its last opportunity.
type OpportunityCursor struct {
	StartsOn time.Time `json:"s"`
	ID       string    `json:"i"`
}

// Valid implements pagetoken.Cursor: a first day PostgreSQL can hold, and
// an id.
func (c *OpportunityCursor) Valid() bool {
	return c.StartsOn.Year() >= 1 && c.StartsOn.Year() <= 9999 && pagetoken.UUID(c.ID)
}

// ListOpportunities returns up to limit opportunities after the cursor, by
// first day.
func ListOpportunities(ctx context.Context, db DB, f OpportunityFilter, after OpportunityCursor, limit int) ([]Opportunity, error) {
	if after.ID == "" {
		after.ID = zeroUUID
	}
	rows, err := queries.ListOpportunities(ctx, db, dbsqlc.ListOpportunitiesParams{
		EmployerID:    f.EmployerID,
		YearGroup:     f.YearGroup,
		RunningFrom:   f.From,
		AfterStartsOn: after.StartsOn,
		AfterID:       after.ID,
		MaxRows:       int32(limit),
	})
	if err != nil {
		return nil, err
	}
	out := make([]Opportunity, len(rows))
	for i, r := range rows {
		out[i] = opportunityFrom(r.PlacementOpportunity, r.Dates, r.Sessions)
	}
	return out, nil
}
