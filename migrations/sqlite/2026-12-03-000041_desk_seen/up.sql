-- The officer's own page (issue 17): when each officer last opened it, so it lists what changed
-- on their cases since (none: never opened).
ALTER TABLE officers ADD COLUMN desk_seen_at TIMESTAMP;
