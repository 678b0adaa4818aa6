-- Merchants and confirmed links (sqlite).
--
-- merchant_key: the canonical identity of the shop a case is about, `platform:kind:key`
-- (domain::merchant: taobao:shop:12345, jd:item:100012043978, pinduoduo:name:某某旗舰店), read
-- from the URL the reporter typed as far as the URL itself says (never fetched), else from the
-- shop's name. NULL for a case filed before this migration until the chains job has read it.
ALTER TABLE cases ADD COLUMN merchant_key TEXT;
CREATE INDEX cases_merchant ON cases (merchant_key, created_at);

-- An officer's verdict on a suggested link between two cases (the pair stored once, lower id
-- first): confirmed (the two belong to one chain) or rejected (not related; the suggestion is
-- no longer offered). `reasons`: the link reasons shown when the officer decided, comma-separated.
CREATE TABLE case_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    other_case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    verdict TEXT NOT NULL CHECK (verdict IN ('confirmed', 'rejected')),
    reasons TEXT NOT NULL,
    officer_id BIGINT NOT NULL REFERENCES officers (id),
    decided_at TIMESTAMP NOT NULL,
    CHECK (case_id < other_case_id),
    UNIQUE (case_id, other_case_id)
);
CREATE INDEX case_links_other ON case_links (other_case_id);
