-- The copy columns NOT NULL again; a screenshot whose copies were not made yet keeps empty ones.
UPDATE evidence SET
    display_sha256 = COALESCE(display_sha256, ''),
    display_kind = COALESCE(display_kind, kind),
    thumb_sha256 = COALESCE(thumb_sha256, ''),
    thumb_width = COALESCE(thumb_width, 0),
    thumb_height = COALESCE(thumb_height, 0),
    perceptual_hash = COALESCE(perceptual_hash, '')
WHERE display_sha256 IS NULL OR thumb_sha256 IS NULL OR perceptual_hash IS NULL;
ALTER TABLE evidence
    ALTER COLUMN display_sha256 SET NOT NULL,
    ALTER COLUMN display_kind SET NOT NULL,
    ALTER COLUMN thumb_sha256 SET NOT NULL,
    ALTER COLUMN thumb_width SET NOT NULL,
    ALTER COLUMN thumb_height SET NOT NULL,
    ALTER COLUMN perceptual_hash SET NOT NULL;
