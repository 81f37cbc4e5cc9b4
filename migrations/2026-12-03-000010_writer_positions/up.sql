-- Where in the primary's write-ahead log each key last wrote: a server that reads from
-- standbys sends that key's reads to the primary until a standby has replayed past it
-- (read-your-writes across server processes; the primary is the one place they all see).
CREATE TABLE writer_positions (
    key_id integer PRIMARY KEY REFERENCES api_keys (id) ON DELETE CASCADE,
    -- pg_current_wal_lsn() after the write, as bytes from 0/0.
    wal_position bigint NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now()
);
