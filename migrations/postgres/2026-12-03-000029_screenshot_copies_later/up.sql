-- A screenshot's display copy, thumbnail and hashes are made by a background job after the
-- upload is recorded (issue 14): until then its columns are NULL.
ALTER TABLE evidence
    ALTER COLUMN display_sha256 DROP NOT NULL,
    ALTER COLUMN display_kind DROP NOT NULL,
    ALTER COLUMN thumb_sha256 DROP NOT NULL,
    ALTER COLUMN thumb_width DROP NOT NULL,
    ALTER COLUMN thumb_height DROP NOT NULL,
    ALTER COLUMN perceptual_hash DROP NOT NULL;
