CREATE INDEX cases_assignee ON cases (assigned_officer_id, status, last_activity_at);
DROP INDEX cases_assignee_activity;
