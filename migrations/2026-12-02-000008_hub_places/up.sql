-- One item per place: within one objective's page section, a Hub position is held by at
-- most one item (unplaced links, hub_position NULL, never collide). The importer and
-- curation refuse a collision with its path first; this keeps two concurrent curators
-- from both taking one place. Deferred to the commit: an import that reorders a section
-- moves items through each other's places inside its transaction.
ALTER TABLE item_objectives
    ADD CONSTRAINT item_objectives_hub_place_key
    UNIQUE (objective_number, hub_section, hub_position) DEFERRABLE INITIALLY DEFERRED;
