INSERT INTO regions (slug, name, m49_code, position, source)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int4[], $5::jsonb[])
ON CONFLICT (slug) DO UPDATE SET
    name = EXCLUDED.name, m49_code = EXCLUDED.m49_code, position = EXCLUDED.position,
    source = EXCLUDED.source
WHERE (regions.name, regions.m49_code, regions.position, regions.source)
      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.m49_code, EXCLUDED.position, EXCLUDED.source)
