-- PostgreSQL only (its bigram index moves from an expression to a column); SQLite's FTS5
-- `case_bigrams` table already holds the pairs. Kept so both backends have the same migrations.
SELECT 1;
