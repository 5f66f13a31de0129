package store

import (
	"bytes"
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
	"github.com/nextstep-uk/nextstep/services/placement/internal/store/dbsqlc"
)

// Employer is a row of placement.employers.
type Employer struct {
	ID                   string
	Name                 string
	CompaniesHouseNumber string
	Sector               string
	SizeBand             string
	Cornerstone          bool
	ContactName          string
	ContactEmail         string
	ContactPhone         string
	Version              int64
}

func employerFrom(r dbsqlc.PlacementEmployer) Employer {
	return Employer{
		ID:                   r.ID,
		Name:                 r.Name,
		CompaniesHouseNumber: r.CompaniesHouseNumber,
		Sector:               r.Sector,
		SizeBand:             r.SizeBand,
		Cornerstone:          r.Cornerstone,
		ContactName:          r.ContactName,
		ContactEmail:         r.ContactEmail,
		ContactPhone:         r.ContactPhone,
		Version:              r.Version,
	}
}

// CreateEmployer inserts e under an idempotency key. A retry (same key,
// same request hash) returns the first call's employer; the same key with
// another request is ErrKeyReused.
func CreateEmployer(ctx context.Context, db DB, key string, requestHash []byte, e Employer) (Employer, error) {
	created, err := queries.CreateEmployer(ctx, db, dbsqlc.CreateEmployerParams{
		IdempotencyKey:       key,
		RequestHash:          requestHash,
		Name:                 e.Name,
		CompaniesHouseNumber: e.CompaniesHouseNumber,
		Sector:               e.Sector,
		SizeBand:             e.SizeBand,
		Cornerstone:          e.Cornerstone,
		ContactName:          e.ContactName,
		ContactEmail:         e.ContactEmail,
		ContactPhone:         e.ContactPhone,
	})
	switch {
	case uniqueViolation(err) == "employers_companies_house_number_key":
		return Employer{}, ErrEmployerExists
	case err == nil:
		return employerFrom(created), nil
	case !errors.Is(err, pgx.ErrNoRows):
		return Employer{}, err
	}
	// The key was used before: this is a retry, or a mistake.
	first, err := queries.EmployerByKey(ctx, db, key)
	if err != nil {
		return Employer{}, err
	}
	if !sameRequest(first.RequestHash, requestHash) {
		return Employer{}, ErrKeyReused
	}
	return employerFrom(first), nil
}

// GetEmployer returns the employer with id.
func GetEmployer(ctx context.Context, db DB, id string) (Employer, error) {
	e, err := queries.GetEmployer(ctx, db, id)
	if err != nil {
		return Employer{}, notFound(err)
	}
	return employerFrom(e), nil
}

// UpdateEmployer replaces e's details if its version is still e.Version,
// and returns the row with its new version.
func UpdateEmployer(ctx context.Context, db DB, e Employer) (Employer, error) {
	updated, err := queries.UpdateEmployer(ctx, db, dbsqlc.UpdateEmployerParams{
		ID:                   e.ID,
		Version:              e.Version,
		Name:                 e.Name,
		CompaniesHouseNumber: e.CompaniesHouseNumber,
		Sector:               e.Sector,
		SizeBand:             e.SizeBand,
		Cornerstone:          e.Cornerstone,
		ContactName:          e.ContactName,
		ContactEmail:         e.ContactEmail,
		ContactPhone:         e.ContactPhone,
	})
	switch {
	case uniqueViolation(err) == "employers_companies_house_number_key":
		return Employer{}, ErrEmployerExists
	case errors.Is(err, pgx.ErrNoRows):
		// The row is gone, or its version has moved on.
		exists, err := queries.EmployerExists(ctx, db, e.ID)
		switch {
		case err != nil:
			return Employer{}, err
		case !exists:
			return Employer{}, ErrNotFound
		}
		return Employer{}, ErrStaleVersion
	case err != nil:
		return Employer{}, err
	}
	return employerFrom(updated), nil
}

// EmployerCursor is where a page of employers ends.
type EmployerCursor struct {
	Name string `json:"n"`
	ID   string `json:"i"`
}

// Valid implements pagetoken.Cursor.
func (c *EmployerCursor) Valid() bool { return c.Name != "" && pagetoken.UUID(c.ID) }

// ListEmployers returns up to limit employers after the cursor, by name,
// in sector when it is not empty.
func ListEmployers(ctx context.Context, db DB, sector string, after EmployerCursor, limit int) ([]Employer, error) {
	if after.ID == "" {
		after.ID = zeroUUID
	}
	rows, err := queries.ListEmployers(ctx, db, dbsqlc.ListEmployersParams{
		Sector:    sector,
		AfterName: after.Name,
		AfterID:   after.ID,
		MaxRows:   int32(limit),
	})
	if err != nil {
		return nil, err
	}
	out := make([]Employer, len(rows))
	for i, r := range rows {
		out[i] = employerFrom(r)
	}
	return out, nil
}

// sameRequest compares the request hash stored with a key to a retry's.
func sameRequest(stored, retry []byte) bool { return bytes.Equal(stored, retry) }
