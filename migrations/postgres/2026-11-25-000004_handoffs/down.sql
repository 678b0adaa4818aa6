ALTER TABLE outbox DROP COLUMN attachment_name;
ALTER TABLE outbox DROP COLUMN attachment_sha256;
DROP TABLE handoffs;
DROP TABLE platform_domiciles;
DROP TABLE regulators;
