INSERT INTO objectives (number, slug, short_name, title, commitment_paragraph,
                        commitment_text, actions_lead_in, hub_term_id, source)
SELECT * FROM unnest($1::int4[], $2::text[], $3::text[], $4::text[], $5::int4[],
                     $6::text[], $7::text[], $8::int4[], $9::jsonb[])
ON CONFLICT (number) DO UPDATE SET
    slug = EXCLUDED.slug, short_name = EXCLUDED.short_name, title = EXCLUDED.title,
    commitment_paragraph = EXCLUDED.commitment_paragraph,
    commitment_text = EXCLUDED.commitment_text, actions_lead_in = EXCLUDED.actions_lead_in,
    hub_term_id = EXCLUDED.hub_term_id, source = EXCLUDED.source
WHERE (objectives.slug, objectives.short_name, objectives.title,
       objectives.commitment_paragraph, objectives.commitment_text,
       objectives.actions_lead_in, objectives.hub_term_id, objectives.source)
      IS DISTINCT FROM
      (EXCLUDED.slug, EXCLUDED.short_name, EXCLUDED.title, EXCLUDED.commitment_paragraph,
       EXCLUDED.commitment_text, EXCLUDED.actions_lead_in, EXCLUDED.hub_term_id,
       EXCLUDED.source)
