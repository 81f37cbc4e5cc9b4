-- The documents keep the added keys: the code before this migration ignores them, and
-- removing them could drop a value a curator set on purpose.
SELECT 1;
