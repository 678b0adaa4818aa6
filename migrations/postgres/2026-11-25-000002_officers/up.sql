-- Officer accounts and their server-side sessions; assignment, notes, messages, deadlines and
-- search for the officers' workspace (PostgreSQL).
CREATE TABLE officers (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    password_changed_at TIMESTAMP NOT NULL
);

CREATE TABLE officer_sessions (
    id BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    officer_id BIGINT NOT NULL REFERENCES officers (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX officer_sessions_officer ON officer_sessions (officer_id);

ALTER TABLE cases ADD COLUMN assigned_officer_id BIGINT REFERENCES officers (id);
CREATE INDEX cases_assignee ON cases (assigned_officer_id, status, last_activity_at);
CREATE INDEX cases_activity ON cases (last_activity_at, id);
CREATE INDEX cases_created ON cases (created_at, id);
CREATE INDEX cases_platform ON cases (platform, status, last_activity_at);
CREATE INDEX cases_category ON cases (category, status, last_activity_at);

CREATE TABLE case_notes (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    officer_id BIGINT NOT NULL REFERENCES officers (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, id);

CREATE TABLE case_messages (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    from_reporter BOOLEAN NOT NULL,
    officer_id BIGINT REFERENCES officers (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_messages_case ON case_messages (case_id, id);

-- Deadlines after SAMR's rules, in working days; the clock pauses while the case waits for the reporter.
CREATE TABLE case_deadlines (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    accept_by DATE,
    decide_by DATE NOT NULL,
    extended_reason TEXT,
    paused_since TIMESTAMP
);
CREATE INDEX case_deadlines_decide ON case_deadlines (decide_by);

-- Search over shop name, shop address, description and case number: a trigram index, so
-- Chinese text without spaces is found by any substring of three or more characters.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE case_search (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    body TEXT NOT NULL
);
CREATE INDEX case_search_body ON case_search USING gin (body gin_trgm_ops);
