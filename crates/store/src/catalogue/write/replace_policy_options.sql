WITH input AS (
    SELECT * FROM unnest($1::int4[], $2::int4[], $3::text[], $4::text[], $5::bool[])
        AS i(objective_number, number, text, label, label_derived)),
dropped AS (
    DELETE FROM policy_options t
    WHERE t.objective_number = ANY($6::int4[])
      AND NOT EXISTS (SELECT 1 FROM input
                      WHERE input.objective_number = t.objective_number
                        AND input.number = t.number))
INSERT INTO policy_options (objective_number, number, text, label, label_derived)
SELECT * FROM input
ON CONFLICT (objective_number, number) DO UPDATE SET
    text = EXCLUDED.text, label = EXCLUDED.label, label_derived = EXCLUDED.label_derived
WHERE (policy_options.text, policy_options.label, policy_options.label_derived)
      IS DISTINCT FROM (EXCLUDED.text, EXCLUDED.label, EXCLUDED.label_derived)
