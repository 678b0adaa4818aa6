-- The queue's platform + category (+ province) views on SQLite at 1,000,000 cases, now that the
-- queue counts its view (up to 1,001 cases, read along the page's own index). Walking the
-- province's index in page order, a view of Pinduoduo + cashback-for-review + Guangdong reads
-- ~40,000 cases (148,770 in the province, 2.5 % of them in the view) to count 1,001: 56 ms p50,
-- 58 ms p99 (goal 50). With the indexes PostgreSQL has had since migration 30 it reads the view's
-- own entries only.
CREATE INDEX cases_platform_category_province_activity
    ON cases (platform, category, province_code, last_activity_at, id);
CREATE INDEX cases_platform_category_activity
    ON cases (platform, category, last_activity_at, id);
