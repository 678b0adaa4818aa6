ALTER TABLE cases DROP COLUMN consent_share_platform;
DROP INDEX platform_desks_platform;
DROP TABLE platform_desks;
