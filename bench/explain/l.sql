-- The heavy statements of workloads (3)-(5), as crates/store/src/models/item_pages.rs
-- writes them for these filters, with the benchmark's values in place of the parameters.
-- Run against a generated database: psql -d gcm_bench_l -v country=XXX -f bench/explain/l.sql
\set ON_ERROR_STOP on
\timing off

\echo '(3) page: resources of :country, documents, first 21, global first'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT i.id, i.slug FROM items i
 WHERE i.status = 'published' AND i.kind = ANY('{resource}'::text[])
   AND EXISTS (SELECT 1 FROM item_countries f JOIN countries g ON g.id = f.country_id
               WHERE f.item_id = i.id AND g.iso3 = ANY(ARRAY[:'country']::text[]))
   AND i.section = ANY('{documents}'::text[])
 ORDER BY i.scope_rank, i.age_rank, i.id LIMIT 21;

\echo '(3) totalCount'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT count(*) FROM items i
 WHERE i.status = 'published' AND i.kind = ANY('{resource}'::text[])
   AND EXISTS (SELECT 1 FROM item_countries f JOIN countries g ON g.id = f.country_id
               WHERE f.item_id = i.id AND g.iso3 = ANY(ARRAY[:'country']::text[]))
   AND i.section = ANY('{documents}'::text[]);

\echo '(4) search page: "remittances", first 21, global first'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT i.id, i.slug FROM items i
 WHERE i.status = 'published' AND i.search @@ websearch_to_tsquery('gcm', 'remittances')
 ORDER BY i.scope_rank, i.age_rank, i.id LIMIT 21;

\echo '(4) totalCount'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT count(*) FROM items i
 WHERE i.status = 'published' AND i.search @@ websearch_to_tsquery('gcm', 'remittances');

\echo '(5) facets of objective 22 (the materialized set and two of its groupings)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
WITH m AS MATERIALIZED (SELECT i.id, i.kind FROM items i
  WHERE i.status = 'published'
    AND EXISTS (SELECT 1 FROM item_objectives f WHERE f.item_id = i.id AND f.objective_number = ANY('{22}'::int4[])))
SELECT 'total', '', count(*) FROM m
UNION ALL SELECT 'kind', m.kind, count(*) FROM m GROUP BY m.kind
UNION ALL SELECT 'objective', l.objective_number::text, count(*)
  FROM m JOIN item_objectives l ON l.item_id = m.id GROUP BY l.objective_number;
