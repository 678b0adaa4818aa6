-- Near-identical texts (PostgreSQL): each text of a case (its description, the text read from one
-- screenshot) with its MinHash signature, and its LSH bands as indexed rows, so that the texts
-- sharing a band with a new one are found through the index, never by reading every text.
-- What OCR read from each screenshot, or why it read nothing, is kept beside the evidence.
CREATE TABLE case_texts (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    -- NULL: the reporter's description; else the screenshot the text was read from.
    evidence_id BIGINT REFERENCES evidence (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    -- `domain::text_similarity::PARAMS.hashes()` 32-bit MinHash values, little-endian.
    signature BYTEA NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_texts_case ON case_texts (case_id);
CREATE UNIQUE INDEX case_texts_source ON case_texts (case_id, COALESCE(evidence_id, 0));

-- One row per band of a text's signature; the band's number is mixed into its value.
CREATE TABLE text_bands (
    band_value BIGINT NOT NULL,
    text_id BIGINT NOT NULL REFERENCES case_texts (id) ON DELETE CASCADE,
    PRIMARY KEY (band_value, text_id)
);
CREATE INDEX text_bands_text ON text_bands (text_id);

CREATE TABLE evidence_texts (
    evidence_id BIGINT PRIMARY KEY REFERENCES evidence (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('read', 'unavailable', 'failed')),
    -- The text read ('' unless read); shown to officers only.
    body TEXT NOT NULL DEFAULT '',
    -- Why nothing was read (unavailable, failed).
    reason TEXT,
    seconds DOUBLE PRECISION NOT NULL,
    -- `tesseract --version`'s first line, when it ran.
    engine TEXT,
    read_at TIMESTAMP NOT NULL
);
