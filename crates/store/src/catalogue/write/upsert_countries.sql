INSERT INTO countries (iso2, iso3, iso_numeric, name, slug, kind, region_id, position, source)
SELECT i.iso2, i.iso3, i.iso_numeric, i.name, i.slug, i.kind, r.id, i.position, i.source
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
            $7::text[], $8::int4[], $9::jsonb[])
     AS i(iso2, iso3, iso_numeric, name, slug, kind, region, position, source)
JOIN regions r ON r.slug = i.region
WHERE true
ON CONFLICT (iso3) DO UPDATE SET
    iso2 = EXCLUDED.iso2, iso_numeric = EXCLUDED.iso_numeric, name = EXCLUDED.name,
    slug = EXCLUDED.slug, kind = EXCLUDED.kind, region_id = EXCLUDED.region_id,
    position = EXCLUDED.position, source = EXCLUDED.source
WHERE (countries.iso2, countries.iso_numeric, countries.name, countries.slug,
       countries.kind, countries.region_id, countries.position, countries.source)
      IS DISTINCT FROM
      (EXCLUDED.iso2, EXCLUDED.iso_numeric, EXCLUDED.name, EXCLUDED.slug, EXCLUDED.kind,
       EXCLUDED.region_id, EXCLUDED.position, EXCLUDED.source)
