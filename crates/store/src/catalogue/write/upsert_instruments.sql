INSERT INTO instruments (code, kind, number, year, title, source)
SELECT * FROM unnest($1::text[], $2::text[], $3::int4[], $4::int4[], $5::text[], $6::jsonb[])
ON CONFLICT (code) DO UPDATE SET
    kind = EXCLUDED.kind, number = EXCLUDED.number, year = EXCLUDED.year,
    title = EXCLUDED.title, source = EXCLUDED.source
WHERE (instruments.kind, instruments.number, instruments.year, instruments.title,
       instruments.source)
      IS DISTINCT FROM
      (EXCLUDED.kind, EXCLUDED.number, EXCLUDED.year, EXCLUDED.title, EXCLUDED.source)
