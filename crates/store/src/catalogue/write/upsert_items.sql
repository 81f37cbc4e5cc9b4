INSERT INTO items (slug, kind, section, document_type_id, title, title_provenance, summary,
                   summary_truncated, url, published_on, language, organisation, city,
                   event_country_id, starts_on, ends_on, scope, status, position,
                   geography_reason, source)
SELECT i.slug, i.kind, i.section, d.id, i.title, i.title_provenance, i.summary,
       i.summary_truncated, i.url, i.published_on, i.language, i.organisation, i.city,
       c.id, i.starts_on, i.ends_on, i.scope, i.status, i.position, i.geography_reason,
       i.source
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
            $7::text[], $8::bool[], $9::text[], $10::date[], $11::text[], $12::text[],
            $13::text[], $14::text[], $15::date[], $16::date[], $17::text[], $18::text[],
            $19::int4[], $20::text[], $21::jsonb[])
     AS i(slug, kind, section, document_type, title, title_provenance, summary,
          summary_truncated, url, published_on, language, organisation, city,
          event_country, starts_on, ends_on, scope, status, position, geography_reason,
          source)
LEFT JOIN document_types d ON d.slug = i.document_type
LEFT JOIN countries c ON c.iso2 = i.event_country
WHERE true
ON CONFLICT (slug) DO UPDATE SET
    kind = EXCLUDED.kind, section = EXCLUDED.section,
    document_type_id = EXCLUDED.document_type_id, title = EXCLUDED.title,
    title_provenance = EXCLUDED.title_provenance, summary = EXCLUDED.summary,
    summary_truncated = EXCLUDED.summary_truncated, url = EXCLUDED.url,
    published_on = EXCLUDED.published_on, language = EXCLUDED.language,
    organisation = EXCLUDED.organisation, city = EXCLUDED.city,
    event_country_id = EXCLUDED.event_country_id, starts_on = EXCLUDED.starts_on,
    ends_on = EXCLUDED.ends_on, scope = EXCLUDED.scope, status = EXCLUDED.status,
    position = EXCLUDED.position, geography_reason = EXCLUDED.geography_reason,
    source = EXCLUDED.source, updated_at = now()
WHERE (items.kind, items.section, items.document_type_id, items.title,
       items.title_provenance, items.summary, items.summary_truncated, items.url,
       items.published_on, items.language, items.organisation, items.city,
       items.event_country_id, items.starts_on, items.ends_on, items.scope,
       items.status, items.position, items.geography_reason, items.source)
      IS DISTINCT FROM
      (EXCLUDED.kind, EXCLUDED.section, EXCLUDED.document_type_id, EXCLUDED.title,
       EXCLUDED.title_provenance, EXCLUDED.summary, EXCLUDED.summary_truncated,
       EXCLUDED.url, EXCLUDED.published_on, EXCLUDED.language, EXCLUDED.organisation,
       EXCLUDED.city, EXCLUDED.event_country_id, EXCLUDED.starts_on, EXCLUDED.ends_on,
       EXCLUDED.scope, EXCLUDED.status, EXCLUDED.position, EXCLUDED.geography_reason,
       EXCLUDED.source)
