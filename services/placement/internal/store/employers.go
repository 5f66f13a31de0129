package store

import (
	"bytes"
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/nextstep-uk/nextstep/services/kit/pagetoken"
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

const employerColumns = `id::text, name, companies_house_number, sector, size_band, cornerstone,
	contact_name, contact_email, contact_phone, version`

// fields are the scan destinations of employerColumns.
func (e *Employer) fields() []any {
	return []any{&e.ID, &e.Name, &e.CompaniesHouseNumber, &e.Sector, &e.SizeBand, &e.Cornerstone,
		&e.ContactName, &e.ContactEmail, &e.ContactPhone, &e.Version}
}

func scanEmployer(row pgx.Row) (Employer, error) {
	var e Employer
	err := row.Scan(e.fields()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return Employer{}, ErrNotFound
	}
	return e, err
}

// CreateEmployer inserts e under an idempotency key. A retry (same key,
// same request hash) returns the first call's employer; the same key with
// another request is ErrKeyReused.
func CreateEmployer(ctx context.Context, db DB, key string, requestHash []byte, e Employer) (Employer, error) {
	created, err := scanEmployer(db.QueryRow(ctx, `
		INSERT INTO placement.employers (idempotency_key, request_hash, name, companies_house_number, sector,
			size_band, cornerstone, contact_name, contact_email, contact_phone)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (idempotency_key) DO NOTHING
		RETURNING `+employerColumns,
		key, requestHash, e.Name, e.CompaniesHouseNumber, e.Sector, e.SizeBand, e.Cornerstone,
		e.ContactName, e.ContactEmail, e.ContactPhone))
	if uniqueViolation(err) == "employers_companies_house_number_key" {
		return Employer{}, ErrEmployerExists
	}
	if !errors.Is(err, ErrNotFound) {
		return created, err
	}
	// The key was used before: this is a retry, or a mistake.
	var first Employer
	var hash []byte
	err = db.QueryRow(ctx, `SELECT `+employerColumns+`, request_hash FROM placement.employers WHERE idempotency_key = $1`, key).
		Scan(append(first.fields(), &hash)...)
	if err != nil {
		return Employer{}, err
	}
	if !sameRequest(hash, requestHash) {
		return Employer{}, ErrKeyReused
	}
	return first, nil
}

// GetEmployer returns the employer with id.
func GetEmployer(ctx context.Context, db DB, id string) (Employer, error) {
	return scanEmployer(db.QueryRow(ctx, `SELECT `+employerColumns+` FROM placement.employers WHERE id = $1`, id))
}

// UpdateEmployer replaces e's details if its version is still e.Version,
// and returns the row with its new version.
func UpdateEmployer(ctx context.Context, db DB, e Employer) (Employer, error) {
	updated, err := scanEmployer(db.QueryRow(ctx, `
		UPDATE placement.employers SET name = $3, companies_house_number = $4, sector = $5, size_band = $6,
			cornerstone = $7, contact_name = $8, contact_email = $9, contact_phone = $10,
			version = version + 1, updated_at = now()
		WHERE id = $1 AND version = $2
		RETURNING `+employerColumns,
		e.ID, e.Version, e.Name, e.CompaniesHouseNumber, e.Sector, e.SizeBand, e.Cornerstone,
		e.ContactName, e.ContactEmail, e.ContactPhone))
	if uniqueViolation(err) == "employers_companies_house_number_key" {
		return Employer{}, ErrEmployerExists
	}
	if errors.Is(err, ErrNotFound) {
		return Employer{}, versionOrMissing(ctx, db, "placement.employers", e.ID)
	}
	return updated, err
}

// versionOrMissing explains why an UPDATE ... WHERE id AND version matched
// nothing: the row is gone, or its version has moved on.
func versionOrMissing(ctx context.Context, db DB, table, id string) error {
	var exists bool
	if err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+` WHERE id = $1)`, id).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return ErrNotFound
	}
	return ErrStaleVersion
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
	rows, err := db.Query(ctx, `SELECT `+employerColumns+` FROM placement.employers
		WHERE ($1 = '' OR sector = $1) AND (name, id) > ($2, $3::uuid)
		ORDER BY name, id LIMIT $4`, sector, after.Name, after.ID, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Employer, error) { return scanEmployer(r) })
}

// sameRequest compares the request hash stored with a key to a retry's.
func sameRequest(stored, retry []byte) bool { return bytes.Equal(stored, retry) }
