-- +goose Up
-- Where an opportunity happens on the map (WGS84 degrees), when known, and
-- how far from it a pupil's school may be for an allocation to propose
-- them (0: no limit). The address stays in location, for people.
ALTER TABLE placement.opportunities
    ADD COLUMN latitude double precision CHECK (latitude BETWEEN 49.8 AND 55.9),
    ADD COLUMN longitude double precision CHECK (longitude BETWEEN -6.5 AND 1.8),
    ADD COLUMN max_travel_km double precision NOT NULL DEFAULT 0 CHECK (max_travel_km BETWEEN 0 AND 500),
    ADD CONSTRAINT opportunities_point_whole CHECK ((latitude IS NULL) = (longitude IS NULL));

-- +goose Down
ALTER TABLE placement.opportunities DROP COLUMN latitude, DROP COLUMN longitude, DROP COLUMN max_travel_km;
