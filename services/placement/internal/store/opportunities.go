package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
	"github.com/nextstep-uk/nextstep/services/placement/internal/credit"
	"github.com/nextstep-uk/nextstep/services/placement/internal/schedule"
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
}

// The days come back as two arrays in date order, so a page of
// opportunities is one query.
const opportunityColumns = `o.id::text, o.employer_id::text, o.title, o.kind, o.capacity, o.booked,
	o.year_groups::int[], o.sectors, o.location, o.virtual, o.version,
	ARRAY(SELECT d.day FROM placement.opportunity_days d WHERE d.opportunity_id = o.id ORDER BY d.day),
	ARRAY(SELECT d.half_days FROM placement.opportunity_days d WHERE d.opportunity_id = o.id ORDER BY d.day)`

type opportunityRow struct {
	Opportunity
	dates    []time.Time
	sessions []int16
}

func (o *opportunityRow) fields() []any {
	return []any{&o.ID, &o.EmployerID, &o.Title, &o.Kind, &o.Capacity, &o.Booked,
		&o.YearGroups, &o.Sectors, &o.Location, &o.Virtual, &o.Version, &o.dates, &o.sessions}
}

func (o *opportunityRow) opportunity() Opportunity {
	out := o.Opportunity
	out.Days = make([]schedule.Day, len(o.dates))
	for i, d := range o.dates {
		out.Days[i] = schedule.Day{Date: d, Session: credit.Session(o.sessions[i])}
	}
	return out
}

func scanOpportunity(row pgx.Row) (Opportunity, error) {
	var o opportunityRow
	if err := row.Scan(o.fields()...); errors.Is(err, pgx.ErrNoRows) {
		return Opportunity{}, ErrNotFound
	} else if err != nil {
		return Opportunity{}, err
	}
	return o.opportunity(), nil
}

// CreateOpportunity inserts o and its days under an idempotency key, in one
// transaction. A retry returns the first call's opportunity; the same key
// with another request is ErrKeyReused; an unknown employer is
// ErrEmployerNotFound.
func CreateOpportunity(ctx context.Context, db DB, key string, requestHash []byte, o Opportunity) (Opportunity, error) {
	var out Opportunity
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		var id string
		err := tx.QueryRow(ctx, `
			INSERT INTO placement.opportunities (idempotency_key, request_hash, employer_id, title, kind, capacity,
				year_groups, sectors, location, virtual, starts_on)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (idempotency_key) DO NOTHING
			RETURNING id::text`,
			key, requestHash, o.EmployerID, o.Title, o.Kind, o.Capacity, o.YearGroups, o.Sectors, o.Location, o.Virtual,
			o.Days[0].Date).Scan(&id)
		switch {
		case foreignKeyViolation(err) != "":
			return ErrEmployerNotFound
		case errors.Is(err, pgx.ErrNoRows):
			// The key was used before: this is a retry, or a mistake.
			var hash []byte
			if err := tx.QueryRow(ctx, `SELECT id::text, request_hash FROM placement.opportunities WHERE idempotency_key = $1`, key).
				Scan(&id, &hash); err != nil {
				return err
			}
			if !sameRequest(hash, requestHash) {
				return ErrKeyReused
			}
		case err != nil:
			return err
		default:
			dates := make([]time.Time, len(o.Days))
			sessions := make([]int16, len(o.Days))
			for i, d := range o.Days {
				dates[i], sessions[i] = d.Date, int16(d.Session)
			}
			if _, err := tx.Exec(ctx, `
				INSERT INTO placement.opportunity_days (opportunity_id, day, half_days)
				SELECT $1, day, half_days FROM unnest($2::date[], $3::smallint[]) AS t(day, half_days)`,
				id, dates, sessions); err != nil {
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
	return scanOpportunity(db.QueryRow(ctx, `SELECT `+opportunityColumns+` FROM placement.opportunities o WHERE o.id = $1`, id))
}

// UpdateOpportunity replaces o's title, capacity, targets and place if its
// version is still o.Version. Its employer, kind and days must be as stored
// (ErrFixedField), and capacity at least the places booked
// (ErrCapacityBelowBooked).
func UpdateOpportunity(ctx context.Context, db DB, o Opportunity) (Opportunity, error) {
	var out Opportunity
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		current, err := scanOpportunity(tx.QueryRow(ctx, `SELECT `+opportunityColumns+`
			FROM placement.opportunities o WHERE o.id = $1 FOR UPDATE`, o.ID))
		if err != nil {
			return err
		}
		switch {
		case current.Version != o.Version:
			return ErrStaleVersion
		case current.EmployerID != o.EmployerID || current.Kind != o.Kind || !sameDays(current.Days, o.Days):
			return ErrFixedField
		case o.Capacity < current.Booked:
			return ErrCapacityBelowBooked
		}
		if _, err := tx.Exec(ctx, `
			UPDATE placement.opportunities SET title = $2, capacity = $3, year_groups = $4, sectors = $5,
				location = $6, virtual = $7, version = version + 1, updated_at = now()
			WHERE id = $1`,
			o.ID, o.Title, o.Capacity, o.YearGroups, o.Sectors, o.Location, o.Virtual); err != nil {
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
	rows, err := db.Query(ctx, `SELECT `+opportunityColumns+` FROM placement.opportunities o
		WHERE (@employer_id = '' OR o.employer_id = NULLIF(@employer_id, '')::uuid)
		  AND (@year_group = 0 OR @year_group::smallint = ANY(o.year_groups))
		  AND (@from::date IS NULL OR EXISTS (SELECT 1 FROM placement.opportunity_days d
		       WHERE d.opportunity_id = o.id AND d.day >= @from::date))
		  AND (o.starts_on, o.id) > (@after_starts_on::date, @after_id::uuid)
		ORDER BY o.starts_on, o.id LIMIT @limit`,
		pgx.NamedArgs{
			"employer_id": f.EmployerID, "year_group": f.YearGroup, "from": f.From,
			"after_starts_on": after.StartsOn, "after_id": after.ID, "limit": limit,
		})
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Opportunity, error) { return scanOpportunity(r) })
}
