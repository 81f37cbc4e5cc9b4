INSERT INTO actions (objective_number, letter, text)
SELECT * FROM unnest($1::int4[], $2::text[], $3::text[])
ON CONFLICT (objective_number, letter) DO UPDATE SET text = EXCLUDED.text
WHERE actions.text IS DISTINCT FROM EXCLUDED.text
