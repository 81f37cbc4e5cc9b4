-- Per objective a guidance file covers and per kind of mechanism: the rows loaded and the
-- publication's own statement about that kind (`note_as_given`, e.g. "There is currently
-- no explicit guidance from the Treaty Bodies on this objective"), with the publication.
-- The files' documents keep these (catalogue_files); the rows are guidance_sources. A
-- statement that names its publication (`publication`, an `id` the importer checked) is
-- attributed to it, otherwise to the publication its file describes.
SELECT f.objective_number, m.mechanism,
       (SELECT count(*) FROM guidance_sources g
         WHERE g.objective_number = f.objective_number AND g.mechanism = m.mechanism) AS count,
       f.document #>> ARRAY[m.file_key, 'note_as_given'] AS statement,
       coalesce((SELECT p.document -> 'publication' FROM catalogue_files p
                  WHERE p.document -> 'publication' ->> 'id'
                        = f.document #>> ARRAY[m.file_key, 'publication'] LIMIT 1),
                f.document -> 'publication') AS publication
  FROM (SELECT (document ->> 'objective')::int4 AS objective_number, document
          FROM catalogue_files
         WHERE document ? 'publication' AND jsonb_typeof(document -> 'objective') = 'number') f
 CROSS JOIN (VALUES (1, 'special_procedure', 'special_procedures'),
                    (2, 'treaty_body', 'treaty_bodies')) AS m(position, mechanism, file_key)
 WHERE f.objective_number = ANY($1)
 ORDER BY f.objective_number, m.position
