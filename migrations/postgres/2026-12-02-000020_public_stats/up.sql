-- The public statistics as last computed: one snapshot (suppressed counts only, never a case),
-- written by the refresh job and served by /stats. Older snapshots are deleted by the writer.
CREATE TABLE public_stats (
    id BIGSERIAL PRIMARY KEY,
    computed_at TIMESTAMP NOT NULL,
    body TEXT NOT NULL
);
