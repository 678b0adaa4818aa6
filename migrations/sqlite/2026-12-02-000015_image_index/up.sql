-- Near-identical screenshots (sqlite): each evidence image's fingerprint (evidence::fingerprint,
-- domain::screenshots), and the fingerprint cut into chunks kept as indexed rows. Two
-- fingerprints fewer bits apart than there are chunks share at least one chunk exactly, so a
-- lookup reads only the rows of its own chunks' values (multi-index hashing), never every image.
-- evidence.perceptual_hash keeps its meaning (the 64-bit gradient hash of the whole image).
-- Rows go with their evidence (and so with their case) by ON DELETE CASCADE; each foreign key
-- has an index, so a cascade never scans the table.
CREATE TABLE image_hashes (
    evidence_id BIGINT PRIMARY KEY NOT NULL REFERENCES evidence (id) ON DELETE CASCADE,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    hash TEXT NOT NULL
);
CREATE INDEX image_hashes_case ON image_hashes (case_id);

-- The lookup reads the primary key alone (chunk_no, chunk_value), then each candidate's row in
-- image_hashes by its key.
CREATE TABLE image_hash_chunks (
    chunk_no INTEGER NOT NULL,
    chunk_value BIGINT NOT NULL,
    evidence_id BIGINT NOT NULL REFERENCES image_hashes (evidence_id) ON DELETE CASCADE,
    PRIMARY KEY (chunk_no, chunk_value, evidence_id)
) WITHOUT ROWID;
CREATE INDEX image_hash_chunks_evidence ON image_hash_chunks (evidence_id);
