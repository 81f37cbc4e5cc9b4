-- {table}, {key} and {parked} are filled in by park_positions.
UPDATE {table} t SET position = t.position + {parked}
WHERE t.position < {parked} AND NOT EXISTS (
    SELECT 1 FROM unnest($1::text[], $2::int4[]) AS i(k, p)
    WHERE i.k = t.{key} AND i.p = t.position)
