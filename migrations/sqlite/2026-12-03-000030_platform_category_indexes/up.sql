-- PostgreSQL only: SQLite's planner already serves the platform + category (+ province) views
-- from the single-column sort indexes in page order (2.7 ms p50, 4.2 ms p99 at 1,000,000 cases),
-- and each index more slows every filing. Kept so both backends have the same migrations.
SELECT 1;
