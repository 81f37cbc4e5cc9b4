-- {parked} is filled in; renumbers per objective and mechanism.
UPDATE guidance_sources t SET position = (coalesce(base.top, 0) + moved.rank)::int4
FROM (SELECT id, objective_number, mechanism,
             row_number() OVER (PARTITION BY objective_number, mechanism
                                ORDER BY position, id) AS rank
      FROM guidance_sources WHERE position >= {parked}) moved
LEFT JOIN (SELECT objective_number, mechanism, max(position) AS top
           FROM guidance_sources WHERE position < {parked}
           GROUP BY objective_number, mechanism) base
       USING (objective_number, mechanism)
WHERE t.id = moved.id
