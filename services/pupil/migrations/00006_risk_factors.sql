-- +goose Up
-- The risk factors the evidence supports beyond the first nine (DOMAIN.md,
-- "Risk of NEET"), each a yes/no with the date it was true as at, and
-- "ever looked after" in place of "previously looked after" (a narrower
-- legal status that is not a risk flag; a child who left care was looked
-- after, so the old value reads as the new).
ALTER TABLE pupil.pupils
    ADD COLUMN child_in_need               boolean,
    ADD COLUMN child_in_need_as_at         date,
    ADD COLUMN alternative_provision       boolean,
    ADD COLUMN alternative_provision_as_at date,
    ADD COLUMN youth_justice               boolean,
    ADD COLUMN youth_justice_as_at         date,
    ADD COLUMN young_parent                boolean,
    ADD COLUMN young_parent_as_at          date,
    ADD COLUMN home_educated               boolean,
    ADD COLUMN home_educated_as_at         date,
    ADD COLUMN mental_health               boolean,
    ADD COLUMN mental_health_as_at         date;
ALTER TABLE pupil.pupils DROP CONSTRAINT pupils_looked_after_check;
UPDATE pupil.pupils SET looked_after = 'ever_looked_after' WHERE looked_after = 'previously_looked_after';
ALTER TABLE pupil.pupils ADD CONSTRAINT pupils_looked_after_check
    CHECK (looked_after IN ('none', 'looked_after', 'ever_looked_after'));

-- +goose Down
ALTER TABLE pupil.pupils DROP CONSTRAINT pupils_looked_after_check;
UPDATE pupil.pupils SET looked_after = 'previously_looked_after' WHERE looked_after = 'ever_looked_after';
ALTER TABLE pupil.pupils ADD CONSTRAINT pupils_looked_after_check
    CHECK (looked_after IN ('none', 'looked_after', 'previously_looked_after'));
ALTER TABLE pupil.pupils
    DROP COLUMN child_in_need, DROP COLUMN child_in_need_as_at,
    DROP COLUMN alternative_provision, DROP COLUMN alternative_provision_as_at,
    DROP COLUMN youth_justice, DROP COLUMN youth_justice_as_at,
    DROP COLUMN young_parent, DROP COLUMN young_parent_as_at,
    DROP COLUMN home_educated, DROP COLUMN home_educated_as_at,
    DROP COLUMN mental_health, DROP COLUMN mental_health_as_at;
