-- The per-address rate limits (reports, tracking, replies, password resets) counted in the
-- database, so that every instance behind a load balancer spends the same quota (issue 15).
-- One row per limited action and client address: `tat_ms` is when everything the address took
-- will have been regained (GCRA, `domain::rate_limit`), in milliseconds since the Unix epoch.
-- `action` is an open set, checked in code (`domain::rate_limit::LimitedAction`). A row whose
-- `tat_ms` has passed says nothing any more; the housekeeping deletes it (by `id`, in batches).
CREATE TABLE rate_limit_buckets (
    id BIGSERIAL PRIMARY KEY,
    action TEXT NOT NULL,
    address TEXT NOT NULL,
    tat_ms BIGINT NOT NULL
);
CREATE UNIQUE INDEX rate_limit_buckets_key ON rate_limit_buckets (action, address);
CREATE INDEX rate_limit_buckets_tat ON rate_limit_buckets (tat_ms);
