-- The queue's platform + category (+ province) views at scale (issue 14). PostgreSQL estimated
-- the three filters as independent (14 rows where 472 match at 100,000 cases) and combined three
-- bitmaps of ~25,000 rows each: 116 ms cold, 13–22 ms warm, growing with the cases. With these
-- it reads the matches from one index (2 ms), and platform + category alone walks in page order.
CREATE INDEX cases_platform_category_province_activity
    ON cases (platform, category, province_code, last_activity_at, id);
CREATE INDEX cases_platform_category_activity
    ON cases (platform, category, last_activity_at, id);
