-- Synthetic catalogue for load tests: SYNTHETIC DATA, NOT GCM CONTENT.
-- Every row it writes is labelled: slugs start with `synthetic-`, texts say "Synthetic",
-- and `source` is {"synthetic": true, "seed": <seed>}.
-- Parameters: $1 items, $2 guidance sources, $3 seed. Needs the reference lists
-- (objectives, countries, regions, principles, document types) to be loaded first.
-- Pseudo-randomness is hashint8extended(i, seed + salt): the same seed gives the same catalogue.
-- Speed: every choice of an item (kind, scope, objectives, countries, guidance) is computed
-- once from its ordinal into temp tables (syn_items, syn_item_objectives, syn_item_countries),
-- so each table gets one set-based INSERT and no row is written twice. At a million items
-- most of the time is PostgreSQL computing the items' generated `search` column.

-- The kept facet counts (migration 4) are rebuilt once at the end: one group-by over all
-- links beats a pass per link insert over a million items' links.
ALTER TABLE item_objectives DISABLE TRIGGER item_objectives_facet_counts_insert;
ALTER TABLE item_principles DISABLE TRIGGER item_principles_facet_counts_insert;
ALTER TABLE item_regions DISABLE TRIGGER item_regions_facet_counts_insert;
ALTER TABLE item_countries DISABLE TRIGGER item_countries_facet_counts_insert;

CREATE TEMP TABLE syn_params ON COMMIT DROP AS SELECT $1::int AS items, $2::int AS guidance, $3::bigint AS seed;

-- Actions for objectives whose text the catalogue does not hold, so traversals have shape.
INSERT INTO actions (objective_number, letter, text)
SELECT o.number, l.letter, 'Synthetic action ' || o.number || l.letter || ' (generated for load tests; not GCM text)'
FROM objectives o CROSS JOIN unnest(ARRAY['a', 'b', 'c', 'd', 'e', 'f']) AS l(letter)
WHERE NOT EXISTS (SELECT 1 FROM actions a WHERE a.objective_number = o.number)
ON CONFLICT DO NOTHING;

CREATE TEMP TABLE syn_vocab ON COMMIT DROP AS
SELECT (row_number() OVER () - 1)::int AS n, w FROM unnest(ARRAY[
  'migration', 'migrants', 'portability', 'social', 'protection', 'labour', 'rights', 'integration',
  'returnees', 'remittances', 'recruitment', 'border', 'governance', 'data', 'skills', 'families',
  'health', 'education', 'climate', 'displacement', 'trafficking', 'smuggling', 'detention', 'consular',
  'identity', 'documentation', 'inclusion', 'xenophobia', 'diaspora', 'reintegration', 'pathways',
  'cooperation', 'women', 'children', 'workers', 'pensions', 'benefits', 'agreements', 'regional',
  'national', 'policy', 'toolkit', 'guidance', 'training', 'evidence', 'capacity', 'partnership',
  'communities', 'résilience', 'integración']) AS w;

INSERT INTO guidance_sources (slug, objective_number, mechanism, body, year, symbol, paragraph, guidance, position, source)
SELECT 'synthetic-guidance-' || g,
       1 + (g % 23),
       CASE WHEN g % 4 = 0 THEN 'treaty_body' ELSE 'special_procedure' END,
       'Synthetic mechanism ' || (g % 37),
       1995 + (g % 30),
       'A/SYN/' || (g % 80) || '/' || g,
       (1 + g % 120)::text,
       'Synthetic guidance ' || g || ': ' || (SELECT string_agg(v.w, ' ') FROM syn_vocab v
           WHERE v.n IN (g % 50, (g * 7) % 50, (g * 13) % 50)),
       100000 + g,
       jsonb_build_object('synthetic', true, 'seed', (SELECT seed FROM syn_params))
FROM generate_series(1, (SELECT guidance FROM syn_params)) AS g;

INSERT INTO guidance_source_actions (guidance_source_id, action_id)
SELECT DISTINCT gs.id, a.id
FROM guidance_sources gs
JOIN LATERAL (
    SELECT a.id FROM actions a WHERE a.objective_number = gs.objective_number
    ORDER BY hashint8extended(gs.id::int8 * 31 + a.id, (SELECT seed FROM syn_params)) LIMIT 2
) a ON true
WHERE gs.slug LIKE 'synthetic-%';

-- Lookup tables by ordinal, so item choices are equi-joins rather than per-row subqueries.
CREATE TEMP TABLE syn_countries ON COMMIT DROP AS
SELECT (row_number() OVER (ORDER BY c.position) - 1)::int AS n, c.id, c.region_id FROM countries c;

CREATE TEMP TABLE syn_document_types ON COMMIT DROP AS
SELECT (row_number() OVER (ORDER BY d.position) - 1)::int AS n, d.id FROM document_types d;

CREATE TEMP TABLE syn_guidance ON COMMIT DROP AS
SELECT gs.objective_number,
       (row_number() OVER (PARTITION BY gs.objective_number ORDER BY gs.position) - 1)::int AS n,
       gs.id
FROM guidance_sources gs WHERE gs.slug LIKE 'synthetic-%';

CREATE TEMP TABLE syn_guidance_counts ON COMMIT DROP AS
SELECT objective_number, count(*)::int AS of_objective FROM syn_guidance GROUP BY objective_number;

-- Every item's choices. Kinds 60% resources, 25% events, 15% projects; scopes 20% global,
-- 30% regional, 50% national.
CREATE TEMP TABLE syn_items ON COMMIT DROP AS
SELECT h.i, h.h1, h.h2, h.h3,
       CASE WHEN h.h1 % 20 < 12 THEN 'resource' WHEN h.h1 % 20 < 17 THEN 'event' ELSE 'project' END AS kind,
       (ARRAY['global', 'global', 'regional', 'regional', 'regional', 'national', 'national', 'national', 'national', 'national'])[1 + (h.h1 / 20) % 10] AS scope
FROM (SELECT i,
             abs(hashint8extended(i, (SELECT seed FROM syn_params) + 1)) AS h1,
             abs(hashint8extended(i, (SELECT seed FROM syn_params) + 2)) AS h2,
             abs(hashint8extended(i, (SELECT seed FROM syn_params) + 3)) AS h3
      FROM generate_series(1, (SELECT items FROM syn_params)) AS i) h;

-- One to three objectives per item, skewed towards low numbers: one row per draw, equal
-- draws merged (set-based; a per-item array subquery took most of a minute at a million).
CREATE TEMP TABLE syn_item_objectives ON COMMIT DROP AS
SELECT DISTINCT s.i, 1 + floor(23 * power((abs(hashint8extended(s.i * 3 + k, p.seed)) % 10000) / 10000.0, 1.6))::int AS number
FROM syn_items s CROSS JOIN syn_params p CROSS JOIN generate_series(0, 2) AS k
WHERE k <= s.h2 % 3;

-- National items are in one or two countries (ordinals into syn_countries), heavily
-- skewed: a few countries hold most items.
CREATE TEMP TABLE syn_item_countries ON COMMIT DROP AS
SELECT DISTINCT s.i, floor(c.countries * power((abs(hashint8extended(s.i * 5 + k, p.seed)) % 10000) / 10000.0, 3))::int AS n
FROM syn_items s CROSS JOIN syn_params p CROSS JOIN generate_series(0, 1) AS k
CROSS JOIN (SELECT count(*) AS countries FROM syn_countries) c
WHERE k <= s.h3 % 2 AND s.scope = 'national';

ANALYZE syn_items;
ANALYZE syn_item_objectives;
ANALYZE syn_item_countries;

-- The new items with their listing keys, which the links below carry (see migration 3).
CREATE TEMP TABLE syn_new (id integer NOT NULL, i bigint NOT NULL, kind text NOT NULL, section text,
                           scope_rank smallint NOT NULL, age_rank integer NOT NULL) ON COMMIT DROP;

-- A national event's country is the first of its countries.
WITH inserted AS (
    INSERT INTO items (slug, kind, section, document_type_id, title, title_provenance, summary, published_on,
                       language, organisation, city, event_country_id, scope, position, source)
    SELECT 'synthetic-item-' || s.i,
           s.kind,
           CASE WHEN s.kind = 'resource' THEN (ARRAY['documents', 'training_and_guidance', 'videos'])[1 + s.h2 % 3] END,
           CASE WHEN s.kind = 'resource' AND s.h3 % 3 <> 0 THEN d.id END,
           'Synthetic ' || s.kind || ' ' || s.i || ' on ' || v1.w || ' and ' || v2.w,
           'seed',
           'Synthetic summary for load tests: ' || v1.w || ' ' || v2.w || ' ' || v3.w || ' ' || v4.w
               || ' of migrant workers, item ' || s.i || '.',
           CASE WHEN s.kind = 'resource' THEN date '2010-01-01' + (s.h2 % 5800)::int END,
           CASE WHEN s.kind = 'resource' THEN (ARRAY['en', 'en', 'en', 'fr', 'es', 'ar', 'ru', 'zh'])[1 + s.h3 % 8] END,
           CASE WHEN s.h3 % 5 = 0 THEN 'Synthetic Organisation ' || (s.h3 % 60) END,
           CASE WHEN s.kind = 'event' THEN 'Synthetic City ' || (s.h2 % 300) END,
           CASE WHEN s.kind = 'event' AND s.scope = 'national' THEN ec.id END,
           s.scope,
           s.i,
           jsonb_build_object('synthetic', true, 'seed', (SELECT seed FROM syn_params))
    FROM syn_items s
    JOIN syn_vocab v1 ON v1.n = s.h1 % 50
    JOIN syn_vocab v2 ON v2.n = s.h2 % 50
    JOIN syn_vocab v3 ON v3.n = s.h3 % 50
    JOIN syn_vocab v4 ON v4.n = (s.h1 / 7) % 50
    LEFT JOIN syn_document_types d ON d.n = s.h3 % 12
    LEFT JOIN (SELECT i, min(n) AS n FROM syn_item_countries GROUP BY i) first_country ON first_country.i = s.i
    LEFT JOIN syn_countries ec ON ec.n = first_country.n
    RETURNING id, position, kind, section, scope_rank, age_rank
)
INSERT INTO syn_new SELECT id, position, kind, section, scope_rank, age_rank FROM inserted;

ANALYZE syn_new;

-- Every generated item is published: the links' `listed` is true.
INSERT INTO item_objectives (item_id, objective_number, listed, kind, section, scope_rank, age_rank)
SELECT n.id, o.number, true, n.kind, n.section, n.scope_rank, n.age_rank
FROM syn_new n JOIN syn_item_objectives o USING (i);

INSERT INTO item_countries (item_id, country_id, listed, kind, section, scope_rank, age_rank)
SELECT n.id, c.id, true, n.kind, n.section, n.scope_rank, n.age_rank
FROM syn_new n JOIN syn_item_countries k USING (i) JOIN syn_countries c ON c.n = k.n;

-- Regions: a regional item's one region; a national item's countries' regions.
INSERT INTO item_regions (item_id, region_id, listed, kind, section, scope_rank, age_rank)
SELECT n.id, r.id, true, n.kind, n.section, n.scope_rank, n.age_rank
FROM syn_new n JOIN syn_items s USING (i) JOIN regions r ON r.position = 1 + s.h3 % 5
WHERE s.scope = 'regional'
UNION ALL
SELECT DISTINCT n.id, c.region_id, true, n.kind, n.section, n.scope_rank, n.age_rank
FROM syn_new n JOIN syn_item_countries k USING (i) JOIN syn_countries c ON c.n = k.n;

-- Principles: about half of the items carry one.
INSERT INTO item_principles (item_id, principle_id, listed, kind, section, scope_rank, age_rank)
SELECT n.id, p.id, true, n.kind, n.section, n.scope_rank, n.age_rank
FROM syn_new n JOIN syn_items s USING (i) JOIN guiding_principles p ON p.position = 1 + s.h1 % 10
WHERE s.h2 % 2 = 0;

-- Guidance: most items relate to one guidance source of their lowest-numbered objective.
INSERT INTO item_guidance_sources (item_id, guidance_source_id)
SELECT x.id, g.id
FROM (SELECT n.id, s.h3, o.objective
      FROM syn_new n JOIN syn_items s USING (i)
      JOIN (SELECT i, min(number) AS objective FROM syn_item_objectives GROUP BY i) o USING (i)
      WHERE s.h1 % 10 < 8) x
JOIN syn_guidance_counts c ON c.objective_number = x.objective
JOIN syn_guidance g ON g.objective_number = x.objective AND g.n = (x.h3 / 11) % c.of_objective;

UPDATE catalogue_version SET version = version + 1, changed_at = now();

ALTER TABLE item_objectives ENABLE TRIGGER item_objectives_facet_counts_insert;
ALTER TABLE item_principles ENABLE TRIGGER item_principles_facet_counts_insert;
ALTER TABLE item_regions ENABLE TRIGGER item_regions_facet_counts_insert;
ALTER TABLE item_countries ENABLE TRIGGER item_countries_facet_counts_insert;

SELECT facet_counts_rebuild();
