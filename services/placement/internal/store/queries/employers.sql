-- Employers. A retried create finds the first call's row by its idempotency
-- key; the request hash stored with it tells a retry from another request
-- reusing the key.

-- name: CreateEmployer :one
-- Nothing comes back when the key was used before.
INSERT INTO placement.employers (idempotency_key, request_hash, name, companies_house_number, sector,
    size_band, cornerstone, contact_name, contact_email, contact_phone)
VALUES (@idempotency_key, @request_hash, @name, @companies_house_number, @sector,
    @size_band, @cornerstone, @contact_name, @contact_email, @contact_phone)
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING *;

-- name: EmployerByKey :one
SELECT * FROM placement.employers WHERE idempotency_key = @idempotency_key;

-- name: GetEmployer :one
SELECT * FROM placement.employers WHERE id = @id;

-- name: UpdateEmployer :one
-- Nothing comes back when the row is gone or its version has moved on.
UPDATE placement.employers
SET name = @name, companies_house_number = @companies_house_number, sector = @sector, size_band = @size_band,
    cornerstone = @cornerstone, contact_name = @contact_name, contact_email = @contact_email,
    contact_phone = @contact_phone, version = version + 1, updated_at = now()
WHERE id = @id AND version = @version
RETURNING *;

-- name: EmployerExists :one
SELECT EXISTS (SELECT 1 FROM placement.employers WHERE id = @id);

-- name: ListEmployers :many
-- By name, after the cursor (name, id); in one sector when it is not empty.
SELECT * FROM placement.employers
WHERE (@sector::text = '' OR sector = @sector)
  AND (name, id) > (@after_name::text, @after_id::uuid)
ORDER BY name, id
LIMIT @max_rows;
