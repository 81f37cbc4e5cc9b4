INSERT INTO catalogue_files (file_name, document)
SELECT * FROM unnest($1::text[], $2::jsonb[])
ON CONFLICT (file_name) DO UPDATE
SET document = EXCLUDED.document, imported_at = now()
