-- {parked} is filled in; positions are unique per objective and mechanism.
UPDATE guidance_sources t SET position = t.position + {parked}
WHERE t.position < {parked} AND NOT EXISTS (
    SELECT 1 FROM unnest($1::text[], $2::int4[], $3::text[], $4::int4[])
        AS i(slug, objective_number, mechanism, position)
    WHERE (i.slug, i.objective_number, i.mechanism, i.position)
          = (t.slug, t.objective_number, t.mechanism, t.position))
