-- +goose Up
-- Where a school is (WGS84 degrees, as GIAS's and the ONS postcode
-- directory's latitude and longitude give it), when known: allocation
-- measures an opportunity's travel limit from it.
ALTER TABLE pupil.schools
    ADD COLUMN latitude double precision CHECK (latitude BETWEEN 49.8 AND 55.9),
    ADD COLUMN longitude double precision CHECK (longitude BETWEEN -6.5 AND 1.8),
    ADD CONSTRAINT schools_location_whole CHECK ((latitude IS NULL) = (longitude IS NULL));

-- +goose Down
ALTER TABLE pupil.schools DROP COLUMN latitude, DROP COLUMN longitude;
