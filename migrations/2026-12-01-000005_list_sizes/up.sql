-- The largest list each relation holds, kept exact in every writing transaction, so that
-- the cost of an unpaginated list (an item's countries, a guidance source's resources, …)
-- is what the catalogue can really return now, not a guess (gcm_graphql::limits).
--
-- `relation` is `table.column` (the most rows of `table` that share one value of
-- `column`: one parent's list) or `table` (all its rows: a reference list). Every link
-- counts, published or not, so the figure bounds what any reader can be shown.
-- Statement-level triggers keep it: an insert can only grow the parents it touched; a
-- delete or an update of the parent column counts the relation again only when a parent
-- it touched may have held the maximum. A change is announced on `gcm_list_sizes` at
-- commit; servers re-read the table then.

CREATE TABLE list_sizes (
    relation text PRIMARY KEY CHECK (relation ~ '^[a-z_]+(\.[a-z_]+)?$'),
    max_size integer NOT NULL DEFAULT 0 CHECK (max_size >= 0)
);

-- The relation's largest list, counted from scratch.
CREATE FUNCTION list_sizes_count(relation text) RETURNS integer
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    tbl regclass := split_part(relation, '.', 1)::regclass;
    col text := nullif(split_part(relation, '.', 2), '');
    n integer;
BEGIN
    IF col IS NULL THEN
        EXECUTE format('SELECT count(*)::integer FROM %s', tbl) INTO n;
    ELSE
        EXECUTE format('SELECT coalesce(max(c), 0)::integer FROM (SELECT count(*) AS c FROM %s GROUP BY %I) s',
                       tbl, col) INTO n;
    END IF;
    RETURN n;
END $$;

-- Counts every relation again (after a bulk load with the triggers off, or to check).
CREATE FUNCTION list_sizes_rebuild() RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    r record;
    n integer;
BEGIN
    FOR r IN SELECT relation, max_size FROM list_sizes LOOP
        n := list_sizes_count(r.relation);
        UPDATE list_sizes SET max_size = n WHERE relation = r.relation AND max_size <> n;
    END LOOP;
END $$;

-- TG_ARGV: the parent columns whose relations the table backs, `*` for the whole table.
-- INSERT triggers see the new rows as `new_rows`, DELETE triggers the old ones as `old_rows`.
CREATE FUNCTION list_sizes_track() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    col text;
    rel text;
    kept integer;
    touched integer;
    n integer;
BEGIN
    FOREACH col IN ARRAY TG_ARGV LOOP
        IF col = '*' THEN
            rel := TG_TABLE_NAME;
            n := list_sizes_count(rel);
        ELSE
            rel := TG_TABLE_NAME || '.' || col;
            SELECT max_size INTO kept FROM list_sizes WHERE relation = rel;
            IF TG_OP = 'INSERT' THEN
                -- Only the parents this statement added to can have grown.
                EXECUTE format(
                    'SELECT coalesce(max(c), 0)::integer FROM (SELECT count(*) AS c FROM %1$s t
                       WHERE t.%2$I IN (SELECT %2$I FROM new_rows) GROUP BY t.%2$I) s',
                    TG_RELID::regclass, col) INTO touched;
                n := greatest(kept, touched);
            ELSIF TG_OP = 'DELETE' THEN
                -- The largest list a touched parent held before the statement.
                EXECUTE format(
                    'SELECT coalesce(max(d.c + (SELECT count(*) FROM %1$s t WHERE t.%2$I = d.p)), 0)::integer
                       FROM (SELECT %2$I AS p, count(*) AS c FROM old_rows GROUP BY 1) d',
                    TG_RELID::regclass, col) INTO touched;
                IF touched >= kept THEN
                    n := list_sizes_count(rel);
                ELSE
                    n := kept;
                END IF;
            ELSE
                n := list_sizes_count(rel);
            END IF;
        END IF;
        UPDATE list_sizes SET max_size = n WHERE relation = rel AND max_size <> n;
    END LOOP;
    RETURN NULL;
END $$;

CREATE FUNCTION list_sizes_announce() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gcm_list_sizes', '');
    RETURN NULL;
END $$;

CREATE TRIGGER list_sizes_announce AFTER INSERT OR UPDATE ON list_sizes
    FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_announce();

CREATE TRIGGER item_objectives_list_sizes_insert AFTER INSERT ON item_objectives
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('item_id');
CREATE TRIGGER item_objectives_list_sizes_delete AFTER DELETE ON item_objectives
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('item_id');
CREATE TRIGGER item_objectives_list_sizes_update AFTER UPDATE OF item_id ON item_objectives
    FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('item_id');
CREATE TRIGGER item_principles_list_sizes_insert AFTER INSERT ON item_principles
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('item_id');
CREATE TRIGGER item_principles_list_sizes_delete AFTER DELETE ON item_principles
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('item_id');
CREATE TRIGGER item_principles_list_sizes_update AFTER UPDATE OF item_id ON item_principles
    FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('item_id');
CREATE TRIGGER item_regions_list_sizes_insert AFTER INSERT ON item_regions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('item_id');
CREATE TRIGGER item_regions_list_sizes_delete AFTER DELETE ON item_regions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('item_id');
CREATE TRIGGER item_regions_list_sizes_update AFTER UPDATE OF item_id ON item_regions
    FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('item_id');
CREATE TRIGGER item_countries_list_sizes_insert AFTER INSERT ON item_countries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('item_id');
CREATE TRIGGER item_countries_list_sizes_delete AFTER DELETE ON item_countries
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('item_id');
CREATE TRIGGER item_countries_list_sizes_update AFTER UPDATE OF item_id ON item_countries
    FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('item_id');
CREATE TRIGGER item_guidance_sources_list_sizes_insert AFTER INSERT ON item_guidance_sources
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('item_id', 'guidance_source_id');
CREATE TRIGGER item_guidance_sources_list_sizes_delete AFTER DELETE ON item_guidance_sources
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('item_id', 'guidance_source_id');
CREATE TRIGGER item_guidance_sources_list_sizes_update AFTER UPDATE OF item_id, guidance_source_id ON item_guidance_sources
    FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('item_id', 'guidance_source_id');
CREATE TRIGGER item_actions_list_sizes_insert AFTER INSERT ON item_actions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('item_id');
CREATE TRIGGER item_actions_list_sizes_delete AFTER DELETE ON item_actions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('item_id');
CREATE TRIGGER item_actions_list_sizes_update AFTER UPDATE OF item_id ON item_actions
    FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('item_id');
CREATE TRIGGER guidance_source_actions_list_sizes_insert AFTER INSERT ON guidance_source_actions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('action_id', 'guidance_source_id');
CREATE TRIGGER guidance_source_actions_list_sizes_delete AFTER DELETE ON guidance_source_actions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('action_id', 'guidance_source_id');
CREATE TRIGGER guidance_source_actions_list_sizes_update AFTER UPDATE OF action_id, guidance_source_id ON guidance_source_actions
    FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('action_id', 'guidance_source_id');
CREATE TRIGGER actions_list_sizes_insert AFTER INSERT ON actions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('objective_number');
CREATE TRIGGER actions_list_sizes_delete AFTER DELETE ON actions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('objective_number');
CREATE TRIGGER actions_list_sizes_update AFTER UPDATE OF objective_number ON actions
    FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('objective_number');
CREATE TRIGGER guidance_sources_list_sizes_insert AFTER INSERT ON guidance_sources
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('objective_number');
CREATE TRIGGER guidance_sources_list_sizes_delete AFTER DELETE ON guidance_sources
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('objective_number');
CREATE TRIGGER guidance_sources_list_sizes_update AFTER UPDATE OF objective_number ON guidance_sources
    FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('objective_number');
CREATE TRIGGER related_objectives_list_sizes_insert AFTER INSERT ON related_objectives
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('objective_number');
CREATE TRIGGER related_objectives_list_sizes_delete AFTER DELETE ON related_objectives
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('objective_number');
CREATE TRIGGER related_objectives_list_sizes_update AFTER UPDATE OF objective_number ON related_objectives
    FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('objective_number');
CREATE TRIGGER objective_instruments_list_sizes_insert AFTER INSERT ON objective_instruments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('objective_number');
CREATE TRIGGER objective_instruments_list_sizes_delete AFTER DELETE ON objective_instruments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('objective_number');
CREATE TRIGGER objective_instruments_list_sizes_update AFTER UPDATE OF objective_number ON objective_instruments
    FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('objective_number');
CREATE TRIGGER policy_options_list_sizes_insert AFTER INSERT ON policy_options
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('objective_number');
CREATE TRIGGER policy_options_list_sizes_delete AFTER DELETE ON policy_options
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('objective_number');
CREATE TRIGGER policy_options_list_sizes_update AFTER UPDATE OF objective_number ON policy_options
    FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('objective_number');
CREATE TRIGGER countries_list_sizes_insert AFTER INSERT ON countries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('region_id', '*');
CREATE TRIGGER countries_list_sizes_delete AFTER DELETE ON countries
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('region_id', '*');
CREATE TRIGGER countries_list_sizes_update AFTER UPDATE OF region_id ON countries
    FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('region_id');
CREATE TRIGGER objectives_list_sizes_insert AFTER INSERT ON objectives
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('*');
CREATE TRIGGER objectives_list_sizes_delete AFTER DELETE ON objectives
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('*');
CREATE TRIGGER guiding_principles_list_sizes_insert AFTER INSERT ON guiding_principles
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('*');
CREATE TRIGGER guiding_principles_list_sizes_delete AFTER DELETE ON guiding_principles
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('*');
CREATE TRIGGER regions_list_sizes_insert AFTER INSERT ON regions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('*');
CREATE TRIGGER regions_list_sizes_delete AFTER DELETE ON regions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('*');
CREATE TRIGGER document_types_list_sizes_insert AFTER INSERT ON document_types
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('*');
CREATE TRIGGER document_types_list_sizes_delete AFTER DELETE ON document_types
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('*');
CREATE TRIGGER instruments_list_sizes_insert AFTER INSERT ON instruments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('*');
CREATE TRIGGER instruments_list_sizes_delete AFTER DELETE ON instruments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('*');
CREATE TRIGGER reviews_list_sizes_insert AFTER INSERT ON reviews
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('submission_id');
CREATE TRIGGER reviews_list_sizes_delete AFTER DELETE ON reviews
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('submission_id');
CREATE TRIGGER reviews_list_sizes_update AFTER UPDATE OF submission_id ON reviews
    FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('submission_id');
CREATE TRIGGER submissions_list_sizes_insert AFTER INSERT ON submissions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('submitter_id', '*');
CREATE TRIGGER submissions_list_sizes_delete AFTER DELETE ON submissions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('submitter_id', '*');
CREATE TRIGGER submissions_list_sizes_update AFTER UPDATE OF submitter_id ON submissions
    FOR EACH STATEMENT EXECUTE FUNCTION list_sizes_track('submitter_id');

INSERT INTO list_sizes (relation, max_size)
SELECT relation, list_sizes_count(relation) FROM unnest(ARRAY[
    'item_objectives.item_id',
    'item_principles.item_id',
    'item_regions.item_id',
    'item_countries.item_id',
    'item_guidance_sources.item_id',
    'item_guidance_sources.guidance_source_id',
    'item_actions.item_id',
    'guidance_source_actions.action_id',
    'guidance_source_actions.guidance_source_id',
    'actions.objective_number',
    'guidance_sources.objective_number',
    'related_objectives.objective_number',
    'objective_instruments.objective_number',
    'policy_options.objective_number',
    'countries.region_id',
    'countries',
    'objectives',
    'guiding_principles',
    'regions',
    'document_types',
    'instruments',
    'reviews.submission_id',
    'submissions.submitter_id',
    'submissions'
]) AS relation;
