ALTER TABLE api_keys DROP COLUMN public;
DROP INDEX reviews_reviewer_idx;
ALTER TABLE reviews
    DROP CONSTRAINT reviews_withdrawn_together,
    DROP COLUMN withdrawn_reason,
    DROP COLUMN withdrawn_at;
