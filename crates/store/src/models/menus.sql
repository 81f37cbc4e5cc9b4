-- The Hub's five menus, entry by entry in page order: the catalogue's records plus the
-- entries that are not records, which the importer keeps in each file's document
-- (objectives.json `general_menu_entry`, principles.json `extra_menu_entries`,
-- countries.json `$non_country_entries`). `selects` says what an entry's filter is:
-- a record's key, or for an extra entry its `filter` as the importer checked it
-- (`general`: items tagged with no objective; `scope_global`), the `global` country kind
-- meaning `scope_global`; NULL when the source does not say.
SELECT 'objectives' AS menu, o.number AS position,
       coalesce(o.source->>'menu_label', o.number || ' - ' || o.short_name) AS label,
       NULL::text AS note, 'objective' AS selects, o.number::text AS key
  FROM objectives o
UNION ALL
SELECT 'objectives', (e->>'menu_position')::int4, e->>'label', e->>'note',
       e->>'filter', NULL
  FROM catalogue_files f CROSS JOIN LATERAL jsonb_path_query(f.document, '$.general_menu_entry') e
 WHERE f.file_name = 'objectives.json'
UNION ALL
SELECT 'principles', p.position, p.name, NULL, 'principle', p.slug FROM guiding_principles p
UNION ALL
SELECT 'principles', (e->>'menu_position')::int4, e->>'label', e->>'note',
       e->>'filter', NULL
  FROM catalogue_files f CROSS JOIN LATERAL jsonb_array_elements(f.document->'extra_menu_entries') e
 WHERE f.file_name = 'principles.json'
UNION ALL
SELECT 'regions', r.position, r.name, NULL, 'region', r.slug FROM regions r
UNION ALL
SELECT 'countries', c.position, c.name, NULL, 'country', c.iso3 FROM countries c
UNION ALL
SELECT 'countries', (e->>'position')::int4, e->>'name', e->>'notes',
       CASE WHEN e->>'kind' = 'global' THEN 'scope_global' END, NULL
  FROM catalogue_files f CROSS JOIN LATERAL jsonb_array_elements(f.document->'$non_country_entries') e
 WHERE f.file_name = 'countries.json'
UNION ALL
SELECT 'document_types', d.position, d.name, NULL, 'document_type', d.slug FROM document_types d
ORDER BY 1, 2
