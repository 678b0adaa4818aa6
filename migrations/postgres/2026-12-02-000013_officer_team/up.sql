-- Supervisors run their team from the web (PostgreSQL): when each officer last signed in and when
-- their account was first activated (an invited officer has no activation yet); one-time links
-- to set a password (invitation, reset), stored hashed; and the account audit trail.
ALTER TABLE officers ADD COLUMN last_sign_in_at TIMESTAMP;
ALTER TABLE officers ADD COLUMN activated_at TIMESTAMP;
UPDATE officers SET activated_at = created_at;

-- `purpose` is a keyword checked in code (`domain::account::LinkPurpose`).
CREATE TABLE officer_links (
    id BIGSERIAL PRIMARY KEY,
    officer_id BIGINT NOT NULL REFERENCES officers (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX officer_links_officer ON officer_links (officer_id, purpose, created_at);

-- Every change to an account. `action` is an open set checked in code
-- (`domain::account::AccountAction`); `actor_id` is empty when the officer acted on their own
-- account without a session (a reset they asked for).
CREATE TABLE account_events (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    actor_id BIGINT REFERENCES officers (id),
    subject_id BIGINT NOT NULL REFERENCES officers (id),
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX account_events_at ON account_events (at, id);
