-- The public record (信用惩戒): administrative penalty decisions the regulator reports as made
-- public, republished once a supervisor approves each. An entry names the merchant as an
-- enterprise (the shop as the platform shows it) and never holds reporter data.
--
-- The regulator's outcome link also gives the decision's document number (文书号) and whether
-- the decision has been made public.
ALTER TABLE handoffs ADD COLUMN outcome_document_number TEXT;
ALTER TABLE handoffs ADD COLUMN outcome_published BOOLEAN NOT NULL DEFAULT FALSE;

-- One entry per handoff outcome: candidate until a supervisor approves it, approved (shown), or
-- withdrawn (shown as a note only, its decision text hidden).
CREATE TABLE record_entries (
    id BIGSERIAL PRIMARY KEY,
    handoff_id BIGINT NOT NULL UNIQUE REFERENCES handoffs (id),
    case_id BIGINT NOT NULL REFERENCES cases (id),
    platform TEXT NOT NULL,
    platform_other TEXT,
    shop_name TEXT NOT NULL,
    merchant_key TEXT,
    category TEXT NOT NULL,
    regulator_name TEXT NOT NULL,
    decision_kind TEXT NOT NULL CONSTRAINT record_entries_kind_known CHECK (decision_kind IN ('penalty', 'warning')),
    decision_text TEXT NOT NULL,
    decision_date DATE NOT NULL,
    document_number TEXT NOT NULL,
    status TEXT NOT NULL CONSTRAINT record_entries_status_known CHECK (status IN ('candidate', 'approved', 'withdrawn')),
    created_at TIMESTAMP NOT NULL,
    approved_by BIGINT REFERENCES officers (id),
    approved_at TIMESTAMP,
    withdrawn_reason TEXT,
    withdrawn_document TEXT,
    withdrawn_at TIMESTAMP,
    withdrawn_by BIGINT REFERENCES officers (id)
);
CREATE INDEX record_entries_public ON record_entries (status, approved_at);

-- A merchant's request to correct an entry: kept for the supervisors, who are emailed.
CREATE TABLE record_corrections (
    id BIGSERIAL PRIMARY KEY,
    entry_id BIGINT NOT NULL REFERENCES record_entries (id),
    enterprise_name TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    what_is_wrong TEXT NOT NULL,
    document_number TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX record_corrections_entry ON record_corrections (entry_id, created_at);
