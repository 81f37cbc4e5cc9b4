-- The heavy statements of workloads (3)-(5), as crates/store/src/models/item_pages.rs
-- writes them for these filters, with the benchmark's values in place of the parameters.
-- Since migration 3 a filter on one country (or objective, region, principle) reads that
-- link table's listing (copied listing keys behind a partial index in list order).
-- Run against a generated database: psql -d gcm_bench_l -v country=XXX -f bench/explain/l.sql
\set ON_ERROR_STOP on
\timing off

\echo '(3) page: resources of :country, documents, first 21, global first'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT i.id, i.slug FROM item_countries l JOIN items i ON i.id = l.item_id
 WHERE l.listed AND l.country_id = (SELECT g.id FROM countries g WHERE g.iso3 = (ARRAY[:'country']::text[])[1])
   AND l.kind = ('{resource}'::text[])[1] AND l.section = ANY('{documents}'::text[])
 ORDER BY l.scope_rank, l.age_rank, l.item_id LIMIT 21;

\echo '(3) totalCount'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT count(*) FROM item_countries l
 WHERE l.listed AND l.country_id = (SELECT g.id FROM countries g WHERE g.iso3 = (ARRAY[:'country']::text[])[1])
   AND l.kind = ('{resource}'::text[])[1] AND l.section = ANY('{documents}'::text[]);

\echo '(4) search page: "remittances", first 21, global first'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT i.id, i.slug FROM items i
 WHERE i.status = 'published' AND i.search @@ websearch_to_tsquery('gcm', 'remittances')
 ORDER BY i.scope_rank, i.age_rank, i.id LIMIT 21;

\echo '(4) totalCount'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT count(*) FROM items i
 WHERE i.status = 'published' AND i.search @@ websearch_to_tsquery('gcm', 'remittances');

\echo '(5) facets of objective 22: total, kinds, objectives, principles, regions (the dimensions asked for)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
WITH m AS MATERIALIZED (SELECT l.item_id AS id, l.kind FROM item_objectives l
                        WHERE l.listed AND l.objective_number = ('{22}'::int4[])[1])
SELECT 'total', '', count(*) FROM m
UNION ALL SELECT 'kind', m.kind, count(*) FROM m GROUP BY m.kind
UNION ALL SELECT 'objective', l.objective_number::text, count(*)
  FROM m JOIN item_objectives l ON l.item_id = m.id GROUP BY l.objective_number
UNION ALL SELECT 'principle', g.slug, count(*) FROM m JOIN item_principles l ON l.item_id = m.id
  JOIN guiding_principles g ON g.id = l.principle_id GROUP BY g.slug
UNION ALL SELECT 'region', g.slug, count(*) FROM m JOIN item_regions l ON l.item_id = m.id
  JOIN regions g ON g.id = l.region_id GROUP BY g.slug;

\echo '(4) count { count precision }: the matches counted up to 10,001'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT count(*) FROM (SELECT FROM items i
 WHERE i.status = 'published' AND i.search @@ websearch_to_tsquery('gcm', 'remittances') LIMIT 10001) AS m;

-- The store sends these texts as prepared statements (crates/store/src/prepared.rs), so
-- after five executions PostgreSQL may switch to a generic plan, made without the values.
-- The statements below have the store's shape (the filter's values as array parameters);
-- forcing the generic plan shows whether it keeps the custom plan's index. If it did not,
-- the store would set plan_cache_mode = force_custom_plan for that text.
SET plan_cache_mode = force_generic_plan;
PREPARE page3(text[], text[], text[], int8) AS
SELECT i.id, i.slug FROM item_countries l JOIN items i ON i.id = l.item_id
 WHERE l.listed AND l.country_id = (SELECT g.id FROM countries g WHERE g.iso3 = ($1::text[])[1])
   AND l.kind = ($2::text[])[1] AND l.section = ANY($3::text[])
 ORDER BY l.scope_rank, l.age_rank, l.item_id LIMIT $4::int8;
PREPARE search4(text, int8) AS
SELECT i.id, i.slug FROM items i
 WHERE i.status = 'published' AND i.search @@ websearch_to_tsquery('gcm', $1::text)
 ORDER BY i.scope_rank, i.age_rank, i.id LIMIT $2::int8;
PREPARE count4(text, int8) AS
SELECT count(*) FROM (SELECT FROM items i
 WHERE i.status = 'published' AND i.search @@ websearch_to_tsquery('gcm', $1::text) LIMIT $2::int8) AS m;

\echo '(3) page, generic plan'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE page3(ARRAY[:'country'], '{resource}', '{documents}', 21);
\echo '(4) search page, generic plan'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE search4('remittances', 21);
\echo '(4) count up to 10,001, generic plan'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE count4('remittances', 10001);
RESET plan_cache_mode;
