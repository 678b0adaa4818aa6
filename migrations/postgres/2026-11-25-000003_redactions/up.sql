-- Redactions: blacked-out copies of display images, made by officers (PostgreSQL).
CREATE TABLE evidence_redactions (
    id BIGSERIAL PRIMARY KEY,
    evidence_id BIGINT NOT NULL REFERENCES evidence (id) ON DELETE CASCADE,
    officer_id BIGINT NOT NULL REFERENCES officers (id),
    rects TEXT NOT NULL,
    display_sha256 TEXT NOT NULL,
    thumb_sha256 TEXT NOT NULL,
    thumb_width INTEGER NOT NULL,
    thumb_height INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX evidence_redactions_evidence ON evidence_redactions (evidence_id, id);
