-- Counts kept per listing (migration 3): how many listed items of each kind and section
-- one objective, principle, region or country has, and how many of those also carry each
-- other objective, principle, region or country. The count of a country's documents, or
-- an objective's facets, is then a sum over a few rows of this table, where at a million
-- items counting a listing's ~70,000 entries took ~19 ms and the facets' joins ~600 ms.
--
-- Kept exact, in the writing transaction, by statement-level triggers on the four link
-- tables: one set-based pass per statement however many rows it writes. Bulk loads may
-- disable them and call `facet_counts_rebuild()` once; a test holds the kept counts
-- equal to a rebuild after imports and edits.
CREATE TABLE facet_counts (
    -- The listing: objective, principle, region or country, and its key (an objective's
    -- number, else the principle's, region's or country's id).
    dimension text    NOT NULL,
    key       integer NOT NULL,
    -- The counted value, of the same four dimensions: (dimension, key) itself counts the
    -- listing's items; another pair counts those of its items that also carry it.
    facet     text    NOT NULL,
    facet_key integer NOT NULL,
    kind      text    NOT NULL,
    -- Resources' Hub section, '' for the other kinds.
    section   text    NOT NULL,
    count     bigint  NOT NULL,
    PRIMARY KEY (dimension, key, facet, facet_key, kind, section)
);

-- The four link tables as one relation, with the listing keys the counts are split by.
CREATE VIEW item_links AS
    SELECT item_id, 'objective'::text AS dimension, objective_number AS key, listed, kind,
           coalesce(section, '') AS section FROM item_objectives
    UNION ALL SELECT item_id, 'principle', principle_id, listed, kind, coalesce(section, '') FROM item_principles
    UNION ALL SELECT item_id, 'region', region_id, listed, kind, coalesce(section, '') FROM item_regions
    UNION ALL SELECT item_id, 'country', country_id, listed, kind, coalesce(section, '') FROM item_countries;

CREATE FUNCTION facet_counts_rebuild() RETURNS void LANGUAGE sql AS $$
    DELETE FROM facet_counts;
    INSERT INTO facet_counts (dimension, key, facet, facet_key, kind, section, count)
    SELECT a.dimension, a.key, b.dimension, b.key, a.kind, a.section, count(*)
    FROM item_links a JOIN item_links b ON b.item_id = a.item_id
    WHERE a.listed AND b.listed
    GROUP BY 1, 2, 3, 4, 5, 6;
$$;

SELECT facet_counts_rebuild();

-- After a statement on one link table (TG_ARGV: its dimension and key column), adds the
-- pairs of the touched items' links as they are now and subtracts them as they were:
-- before = now, with the rows the statement wrote replaced by the rows it removed.
-- Pairs without a row of this statement are in both and cancel, so only pairs with one
-- (`changed`) are formed. Rows are upserted in key order, so concurrent writers lock
-- them in the same order.
CREATE FUNCTION facet_counts_follow_links() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    no_rows constant text := 'SELECT NULL::integer AS item_id, NULL::integer AS key, NULL::boolean AS listed,
                                     NULL::text AS kind, NULL::text AS section WHERE false';
    written text := no_rows;
    removed text := no_rows;
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        written := format('SELECT item_id, %I AS key, listed, kind, coalesce(section, '''') AS section
                           FROM new_links', TG_ARGV[1]);
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        removed := format('SELECT item_id, %I AS key, listed, kind, coalesce(section, '''') AS section
                           FROM old_links', TG_ARGV[1]);
    END IF;
    EXECUTE format($sql$
        WITH written AS MATERIALIZED (%1$s),
        removed AS MATERIALIZED (%2$s),
        now_links AS MATERIALIZED (
            SELECT k.item_id, k.dimension, k.key, k.listed, k.kind, k.section,
                   k.dimension = %3$L AND (k.item_id, k.key) IN (SELECT item_id, key FROM written) AS changed
            FROM item_links k
            WHERE k.item_id IN (SELECT item_id FROM written UNION SELECT item_id FROM removed)),
        then_links AS MATERIALIZED (
            SELECT item_id, dimension, key, listed, kind, section, false AS changed FROM now_links WHERE NOT changed
            UNION ALL
            SELECT item_id, %3$L, key, listed, kind, section, true FROM removed),
        delta AS (
            SELECT a.dimension, a.key, b.dimension AS facet, b.key AS facet_key, a.kind, a.section, 1 AS sign
            FROM now_links a JOIN now_links b ON b.item_id = a.item_id
            WHERE a.listed AND b.listed AND (a.changed OR b.changed)
            UNION ALL
            SELECT a.dimension, a.key, b.dimension, b.key, a.kind, a.section, -1
            FROM then_links a JOIN then_links b ON b.item_id = a.item_id
            WHERE a.listed AND b.listed AND (a.changed OR b.changed))
        INSERT INTO facet_counts AS c (dimension, key, facet, facet_key, kind, section, count)
        SELECT dimension, key, facet, facet_key, kind, section, sum(sign) FROM delta
        GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(sign) <> 0
        ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (dimension, key, facet, facet_key, kind, section)
        DO UPDATE SET count = c.count + excluded.count
        $sql$, written, removed, TG_ARGV[0]);
    RETURN NULL;
END $$;

CREATE TRIGGER item_objectives_facet_counts_insert AFTER INSERT ON item_objectives
    REFERENCING NEW TABLE AS new_links FOR EACH STATEMENT
    EXECUTE FUNCTION facet_counts_follow_links('objective', 'objective_number');
CREATE TRIGGER item_objectives_facet_counts_update AFTER UPDATE ON item_objectives
    REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links FOR EACH STATEMENT
    EXECUTE FUNCTION facet_counts_follow_links('objective', 'objective_number');
CREATE TRIGGER item_objectives_facet_counts_delete AFTER DELETE ON item_objectives
    REFERENCING OLD TABLE AS old_links FOR EACH STATEMENT
    EXECUTE FUNCTION facet_counts_follow_links('objective', 'objective_number');

CREATE TRIGGER item_principles_facet_counts_insert AFTER INSERT ON item_principles
    REFERENCING NEW TABLE AS new_links FOR EACH STATEMENT
    EXECUTE FUNCTION facet_counts_follow_links('principle', 'principle_id');
CREATE TRIGGER item_principles_facet_counts_update AFTER UPDATE ON item_principles
    REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links FOR EACH STATEMENT
    EXECUTE FUNCTION facet_counts_follow_links('principle', 'principle_id');
CREATE TRIGGER item_principles_facet_counts_delete AFTER DELETE ON item_principles
    REFERENCING OLD TABLE AS old_links FOR EACH STATEMENT
    EXECUTE FUNCTION facet_counts_follow_links('principle', 'principle_id');

CREATE TRIGGER item_regions_facet_counts_insert AFTER INSERT ON item_regions
    REFERENCING NEW TABLE AS new_links FOR EACH STATEMENT
    EXECUTE FUNCTION facet_counts_follow_links('region', 'region_id');
CREATE TRIGGER item_regions_facet_counts_update AFTER UPDATE ON item_regions
    REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links FOR EACH STATEMENT
    EXECUTE FUNCTION facet_counts_follow_links('region', 'region_id');
CREATE TRIGGER item_regions_facet_counts_delete AFTER DELETE ON item_regions
    REFERENCING OLD TABLE AS old_links FOR EACH STATEMENT
    EXECUTE FUNCTION facet_counts_follow_links('region', 'region_id');

CREATE TRIGGER item_countries_facet_counts_insert AFTER INSERT ON item_countries
    REFERENCING NEW TABLE AS new_links FOR EACH STATEMENT
    EXECUTE FUNCTION facet_counts_follow_links('country', 'country_id');
CREATE TRIGGER item_countries_facet_counts_update AFTER UPDATE ON item_countries
    REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links FOR EACH STATEMENT
    EXECUTE FUNCTION facet_counts_follow_links('country', 'country_id');
CREATE TRIGGER item_countries_facet_counts_delete AFTER DELETE ON item_countries
    REFERENCING OLD TABLE AS old_links FOR EACH STATEMENT
    EXECUTE FUNCTION facet_counts_follow_links('country', 'country_id');

-- A deleted item's links go in one statement per table before the item, not by the
-- foreign keys' cascade: cascaded deletes of several link tables fire their statement
-- triggers together at the end, each then missing the pairs with the other tables' rows.
CREATE FUNCTION items_delete_links_first() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM item_objectives WHERE item_id = OLD.id;
    DELETE FROM item_principles WHERE item_id = OLD.id;
    DELETE FROM item_regions WHERE item_id = OLD.id;
    DELETE FROM item_countries WHERE item_id = OLD.id;
    RETURN OLD;
END $$;

CREATE TRIGGER items_delete_links_first BEFORE DELETE ON items FOR EACH ROW
    EXECUTE FUNCTION items_delete_links_first();
