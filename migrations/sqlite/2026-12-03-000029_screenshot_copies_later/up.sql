-- A screenshot's display copy, thumbnail and hashes are made by a background job after the
-- upload is recorded (issue 14): until then its columns are NULL. SQLite drops NOT NULL only by
-- rebuilding the table (foreign keys off outside the transaction, copy, drop, rename, indexes
-- again, foreign keys checked, on). The evidence table has two indexes and no triggers; the
-- tables that refer to it (redactions, original requests, the image and text indexes, OCR texts,
-- contacts) refer to it by name and find the new table under the old name.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE evidence_copies_later (
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
    display_sha256 TEXT,
    display_kind TEXT,
    thumb_sha256 TEXT,
    thumb_width INTEGER,
    thumb_height INTEGER,
    perceptual_hash TEXT,
    uploaded_at TIMESTAMP NOT NULL,
    UNIQUE (case_id, position)
);
INSERT INTO evidence_copies_later (id, case_id, position, source, original_name, kind, sha256, byte_size, width, height, display_sha256, display_kind, thumb_sha256, thumb_width, thumb_height, perceptual_hash, uploaded_at) SELECT id, case_id, position, source, original_name, kind, sha256, byte_size, width, height, display_sha256, display_kind, thumb_sha256, thumb_width, thumb_height, perceptual_hash, uploaded_at FROM evidence;
DROP TABLE evidence;
ALTER TABLE evidence_copies_later RENAME TO evidence;
CREATE INDEX evidence_sha256 ON evidence (sha256);
CREATE INDEX evidence_perceptual_hash ON evidence (perceptual_hash);
COMMIT;
PRAGMA foreign_keys = ON;
