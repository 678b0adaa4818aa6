ALTER TABLE handoffs DROP CONSTRAINT handoffs_outcome_known;
ALTER TABLE officers DROP CONSTRAINT officers_role_known;
ALTER TABLE cases DROP CONSTRAINT cases_closed_reason_known;
ALTER TABLE cases DROP CONSTRAINT cases_language_known;
ALTER TABLE cases DROP CONSTRAINT cases_status_known;
