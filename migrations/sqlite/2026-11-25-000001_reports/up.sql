-- Reports, their evidence, audit trail, email tokens and the mail outbox (SQLite).
CREATE TABLE instance_secrets (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE case_number_counters (
    year INTEGER PRIMARY KEY NOT NULL,
    last_value BIGINT NOT NULL
);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    case_number TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    platform TEXT NOT NULL,
    platform_other TEXT,
    shop_name TEXT NOT NULL,
    shop_ref TEXT NOT NULL,
    shop_key TEXT NOT NULL,
    region_code TEXT NOT NULL,
    province_code TEXT NOT NULL,
    city_code TEXT,
    product_url TEXT,
    order_number TEXT,
    category TEXT NOT NULL,
    seen_on DATE NOT NULL,
    description TEXT NOT NULL,
    reporter_email TEXT,
    language TEXT NOT NULL,
    consent_share_contact BOOLEAN NOT NULL,
    is_complaint BOOLEAN NOT NULL,
    receipt_hash TEXT NOT NULL,
    reporter_ip TEXT,
    created_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP,
    last_activity_at TIMESTAMP NOT NULL,
    closed_reason TEXT,
    version INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cases_status_activity ON cases (status, last_activity_at);
CREATE INDEX cases_status_created ON cases (status, created_at);
CREATE INDEX cases_shop_key ON cases (platform, shop_key);
CREATE INDEX cases_province ON cases (province_code, status);
CREATE INDEX cases_city ON cases (city_code, status);

CREATE TABLE evidence (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    source TEXT NOT NULL,
    original_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    byte_size BIGINT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    display_sha256 TEXT NOT NULL,
    display_kind TEXT NOT NULL,
    thumb_sha256 TEXT NOT NULL,
    thumb_width INTEGER NOT NULL,
    thumb_height INTEGER NOT NULL,
    perceptual_hash TEXT NOT NULL,
    uploaded_at TIMESTAMP NOT NULL,
    UNIQUE (case_id, position)
);
CREATE INDEX evidence_sha256 ON evidence (sha256);
CREATE INDEX evidence_perceptual_hash ON evidence (perceptual_hash);

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id BIGINT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    visible_to_reporter BOOLEAN NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (case_id, seq)
);

CREATE TABLE email_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    case_id BIGINT REFERENCES cases (id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    scrub_after_send BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    sent_at TIMESTAMP,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox (sent_at, next_attempt_at);
