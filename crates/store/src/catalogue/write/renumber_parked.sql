-- {table} and {parked} are filled in by renumber_parked.
UPDATE {table} t SET position = (base.top + moved.rank)::int4
FROM (SELECT id, row_number() OVER (ORDER BY position, id) AS rank
      FROM {table} WHERE position >= {parked}) moved,
     (SELECT coalesce(max(position), 0) AS top FROM {table} WHERE position < {parked}) base
WHERE t.id = moved.id
