INSERT INTO guiding_principles (slug, name, position, source)
SELECT * FROM unnest($1::text[], $2::text[], $3::int4[], $4::jsonb[])
ON CONFLICT (slug) DO UPDATE SET
    name = EXCLUDED.name, position = EXCLUDED.position, source = EXCLUDED.source
WHERE (guiding_principles.name, guiding_principles.position, guiding_principles.source)
      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.position, EXCLUDED.source)
