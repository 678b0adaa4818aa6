-- SQLite only (the queue's platform + category indexes, which PostgreSQL has had since
-- migration 30). Kept so both backends have the same migrations.
SELECT 1;
