DROP INDEX handoffs_campaign;
ALTER TABLE handoffs DROP COLUMN campaign_handoff_id;
DROP TABLE campaign_handoffs;
DROP TABLE campaign_events;
DROP INDEX cases_campaign;
ALTER TABLE cases DROP COLUMN campaign_id;
DROP TABLE campaigns;
