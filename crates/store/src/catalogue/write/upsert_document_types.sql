INSERT INTO document_types (slug, name, position)
SELECT * FROM unnest($1::text[], $2::text[], $3::int4[])
ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, position = EXCLUDED.position
WHERE (document_types.name, document_types.position)
      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.position)
