-- The queue by assignee ("mine", "nobody") in activity order straight from an index, instead of
-- sorting every match: 70 ms → 0.2 ms at 300,000 cases on SQLite.
CREATE INDEX cases_assignee_activity ON cases (assigned_officer_id, last_activity_at, id);
DROP INDEX cases_assignee;
