-- Step 2 of 2 (after delete_changed_related_objectives.sql); $6 is unused here.
INSERT INTO related_objectives (objective_number, related_number, paragraph, position, as_given)
SELECT * FROM (
    SELECT * FROM unnest($1::int4[], $2::int4[], $3::int4[], $4::int4[], $5::text[])
        AS i(objective_number, related_number, paragraph, position, as_given)) i
WHERE NOT EXISTS (
    SELECT 1 FROM related_objectives t
    WHERE (i.objective_number, i.related_number, i.paragraph, i.position, i.as_given)
          IS NOT DISTINCT FROM
          (t.objective_number, t.related_number, t.paragraph, t.position, t.as_given))
