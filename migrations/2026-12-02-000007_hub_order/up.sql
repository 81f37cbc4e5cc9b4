-- The Hub's own order (sort HUB): an item's position within its section on an
-- objective's Hub page, as the source lists it. It belongs to the link, not the item: the
-- page of the objective whose file lists the item places it; other objectives' pages do
-- not (hub_position NULL), and neither does curation (a submitted item has none).
--
-- HUB lists the sections in the page's order (Documents, Events, Projects, Training and
-- guidance, Videos), then within a section the placed items by position, then the rest
-- by the Hub's stated rule, "more comprehensive and global resources shown before more
-- specific and regional ones" (the GLOBAL_FIRST keys), so a new item comes after the
-- curated ones.
ALTER TABLE item_objectives
    ADD COLUMN hub_position integer CHECK (hub_position > 0),
    ADD COLUMN hub_section smallint GENERATED ALWAYS AS (
        CASE
            WHEN section = 'documents' THEN 1
            WHEN kind = 'event' THEN 2
            WHEN kind = 'project' THEN 3
            WHEN section = 'training_and_guidance' THEN 4
            ELSE 5
        END) STORED,
    ADD COLUMN hub_rank integer GENERATED ALWAYS AS (coalesce(hub_position, 2147483647)) STORED;

-- An item linked to one objective only was listed on that objective's page; the
-- importer sets every link's position from the files from now on.
UPDATE item_objectives l SET hub_position = i.position
FROM items i
WHERE i.id = l.item_id AND i.position > 0
  AND (SELECT count(*) FROM item_objectives o WHERE o.item_id = l.item_id) = 1;

-- In HUB order within (objective, kind): one objective's list of one kind is an index
-- range scan that stops after the page, like the GLOBAL_FIRST listing index.
CREATE INDEX item_objectives_hub_idx ON item_objectives
    (objective_number, kind, hub_section, hub_rank, scope_rank, age_rank, item_id)
    INCLUDE (section) WHERE listed;
