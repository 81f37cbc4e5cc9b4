-- Step 1 of 2 (insert_new_related_objectives.sql is step 2): the same binds.
DELETE FROM related_objectives t
WHERE t.objective_number = ANY($6::int4[])
  AND NOT EXISTS (
      SELECT 1
      FROM unnest($1::int4[], $2::int4[], $3::int4[], $4::int4[], $5::text[])
           AS i(objective_number, related_number, paragraph, position, as_given)
      WHERE (i.objective_number, i.related_number, i.paragraph, i.position, i.as_given)
            IS NOT DISTINCT FROM
            (t.objective_number, t.related_number, t.paragraph, t.position, t.as_given))
