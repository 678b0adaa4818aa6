-- The officer's finding on a substantiated case (shown to the regulator; internal notes stay
-- apart), and regulators' requests for an original evidence file (PostgreSQL).
CREATE TABLE case_findings (
    case_id BIGINT PRIMARY KEY NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    finding TEXT NOT NULL,
    officer_id BIGINT NOT NULL REFERENCES officers (id),
    created_at TIMESTAMP NOT NULL
);

-- A regulator asks for the original of one evidence file; an officer approves or refuses; an
-- approved request gets a single-use link (its token stored hashed) valid 7 days.
CREATE TABLE original_requests (
    id BIGSERIAL PRIMARY KEY,
    handoff_id BIGINT NOT NULL REFERENCES handoffs (id) ON DELETE CASCADE,
    evidence_id BIGINT NOT NULL REFERENCES evidence (id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'refused')),
    decided_by BIGINT REFERENCES officers (id),
    decided_at TIMESTAMP,
    token_hash TEXT UNIQUE,
    expires_at TIMESTAMP,
    used_at TIMESTAMP
);
CREATE INDEX original_requests_handoff ON original_requests (handoff_id, evidence_id);
