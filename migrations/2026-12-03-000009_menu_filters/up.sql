-- Catalogues imported before the menu extras carried their `filter` and the guidance
-- publication its `id`: give the stored documents what the importer now requires, with the
-- values the menus were served with before (the "General" entry selected `general` because
-- it is not an objective; "Global geographic scope" selected `scope_global` by its label).
UPDATE catalogue_files
   SET document = jsonb_set(document, '{general_menu_entry,filter}',
                            CASE WHEN (document #>> '{general_menu_entry,is_objective}')::boolean
                                      IS FALSE
                                 THEN '"general"'::jsonb ELSE 'null'::jsonb END)
 WHERE file_name = 'objectives.json'
   AND jsonb_typeof(document -> 'general_menu_entry') = 'object'
   AND NOT document -> 'general_menu_entry' ? 'filter';

UPDATE catalogue_files
   SET document = jsonb_set(document, '{extra_menu_entries}',
       (SELECT coalesce(jsonb_agg(CASE WHEN e ? 'filter' THEN e
                                      ELSE e || jsonb_build_object('filter',
                                             CASE WHEN e ->> 'label' = 'Global geographic scope'
                                                  THEN 'scope_global' END) END
                                  ORDER BY i), '[]'::jsonb)
          FROM jsonb_array_elements(document -> 'extra_menu_entries') WITH ORDINALITY AS x(e, i)))
 WHERE file_name = 'principles.json'
   AND jsonb_typeof(document -> 'extra_menu_entries') = 'array';
