-- Officer accounts and their server-side sessions; assignment, notes, messages, deadlines and
-- search for the officers' workspace (SQLite).
CREATE TABLE officers (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    password_changed_at TIMESTAMP NOT NULL
);

CREATE TABLE officer_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
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
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    officer_id BIGINT NOT NULL REFERENCES officers (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, id);

CREATE TABLE case_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    from_reporter BOOLEAN NOT NULL,
    officer_id BIGINT REFERENCES officers (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_messages_case ON case_messages (case_id, id);

-- Deadlines after SAMR's rules, in working days; the clock pauses while the case waits for the reporter.
CREATE TABLE case_deadlines (
    case_id BIGINT PRIMARY KEY NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    accept_by DATE,
    decide_by DATE NOT NULL,
    extended_reason TEXT,
    paused_since TIMESTAMP
);
CREATE INDEX case_deadlines_decide ON case_deadlines (decide_by);

-- Search over shop name, shop address, description and case number: trigram full text, so
-- Chinese text without spaces is found by any substring of three or more characters.
CREATE VIRTUAL TABLE case_search USING fts5 (case_id UNINDEXED, body, tokenize = 'trigram');
