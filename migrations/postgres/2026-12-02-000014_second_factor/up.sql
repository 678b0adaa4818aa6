-- The second factor (postgres): TOTP secrets, recovery codes, the pending second step of a sign-in,
-- and the supervisors' setting that requires a second factor of everyone.

-- An officer's TOTP secret (RFC 4648 base-32; the server must compute codes from it, so it is
-- kept as it is, readable by the service user only, like the rest of the database).
-- enabled_at is NULL while the officer has been shown the secret but has not yet confirmed it
-- with a code; last_used_step is the 30-second step of the last code accepted, so that no code
-- works twice and none older than it works at all.
CREATE TABLE officer_second_factors (
    officer_id BIGINT PRIMARY KEY NOT NULL REFERENCES officers (id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    enabled_at TIMESTAMP,
    last_used_step BIGINT
);

-- Single-use recovery codes: the SHA-256 of each (80 random bits), never the code.
CREATE TABLE officer_recovery_codes (
    id BIGSERIAL PRIMARY KEY,
    officer_id BIGINT NOT NULL REFERENCES officers (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX officer_recovery_codes_officer ON officer_recovery_codes (officer_id);

-- A sign-in whose password was right and whose code is still to come: the SHA-256 of the random
-- token in the browser's short-lived rw_pending cookie. It opens nothing; a session exists only
-- once the code is right. device_id: the known browser the password came from, if any.
CREATE TABLE sign_in_challenges (
    id BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    officer_id BIGINT NOT NULL REFERENCES officers (id) ON DELETE CASCADE,
    device_id BIGINT REFERENCES officer_devices (id) ON DELETE SET NULL,
    csrf_token TEXT NOT NULL,
    next_path TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sign_in_challenges_expires ON sign_in_challenges (expires_at);

-- The portal's security settings: one row.
CREATE TABLE security_settings (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    second_factor_required BOOLEAN NOT NULL DEFAULT FALSE,
    changed_at TIMESTAMP,
    changed_by BIGINT REFERENCES officers (id) ON DELETE SET NULL
);
INSERT INTO security_settings (id, second_factor_required) VALUES (1, FALSE);
