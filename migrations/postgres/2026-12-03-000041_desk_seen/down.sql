ALTER TABLE officers DROP COLUMN desk_seen_at;
