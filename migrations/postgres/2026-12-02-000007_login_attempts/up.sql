-- Sign-in throttling in the database (PostgreSQL), so that every instance counts the same attempts.

-- A browser that signed in as an officer before: the SHA-256 of the random token in its
-- long-lived rw_device cookie. It may still try that officer's password while guesses from
-- elsewhere keep the account locked (a "device cookie"), within a small budget of its own.
CREATE TABLE officer_devices (
    id BIGSERIAL PRIMARY KEY,
    officer_id BIGINT NOT NULL REFERENCES officers (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NOT NULL,
    revoked BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX officer_devices_officer ON officer_devices (officer_id);

-- Every password check (a sign-in, or the current password on the password page), written
-- before the check is made. A row is 'pending' until the check is done, and counts as a failure
-- until it is marked 'succeeded'; 'refused' rows were turned away without a check and count for
-- nothing. The email is normalised (trimmed, lower-case), whether an account has it or not.
-- 'cleared': forgiven by a later success of the same account (or device); it still counts
-- against the address.
CREATE TABLE login_attempts (
    id BIGSERIAL PRIMARY KEY,
    address TEXT NOT NULL,
    email TEXT NOT NULL,
    device_id BIGINT REFERENCES officer_devices (id) ON DELETE SET NULL,
    attempted_at TIMESTAMP NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('pending', 'failed', 'succeeded', 'refused')),
    cleared BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX login_attempts_email ON login_attempts (email, attempted_at);
CREATE INDEX login_attempts_address ON login_attempts (address, attempted_at);
CREATE INDEX login_attempts_device ON login_attempts (device_id, attempted_at);

-- One row per throttled key ('address:…', 'account:…', 'device:…'): the deciding transaction
-- updates the rows of its keys first, so that attempts on the same key are counted one after
-- the other, on every backend and across instances.
CREATE TABLE login_throttle_keys (
    throttle_key TEXT PRIMARY KEY NOT NULL,
    touched_at TIMESTAMP NOT NULL
);
