-- Background jobs (PostgreSQL): housekeeping today, derived images, OCR and notices later. A
-- worker claims a due job (SELECT … FOR UPDATE SKIP LOCKED, then an UPDATE that sets its lease),
-- so that of several instances on one database only one runs it; a worker that dies lets its
-- lease run out and another takes the job. A failed attempt waits (exponential backoff) and is
-- retried; after `max_attempts` the job stays 'failed' with its last error.
--
-- `kind` is an open set, checked in code (`domain::jobs::JobKind`): a new kind needs no
-- rebuild of this table. `state` is closed.
CREATE TABLE jobs (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    -- JSON: what the handler of `kind` needs ('{}' for housekeeping).
    payload TEXT NOT NULL DEFAULT '{}',
    -- A recurring job's name: at most one job with it is pending at a time (the index below).
    singleton_key TEXT,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    run_at TIMESTAMP NOT NULL,
    -- Times the job was started (claimed), including the one running now.
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE UNIQUE INDEX jobs_singleton ON jobs (singleton_key) WHERE state = 'pending';
