DROP INDEX items_published_search_idx;
CREATE INDEX items_search_idx ON items USING gin (search);
DROP INDEX items_all_kinds_global_first_idx;
DROP TRIGGER items_pass_listing_keys_to_links ON items;
DROP FUNCTION items_pass_listing_keys_to_links();
DROP TRIGGER item_objectives_listing_keys ON item_objectives;
DROP TRIGGER item_principles_listing_keys ON item_principles;
DROP TRIGGER item_regions_listing_keys ON item_regions;
DROP TRIGGER item_countries_listing_keys ON item_countries;
DROP FUNCTION item_link_copy_listing_keys();
ALTER TABLE item_objectives DROP COLUMN listed, DROP COLUMN kind, DROP COLUMN section,
    DROP COLUMN scope_rank, DROP COLUMN age_rank;
ALTER TABLE item_principles DROP COLUMN listed, DROP COLUMN kind, DROP COLUMN section,
    DROP COLUMN scope_rank, DROP COLUMN age_rank;
ALTER TABLE item_regions DROP COLUMN listed, DROP COLUMN kind, DROP COLUMN section,
    DROP COLUMN scope_rank, DROP COLUMN age_rank;
ALTER TABLE item_countries DROP COLUMN listed, DROP COLUMN kind, DROP COLUMN section,
    DROP COLUMN scope_rank, DROP COLUMN age_rank;
