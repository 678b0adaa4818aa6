-- The closed sets get CHECK constraints: a case's status, language and closed reason, an
-- officer's role, a handoff's outcome. SQLite adds a CHECK only by rebuilding the table (its
-- documented twelve steps: foreign keys off outside the transaction, copy, drop, rename, indexes
-- again, foreign keys checked, on). Open sets (audit actions, mail kinds) are checked in code, so
-- adding one needs no rebuild of the largest tables.
--
-- An officer's closing note used to be copied into closed_reason; the note stays on the case's
-- notes, and the reason becomes the keyword closed_by_officer.
PRAGMA foreign_keys = OFF;
BEGIN;
UPDATE cases SET closed_reason = 'closed_by_officer'
    WHERE closed_reason IS NOT NULL AND closed_reason NOT IN ('insufficient_evidence', 'duplicate', 'out_of_scope', 'spam', 'penalty', 'warning', 'transferred', 'no_violation', 'other', 'closed_by_officer');
CREATE TABLE officers_checked (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CONSTRAINT officers_role_known CHECK (role IN ('officer', 'supervisor')),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    password_changed_at TIMESTAMP NOT NULL
);
INSERT INTO officers_checked (id, email, name, role, password_hash, active, created_at, password_changed_at) SELECT id, email, name, role, password_hash, active, created_at, password_changed_at FROM officers;
DROP TABLE officers;
ALTER TABLE officers_checked RENAME TO officers;
CREATE TABLE cases_checked (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    case_number TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CONSTRAINT cases_status_known CHECK (status IN ('unconfirmed', 'submitted', 'in_review', 'awaiting_reporter', 'substantiated', 'handed_off', 'acknowledged', 'closed', 'dismissed', 'withdrawn')),
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
    language TEXT NOT NULL CONSTRAINT cases_language_known CHECK (language IN ('zh-CN', 'en')),
    consent_share_contact BOOLEAN NOT NULL,
    is_complaint BOOLEAN NOT NULL,
    receipt_hash TEXT NOT NULL,
    reporter_ip TEXT,
    created_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP,
    last_activity_at TIMESTAMP NOT NULL,
    closed_reason TEXT CONSTRAINT cases_closed_reason_known CHECK (closed_reason IN ('insufficient_evidence', 'duplicate', 'out_of_scope', 'spam', 'penalty', 'warning', 'transferred', 'no_violation', 'other', 'closed_by_officer')),
    version INTEGER NOT NULL DEFAULT 0,
    assigned_officer_id BIGINT REFERENCES officers (id)
);
INSERT INTO cases_checked (id, case_number, status, platform, platform_other, shop_name, shop_ref, shop_key, region_code, province_code, city_code, product_url, order_number, category, seen_on, description, reporter_email, language, consent_share_contact, is_complaint, receipt_hash, reporter_ip, created_at, submitted_at, last_activity_at, closed_reason, version, assigned_officer_id) SELECT id, case_number, status, platform, platform_other, shop_name, shop_ref, shop_key, region_code, province_code, city_code, product_url, order_number, category, seen_on, description, reporter_email, language, consent_share_contact, is_complaint, receipt_hash, reporter_ip, created_at, submitted_at, last_activity_at, closed_reason, version, assigned_officer_id FROM cases;
DROP TABLE cases;
ALTER TABLE cases_checked RENAME TO cases;
CREATE INDEX cases_status_activity ON cases (status, last_activity_at);
CREATE INDEX cases_status_created ON cases (status, created_at);
CREATE INDEX cases_shop_key ON cases (platform, shop_key);
CREATE INDEX cases_province ON cases (province_code, status);
CREATE INDEX cases_city ON cases (city_code, status);
CREATE INDEX cases_activity ON cases (last_activity_at, id);
CREATE INDEX cases_created ON cases (created_at, id);
CREATE INDEX cases_platform ON cases (platform, status, last_activity_at);
CREATE INDEX cases_category ON cases (category, status, last_activity_at);
CREATE INDEX cases_assignee_activity ON cases (assigned_officer_id, last_activity_at, id);
CREATE TABLE handoffs_checked (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    regulator_id BIGINT NOT NULL REFERENCES regulators (id),
    seq INTEGER NOT NULL,
    folder TEXT NOT NULL,
    package_sha256 TEXT NOT NULL,
    package_size BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES officers (id),
    created_at TIMESTAMP NOT NULL,
    outbox_id BIGINT,
    acknowledged_at TIMESTAMP,
    outcome TEXT CONSTRAINT handoffs_outcome_known CHECK (outcome IN ('penalty', 'warning', 'transferred', 'no_violation', 'other')),
    outcome_details TEXT,
    outcome_at TIMESTAMP,
    reminder_sent_at TIMESTAMP,
    UNIQUE (case_id, seq)
);
INSERT INTO handoffs_checked (id, case_id, regulator_id, seq, folder, package_sha256, package_size, created_by, created_at, outbox_id, acknowledged_at, outcome, outcome_details, outcome_at, reminder_sent_at) SELECT id, case_id, regulator_id, seq, folder, package_sha256, package_size, created_by, created_at, outbox_id, acknowledged_at, outcome, outcome_details, outcome_at, reminder_sent_at FROM handoffs;
DROP TABLE handoffs;
ALTER TABLE handoffs_checked RENAME TO handoffs;
CREATE INDEX handoffs_waiting ON handoffs (acknowledged_at, reminder_sent_at, created_at);
COMMIT;
PRAGMA foreign_keys = ON;
