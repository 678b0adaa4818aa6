-- Campaigns (sqlite): linked reports an officer groups as one chain, seen whole and handed to a
-- regulator as one package.
--
-- A case belongs to at most one campaign (cases.campaign_id). Every change is audited in the
-- member case's trail and kept in campaign_events, the campaign's own timeline. finding: the
-- one finding an officer gave when substantiating members from the campaign page.
CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    finding TEXT,
    created_by BIGINT NOT NULL REFERENCES officers (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX campaigns_updated ON campaigns (updated_at);

ALTER TABLE cases ADD COLUMN campaign_id BIGINT REFERENCES campaigns (id);
CREATE INDEX cases_campaign ON cases (campaign_id, created_at);

-- The campaign's timeline: created, renamed, case_added, case_removed, substantiated,
-- handed_off (case_id where a step concerns one case).
CREATE TABLE campaign_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    case_id BIGINT REFERENCES cases (id) ON DELETE SET NULL,
    officer_id BIGINT REFERENCES officers (id),
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX campaign_events_campaign ON campaign_events (campaign_id, at);

-- One campaign handed to a regulator: one package for all its cases. Each member case also
-- gets its own handoffs row (campaign_handoff_id), which carries its status, deadlines and the
-- regulator's answer for that case.
CREATE TABLE campaign_handoffs (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    regulator_id BIGINT NOT NULL REFERENCES regulators (id),
    seq INTEGER NOT NULL,
    folder TEXT NOT NULL,
    package_sha256 TEXT NOT NULL,
    package_size BIGINT NOT NULL,
    case_count INTEGER NOT NULL,
    created_by BIGINT NOT NULL REFERENCES officers (id),
    created_at TIMESTAMP NOT NULL,
    outbox_id BIGINT,
    acknowledged_at TIMESTAMP,
    reminder_sent_at TIMESTAMP,
    UNIQUE (campaign_id, seq)
);

ALTER TABLE handoffs ADD COLUMN campaign_handoff_id BIGINT REFERENCES campaign_handoffs (id);
CREATE INDEX handoffs_campaign ON handoffs (campaign_handoff_id);
