WITH input AS (
    SELECT gs.id AS guidance_source_id, a.id AS action_id
    FROM unnest($1::text[], $2::int4[], $3::text[]) AS l(slug, objective_number, letter)
    JOIN guidance_sources gs ON gs.slug = l.slug
    JOIN actions a ON a.objective_number = l.objective_number AND a.letter = l.letter),
dropped AS (
    DELETE FROM guidance_source_actions t
    WHERE t.guidance_source_id IN (SELECT id FROM guidance_sources WHERE slug = ANY($4::text[]))
      AND NOT EXISTS (SELECT 1 FROM input
                      WHERE input.guidance_source_id = t.guidance_source_id
                        AND input.action_id = t.action_id))
INSERT INTO guidance_source_actions (guidance_source_id, action_id)
SELECT guidance_source_id, action_id FROM input
ON CONFLICT DO NOTHING
