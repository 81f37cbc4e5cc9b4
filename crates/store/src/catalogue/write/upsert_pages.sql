INSERT INTO objective_pages (objective_number, source)
SELECT * FROM unnest($1::int4[], $2::jsonb[])
ON CONFLICT (objective_number) DO UPDATE SET source = EXCLUDED.source
WHERE objective_pages.source IS DISTINCT FROM EXCLUDED.source
