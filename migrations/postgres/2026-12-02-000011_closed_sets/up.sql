-- The closed sets get CHECK constraints: a case's status, language and closed reason, an
-- officer's role, a handoff's outcome. Open sets (audit actions, mail kinds) are checked in code, so
-- adding one needs no rebuild of the largest tables.
--
-- An officer's closing note used to be copied into closed_reason; the note stays on the case's
-- notes, and the reason becomes the keyword closed_by_officer.
UPDATE cases SET closed_reason = 'closed_by_officer'
    WHERE closed_reason IS NOT NULL AND closed_reason NOT IN ('insufficient_evidence', 'duplicate', 'out_of_scope', 'spam', 'penalty', 'warning', 'transferred', 'no_violation', 'other', 'closed_by_officer');
ALTER TABLE cases ADD CONSTRAINT cases_status_known CHECK (status IN ('unconfirmed', 'submitted', 'in_review', 'awaiting_reporter', 'substantiated', 'handed_off', 'acknowledged', 'closed', 'dismissed', 'withdrawn'));
ALTER TABLE cases ADD CONSTRAINT cases_language_known CHECK (language IN ('zh-CN', 'en'));
ALTER TABLE cases ADD CONSTRAINT cases_closed_reason_known CHECK (closed_reason IN ('insufficient_evidence', 'duplicate', 'out_of_scope', 'spam', 'penalty', 'warning', 'transferred', 'no_violation', 'other', 'closed_by_officer'));
ALTER TABLE officers ADD CONSTRAINT officers_role_known CHECK (role IN ('officer', 'supervisor'));
ALTER TABLE handoffs ADD CONSTRAINT handoffs_outcome_known CHECK (outcome IN ('penalty', 'warning', 'transferred', 'no_violation', 'other'));
