-- Reporter sessions as records (PostgreSQL): the cookie holds a random token, the database its
-- hash, so a session ends for every copy of the cookie when the reporter leaves, withdraws, or
-- the case is closed, and at the latest when it expires.
CREATE TABLE reporter_sessions (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX reporter_sessions_case ON reporter_sessions (case_id);

-- Each report form's token files at most one report: the hash of the token that filed a case.
CREATE TABLE report_form_tokens (
    token_hash TEXT PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    used_at TIMESTAMP NOT NULL
);
