-- PostgreSQL only: SQLite's pair index (FTS5) compares bytes already. Kept so both backends
-- have the same migrations.
SELECT 1;
