INSERT INTO guidance_sources (slug, objective_number, mechanism, body, abbreviation, year,
                              symbol, paragraph, guidance, position, actions_reason,
                              items_reason, source)
SELECT * FROM unnest($1::text[], $2::int4[], $3::text[], $4::text[], $5::text[],
                     $6::int4[], $7::text[], $8::text[], $9::text[], $10::int4[],
                     $11::text[], $12::text[], $13::jsonb[])
ON CONFLICT (slug) DO UPDATE SET
    objective_number = EXCLUDED.objective_number, mechanism = EXCLUDED.mechanism,
    body = EXCLUDED.body, abbreviation = EXCLUDED.abbreviation, year = EXCLUDED.year,
    symbol = EXCLUDED.symbol, paragraph = EXCLUDED.paragraph,
    guidance = EXCLUDED.guidance, position = EXCLUDED.position,
    actions_reason = EXCLUDED.actions_reason, items_reason = EXCLUDED.items_reason,
    source = EXCLUDED.source
WHERE (guidance_sources.objective_number, guidance_sources.mechanism,
       guidance_sources.body, guidance_sources.abbreviation, guidance_sources.year,
       guidance_sources.symbol, guidance_sources.paragraph, guidance_sources.guidance,
       guidance_sources.position, guidance_sources.actions_reason,
       guidance_sources.items_reason, guidance_sources.source)
      IS DISTINCT FROM
      (EXCLUDED.objective_number, EXCLUDED.mechanism, EXCLUDED.body,
       EXCLUDED.abbreviation, EXCLUDED.year, EXCLUDED.symbol, EXCLUDED.paragraph,
       EXCLUDED.guidance, EXCLUDED.position, EXCLUDED.actions_reason,
       EXCLUDED.items_reason, EXCLUDED.source)
