-- Reviews bound to what was reviewed (issue 20).
--
-- A submission's revision is its `round`: 1 when submitted, incremented by every content
-- update; a reviewer names the revision they read and a stale one is refused.
--
-- A review can be withdrawn after the fact: its reviewer declared a conflict of interest,
-- or its key was revoked. A withdrawn review stays (the trail of what happened) but no
-- longer counts towards the outcome and is not shown with the submission.
ALTER TABLE reviews
    ADD COLUMN withdrawn_at     timestamptz,
    ADD COLUMN withdrawn_reason text CHECK (withdrawn_reason IN ('conflict', 'key_revoked')),
    ADD CONSTRAINT reviews_withdrawn_together
        CHECK ((withdrawn_at IS NULL) = (withdrawn_reason IS NULL));
-- Revoking a key looks up its reviews.
CREATE INDEX reviews_reviewer_idx ON reviews (reviewer_id, submission_id);

-- Whether contributors may see the key's name on its reviews (reviewers are anonymous to
-- contributors unless their key is public).
ALTER TABLE api_keys ADD COLUMN public boolean NOT NULL DEFAULT false;
