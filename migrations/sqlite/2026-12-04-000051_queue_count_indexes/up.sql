-- The queue's platform + category (+ province) views on SQLite at 1,000,000 cases, now that the
-- queue counts its view (up to 1,001 cases, read along the page's own index). Walking the
-- province's index in page order, a view of Pinduoduo + cashback-for-review + Guangdong reads
-- ~40,000 cases (148,770 in the province, 2.5 % of them in the view) to count 1,001: 56 ms p50,
-- 58 ms p99 (goal 50). With these it reads the view's own entries only, in either sort: SQLite
-- has no bitmap scan, so the oldest-first sort needs its own pair (without it the planner takes
-- the activity index and sorts every match). PostgreSQL has had the activity pair since
-- migration 30 and sorts a view this selective from its bitmap.
CREATE INDEX cases_platform_category_province_activity
    ON cases (platform, category, province_code, last_activity_at, id);
CREATE INDEX cases_platform_category_activity
    ON cases (platform, category, last_activity_at, id);
CREATE INDEX cases_platform_category_province_created
    ON cases (platform, category, province_code, created_at, id);
CREATE INDEX cases_platform_category_created
    ON cases (platform, category, created_at, id);
