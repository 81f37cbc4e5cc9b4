WITH input AS (
    SELECT ins.id AS instrument_id, l.objective_number
    FROM unnest($1::text[], $2::int4[]) AS l(code, objective_number)
    JOIN instruments ins ON ins.code = l.code),
dropped AS (
    DELETE FROM objective_instruments t
    WHERE t.instrument_id IN (SELECT id FROM instruments WHERE code = ANY($3::text[]))
      AND NOT EXISTS (SELECT 1 FROM input
                      WHERE input.instrument_id = t.instrument_id
                        AND input.objective_number = t.objective_number))
INSERT INTO objective_instruments (objective_number, instrument_id)
SELECT objective_number, instrument_id FROM input
ON CONFLICT DO NOTHING
