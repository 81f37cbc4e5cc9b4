-- {table} (a link table), {target} (its column) and {lookup} (target id by key k) are
-- filled in by write_item_links, once per link table.
WITH input AS (
    SELECT it.id AS item_id, target.id AS target_id
    FROM unnest($1::text[], $2::text[]) AS l(item, k)
    JOIN items it ON it.slug = l.item
    JOIN ({lookup}) target ON target.k = l.k),
dropped AS (
    DELETE FROM {table} t
    WHERE t.item_id IN (SELECT id FROM items WHERE slug = ANY($3::text[]))
      AND NOT EXISTS (SELECT 1 FROM input
                      WHERE input.item_id = t.item_id AND input.target_id = t.{target}))
INSERT INTO {table} (item_id, {target})
SELECT item_id, target_id FROM input
ON CONFLICT (item_id, {target}) DO NOTHING
