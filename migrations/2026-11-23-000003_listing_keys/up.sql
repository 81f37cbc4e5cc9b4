-- Lists filtered by one objective, country, region or principle (a country's documents,
-- say) read from that link table in list order instead of probing every linked item:
-- each link carries a copy of its item's listing keys (published or not, kind, section,
-- and the GLOBAL_FIRST sort keys), behind a partial index whose order is the list's order.
-- A page is then an index range scan that stops after the page, and a count is an
-- index-only scan. The copies are kept by the triggers below; bulk writers that know
-- the keys (the synthetic generator) may supply them, every other insert has them filled.

ALTER TABLE item_objectives
    ADD COLUMN listed boolean, ADD COLUMN kind text, ADD COLUMN section text,
    ADD COLUMN scope_rank smallint, ADD COLUMN age_rank integer;
ALTER TABLE item_principles
    ADD COLUMN listed boolean, ADD COLUMN kind text, ADD COLUMN section text,
    ADD COLUMN scope_rank smallint, ADD COLUMN age_rank integer;
ALTER TABLE item_regions
    ADD COLUMN listed boolean, ADD COLUMN kind text, ADD COLUMN section text,
    ADD COLUMN scope_rank smallint, ADD COLUMN age_rank integer;
ALTER TABLE item_countries
    ADD COLUMN listed boolean, ADD COLUMN kind text, ADD COLUMN section text,
    ADD COLUMN scope_rank smallint, ADD COLUMN age_rank integer;

UPDATE item_objectives l SET listed = i.status = 'published', kind = i.kind, section = i.section,
    scope_rank = i.scope_rank, age_rank = i.age_rank FROM items i WHERE i.id = l.item_id;
UPDATE item_principles l SET listed = i.status = 'published', kind = i.kind, section = i.section,
    scope_rank = i.scope_rank, age_rank = i.age_rank FROM items i WHERE i.id = l.item_id;
UPDATE item_regions l SET listed = i.status = 'published', kind = i.kind, section = i.section,
    scope_rank = i.scope_rank, age_rank = i.age_rank FROM items i WHERE i.id = l.item_id;
UPDATE item_countries l SET listed = i.status = 'published', kind = i.kind, section = i.section,
    scope_rank = i.scope_rank, age_rank = i.age_rank FROM items i WHERE i.id = l.item_id;

ALTER TABLE item_objectives
    ALTER COLUMN listed SET NOT NULL, ALTER COLUMN kind SET NOT NULL,
    ALTER COLUMN scope_rank SET NOT NULL, ALTER COLUMN age_rank SET NOT NULL;
ALTER TABLE item_principles
    ALTER COLUMN listed SET NOT NULL, ALTER COLUMN kind SET NOT NULL,
    ALTER COLUMN scope_rank SET NOT NULL, ALTER COLUMN age_rank SET NOT NULL;
ALTER TABLE item_regions
    ALTER COLUMN listed SET NOT NULL, ALTER COLUMN kind SET NOT NULL,
    ALTER COLUMN scope_rank SET NOT NULL, ALTER COLUMN age_rank SET NOT NULL;
ALTER TABLE item_countries
    ALTER COLUMN listed SET NOT NULL, ALTER COLUMN kind SET NOT NULL,
    ALTER COLUMN scope_rank SET NOT NULL, ALTER COLUMN age_rank SET NOT NULL;

-- A new link copies its item's keys (when the writer did not supply them).
CREATE FUNCTION item_link_copy_listing_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT i.status = 'published', i.kind, i.section, i.scope_rank, i.age_rank
      INTO NEW.listed, NEW.kind, NEW.section, NEW.scope_rank, NEW.age_rank
      FROM items i WHERE i.id = NEW.item_id;
    RETURN NEW;
END $$;

CREATE TRIGGER item_objectives_listing_keys BEFORE INSERT ON item_objectives
    FOR EACH ROW WHEN (NEW.listed IS NULL) EXECUTE FUNCTION item_link_copy_listing_keys();
CREATE TRIGGER item_principles_listing_keys BEFORE INSERT ON item_principles
    FOR EACH ROW WHEN (NEW.listed IS NULL) EXECUTE FUNCTION item_link_copy_listing_keys();
CREATE TRIGGER item_regions_listing_keys BEFORE INSERT ON item_regions
    FOR EACH ROW WHEN (NEW.listed IS NULL) EXECUTE FUNCTION item_link_copy_listing_keys();
CREATE TRIGGER item_countries_listing_keys BEFORE INSERT ON item_countries
    FOR EACH ROW WHEN (NEW.listed IS NULL) EXECUTE FUNCTION item_link_copy_listing_keys();

-- An item whose keys change (published, retracted, re-dated, moved to another section)
-- passes the change to its links.
CREATE FUNCTION items_pass_listing_keys_to_links() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE item_objectives SET listed = NEW.status = 'published', kind = NEW.kind, section = NEW.section,
        scope_rank = NEW.scope_rank, age_rank = NEW.age_rank WHERE item_id = NEW.id;
    UPDATE item_principles SET listed = NEW.status = 'published', kind = NEW.kind, section = NEW.section,
        scope_rank = NEW.scope_rank, age_rank = NEW.age_rank WHERE item_id = NEW.id;
    UPDATE item_regions SET listed = NEW.status = 'published', kind = NEW.kind, section = NEW.section,
        scope_rank = NEW.scope_rank, age_rank = NEW.age_rank WHERE item_id = NEW.id;
    UPDATE item_countries SET listed = NEW.status = 'published', kind = NEW.kind, section = NEW.section,
        scope_rank = NEW.scope_rank, age_rank = NEW.age_rank WHERE item_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER items_pass_listing_keys_to_links AFTER UPDATE ON items FOR EACH ROW
    WHEN ((OLD.status = 'published') IS DISTINCT FROM (NEW.status = 'published')
          OR OLD.kind IS DISTINCT FROM NEW.kind
          OR OLD.section IS DISTINCT FROM NEW.section
          OR OLD.scope_rank IS DISTINCT FROM NEW.scope_rank
          OR OLD.age_rank IS DISTINCT FROM NEW.age_rank)
    EXECUTE FUNCTION items_pass_listing_keys_to_links();

-- In GLOBAL_FIRST order within (key, kind); `section` rides along for index-only filters.
CREATE INDEX item_objectives_listing_idx ON item_objectives
    (objective_number, kind, scope_rank, age_rank, item_id) INCLUDE (section) WHERE listed;
CREATE INDEX item_principles_listing_idx ON item_principles
    (principle_id, kind, scope_rank, age_rank, item_id) INCLUDE (section) WHERE listed;
CREATE INDEX item_regions_listing_idx ON item_regions
    (region_id, kind, scope_rank, age_rank, item_id) INCLUDE (section) WHERE listed;
CREATE INDEX item_countries_listing_idx ON item_countries
    (country_id, kind, scope_rank, age_rank, item_id) INCLUDE (section) WHERE listed;

-- Lists of every kind at once (a text search) in GLOBAL_FIRST order; the per-kind
-- indexes above and in the first migration start with the kind.
CREATE INDEX items_all_kinds_global_first_idx ON items (scope_rank, age_rank, id)
    WHERE status = 'published';

-- Text search only ever lists published items: with the index holding only those, a
-- count of the matches is answered from the index's bitmap, without visiting each
-- matching row to check its status.
DROP INDEX items_search_idx;
CREATE INDEX items_published_search_idx ON items USING gin (search) WHERE status = 'published';
