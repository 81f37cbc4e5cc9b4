DROP INDEX item_objectives_hub_idx;
ALTER TABLE item_objectives DROP COLUMN hub_rank, DROP COLUMN hub_section, DROP COLUMN hub_position;
