-- Curation: API keys, submissions and their peer reviews, declared conflicts of interest,
-- and an append-only audit trail.

CREATE TABLE api_keys (
    id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    role        text NOT NULL CHECK (role IN ('contributor', 'reviewer', 'admin')),
    affiliation text NOT NULL CHECK (affiliation IN ('internal', 'external')),
    -- SHA-256 of the secret (a 256-bit random value): the secret itself is never stored.
    secret_hash bytea NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

-- One submission per item a contributor proposed; the item row holds the content and
-- stays invisible to public queries until the submission is published.
CREATE TABLE submissions (
    id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id      integer NOT NULL UNIQUE REFERENCES items (id) ON DELETE CASCADE,
    submitter_id integer NOT NULL REFERENCES api_keys (id),
    status       text NOT NULL DEFAULT 'under_review'
                 CHECK (status IN ('under_review', 'changes_requested', 'published', 'rejected',
                                   'withdrawn', 'retracted')),
    -- Bumped by every content update: reviews of an earlier round no longer count.
    round        integer NOT NULL DEFAULT 1 CHECK (round > 0),
    input        jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX submissions_submitter_idx ON submissions (submitter_id, id);
CREATE INDEX submissions_status_idx ON submissions (status, id);

CREATE TABLE reviews (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    submission_id integer NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    reviewer_id   integer NOT NULL REFERENCES api_keys (id),
    round         integer NOT NULL,
    decision      text NOT NULL CHECK (decision IN ('approve', 'request_changes', 'reject')),
    comment       text CHECK (length(comment) <= 10000),
    at            timestamptz NOT NULL DEFAULT now(),
    -- One decision per reviewer per round.
    UNIQUE (submission_id, reviewer_id, round)
);

CREATE TABLE review_conflicts (
    submission_id integer NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    reviewer_id   integer NOT NULL REFERENCES api_keys (id),
    declared_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (submission_id, reviewer_id)
);

CREATE TABLE audit_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_id   integer REFERENCES api_keys (id),
    actor_name text NOT NULL,
    action     text NOT NULL,
    subject    text NOT NULL,
    at         timestamptz NOT NULL DEFAULT now(),
    before     jsonb,
    after      jsonb
);
CREATE INDEX audit_log_subject_idx ON audit_log (subject, id);

-- Append-only: no statement may change or remove a record.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
