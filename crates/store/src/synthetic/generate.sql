-- Synthetic catalogue for load tests: SYNTHETIC DATA, NOT GCM CONTENT.
-- Every row it writes is labelled: slugs start with `synthetic-`, texts say "Synthetic",
-- and `source` is {"synthetic": true, "seed": <seed>}.
-- Parameters: $1 items, $2 guidance sources, $3 seed. Needs the reference lists
-- (objectives, countries, regions, principles, document types) to be loaded first.
-- Pseudo-randomness is hashint8extended(i, seed + salt): the same seed gives the same catalogue.

CREATE TEMP TABLE syn_params ON COMMIT DROP AS SELECT $1::int AS items, $2::int AS guidance, $3::bigint AS seed;

-- Actions for objectives whose text the catalogue does not hold, so traversals have shape.
INSERT INTO actions (objective_number, letter, text)
SELECT o.number, l.letter, 'Synthetic action ' || o.number || l.letter || ' (generated for load tests; not GCM text)'
FROM objectives o CROSS JOIN unnest(ARRAY['a', 'b', 'c', 'd', 'e', 'f']) AS l(letter)
WHERE NOT EXISTS (SELECT 1 FROM actions a WHERE a.objective_number = o.number)
ON CONFLICT DO NOTHING;

CREATE TEMP TABLE syn_vocab ON COMMIT DROP AS
SELECT row_number() OVER () - 1 AS n, w FROM unnest(ARRAY[
  'migration', 'migrants', 'portability', 'social', 'protection', 'labour', 'rights', 'integration',
  'returnees', 'remittances', 'recruitment', 'border', 'governance', 'data', 'skills', 'families',
  'health', 'education', 'climate', 'displacement', 'trafficking', 'smuggling', 'detention', 'consular',
  'identity', 'documentation', 'inclusion', 'xenophobia', 'diaspora', 'reintegration', 'pathways',
  'cooperation', 'women', 'children', 'workers', 'pensions', 'benefits', 'agreements', 'regional',
  'national', 'policy', 'toolkit', 'guidance', 'training', 'evidence', 'capacity', 'partnership',
  'communities', 'résilience', 'integración']) AS w;

INSERT INTO guidance_sources (slug, objective_number, mechanism, body, year, symbol, paragraph, guidance, position, source)
SELECT 'synthetic-guidance-' || g,
       1 + ((g - 1) % 23),
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

-- Items: kinds 60% resources, 25% events, 15% projects; scopes 20% global, 30% regional, 50% national.
CREATE TEMP TABLE syn_items ON COMMIT DROP AS
SELECT i,
       abs(hashint8extended(i, (SELECT seed FROM syn_params) + 1)) AS h1,
       abs(hashint8extended(i, (SELECT seed FROM syn_params) + 2)) AS h2,
       abs(hashint8extended(i, (SELECT seed FROM syn_params) + 3)) AS h3
FROM generate_series(1, (SELECT items FROM syn_params)) AS i;

INSERT INTO items (slug, kind, section, document_type_id, title, title_provenance, summary, published_on,
                   language, organisation, city, scope, position, source)
SELECT 'synthetic-item-' || s.i,
       k.kind,
       CASE WHEN k.kind = 'resource' THEN (ARRAY['documents', 'training_and_guidance', 'videos'])[1 + s.h2 % 3] END,
       CASE WHEN k.kind = 'resource' AND s.h3 % 3 <> 0
            THEN (SELECT d.id FROM document_types d ORDER BY d.position OFFSET (s.h3 % 12) LIMIT 1) END,
       'Synthetic ' || k.kind || ' ' || s.i || ' on ' || v1.w || ' and ' || v2.w,
       'seed',
       'Synthetic summary for load tests: ' || v1.w || ' ' || v2.w || ' ' || v3.w || ' ' || v4.w
           || ' of migrant workers, item ' || s.i || '.',
       CASE WHEN k.kind = 'resource' THEN date '2010-01-01' + (s.h2 % 5800)::int END,
       CASE WHEN k.kind = 'resource' THEN (ARRAY['en', 'en', 'en', 'fr', 'es', 'ar', 'ru', 'zh'])[1 + s.h3 % 8] END,
       CASE WHEN s.h3 % 5 = 0 THEN 'Synthetic Organisation ' || (s.h3 % 60) END,
       CASE WHEN k.kind = 'event' THEN 'Synthetic City ' || (s.h2 % 300) END,
       (ARRAY['global', 'global', 'regional', 'regional', 'regional', 'national', 'national', 'national', 'national', 'national'])[1 + s.h1 % 10],
       s.i,
       jsonb_build_object('synthetic', true, 'seed', (SELECT seed FROM syn_params))
FROM syn_items s
CROSS JOIN LATERAL (SELECT CASE WHEN s.h1 % 20 < 12 THEN 'resource' WHEN s.h1 % 20 < 17 THEN 'event' ELSE 'project' END AS kind) k
JOIN syn_vocab v1 ON v1.n = s.h1 % 50
JOIN syn_vocab v2 ON v2.n = s.h2 % 50
JOIN syn_vocab v3 ON v3.n = s.h3 % 50
JOIN syn_vocab v4 ON v4.n = (s.h1 / 7) % 50;

CREATE TEMP TABLE syn_new ON COMMIT DROP AS
SELECT it.id, it.kind, it.scope, s.h1, s.h2, s.h3
FROM items it JOIN syn_items s ON it.slug = 'synthetic-item-' || s.i;

-- Objectives: one to three per item, skewed towards low-numbered objectives.
INSERT INTO item_objectives (item_id, objective_number)
SELECT DISTINCT n.id, 1 + floor(23 * power((abs(hashint8extended(n.id::int8 * 3 + k, (SELECT seed FROM syn_params))) % 10000) / 10000.0, 1.6))::int
FROM syn_new n CROSS JOIN generate_series(0, 2) AS k
WHERE k <= n.h2 % 3;

-- Countries of national items: one or two, heavily skewed (a few countries hold most items).
CREATE TEMP TABLE syn_countries ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY c.position) - 1 AS n, c.id, c.region_id FROM countries c;

INSERT INTO item_countries (item_id, country_id)
SELECT DISTINCT n.id, c.id
FROM syn_new n CROSS JOIN generate_series(0, 1) AS k
JOIN syn_countries c ON c.n = floor((SELECT count(*) FROM syn_countries)
     * power((abs(hashint8extended(n.id::int8 * 5 + k, (SELECT seed FROM syn_params))) % 10000) / 10000.0, 3))::int
WHERE n.scope = 'national' AND k <= n.h3 % 2;

-- Regions: a regional item's one region; a national item's countries' regions.
INSERT INTO item_regions (item_id, region_id)
SELECT n.id, r.id FROM syn_new n
JOIN regions r ON r.position = 1 + n.h3 % 5
WHERE n.scope = 'regional'
UNION
SELECT ic.item_id, c.region_id FROM item_countries ic JOIN countries c ON c.id = ic.country_id
JOIN syn_new n ON n.id = ic.item_id;

-- Event country: the first country of a national event.
UPDATE items it SET event_country_id = (SELECT min(ic.country_id) FROM item_countries ic WHERE ic.item_id = it.id)
FROM syn_new n WHERE n.id = it.id AND n.kind = 'event' AND n.scope = 'national';

-- Principles: about half of the items carry one.
INSERT INTO item_principles (item_id, principle_id)
SELECT n.id, p.id FROM syn_new n JOIN guiding_principles p ON p.position = 1 + n.h1 % 10
WHERE n.h2 % 2 = 0;

-- Guidance: most items relate to one guidance source of one of their objectives. Synthetic
-- guidance g belongs to objective 1 + (g - 1) % 23, so objective o's sources are o + 23k.
INSERT INTO item_guidance_sources (item_id, guidance_source_id)
SELECT io.item_id, gs.id
FROM (SELECT DISTINCT ON (item_id) item_id, objective_number FROM item_objectives
      WHERE item_id IN (SELECT id FROM syn_new) ORDER BY item_id, objective_number) io
JOIN syn_new n ON n.id = io.item_id
JOIN guidance_sources gs ON gs.slug = 'synthetic-guidance-' || (io.objective_number + 23 * ((n.h3 / 11)
     % greatest(1, ((SELECT guidance FROM syn_params) - io.objective_number) / 23 + 1)))
WHERE n.h1 % 10 < 8;

UPDATE catalogue_version SET version = version + 1, changed_at = now();
