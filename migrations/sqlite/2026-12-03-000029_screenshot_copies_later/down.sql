-- The copy columns NOT NULL again; a screenshot whose copies were not made yet keeps empty ones
-- (its job, if it still runs, finds them made and does nothing).
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE evidence_copies_now (
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
INSERT INTO evidence_copies_now (id, case_id, position, source, original_name, kind, sha256, byte_size, width, height, display_sha256, display_kind, thumb_sha256, thumb_width, thumb_height, perceptual_hash, uploaded_at) SELECT id, case_id, position, source, original_name, kind, sha256, byte_size, width, height, COALESCE(display_sha256, ''), COALESCE(display_kind, kind), COALESCE(thumb_sha256, ''), COALESCE(thumb_width, 0), COALESCE(thumb_height, 0), COALESCE(perceptual_hash, ''), uploaded_at FROM evidence;
DROP TABLE evidence;
ALTER TABLE evidence_copies_now RENAME TO evidence;
CREATE INDEX evidence_sha256 ON evidence (sha256);
CREATE INDEX evidence_perceptual_hash ON evidence (perceptual_hash);
COMMIT;
PRAGMA foreign_keys = ON;
