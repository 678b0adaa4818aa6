-- Each queue filter walks its own index in the page's order — by last activity or by filing
-- time — and stops after a page; without these the planner found every case of a platform or a
-- category and sorted them all (issue 14). Province, city (migration 24) and assignee
-- (migration 5) have their activity indexes already.
CREATE INDEX cases_platform_activity ON cases (platform, last_activity_at, id);
CREATE INDEX cases_category_activity ON cases (category, last_activity_at, id);
CREATE INDEX cases_platform_created ON cases (platform, created_at, id);
CREATE INDEX cases_category_created ON cases (category, created_at, id);
CREATE INDEX cases_province_created ON cases (province_code, created_at, id);
CREATE INDEX cases_city_created ON cases (city_code, created_at, id);
CREATE INDEX cases_assignee_created ON cases (assigned_officer_id, created_at, id);
