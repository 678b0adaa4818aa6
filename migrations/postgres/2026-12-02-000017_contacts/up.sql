-- Contacts found in each case's texts (PostgreSQL): phone numbers, WeChat/QQ ids, QQ groups, short
-- links, 淘口令 and payment accounts (`domain::contact`), normalised so that two cases naming
-- one contact are linked through the (kind, contact_key) index. A payment account is kept only
-- as a keyed hash (`contact_key`) and a masked form (`shown`).
--
-- `evidence_id` is the screenshot whose OCR text named the contact; NULL for the reporter's
-- description. Rows follow their case (and their screenshot): ON DELETE CASCADE.
CREATE TABLE case_contacts (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    contact_key TEXT NOT NULL,
    shown TEXT NOT NULL,
    evidence_id BIGINT REFERENCES evidence (id) ON DELETE CASCADE,
    found_at TIMESTAMP NOT NULL
);
-- The lookup: every case naming one contact, newest first.
CREATE INDEX case_contacts_by_key ON case_contacts (kind, contact_key, case_id);
-- A contact once per text of a case (the description is evidence 0).
CREATE UNIQUE INDEX case_contacts_once
    ON case_contacts (case_id, COALESCE(evidence_id, 0), kind, contact_key);
