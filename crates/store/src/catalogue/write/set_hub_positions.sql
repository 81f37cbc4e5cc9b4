-- An item's `position` is its place in its section on its file's objective page (the
-- first of its objectives, $2); the pages of its other objectives do not place it, and
-- position 0 (no `position` in the file) places it nowhere.
UPDATE item_objectives l
SET hub_position = CASE WHEN l.objective_number = x.objective THEN nullif(x.position, 0) END
FROM unnest($1::text[], $2::int4[], $3::int4[]) AS x(slug, objective, position)
JOIN items i ON i.slug = x.slug
WHERE l.item_id = i.id
  AND l.hub_position IS DISTINCT FROM
      (CASE WHEN l.objective_number = x.objective THEN nullif(x.position, 0) END)
