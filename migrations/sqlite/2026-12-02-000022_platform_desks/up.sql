-- Platform desks (sqlite): the governance contacts a handed-off case is noticed to (issue 13),
-- kept by supervisors like the regulator directory. kind 'platform': the desk of one platform
-- (platform set; for 'other' also the shop's domain); kind 'search_engine': a search engine's
-- complaint desk for impersonated-hotline pages (domain set: baidu.com, so.com, sogou.com).
CREATE TABLE platform_desks (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('platform', 'search_engine')),
    platform TEXT,
    domain TEXT,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX platform_desks_platform ON platform_desks (platform, active);

-- The reporter's separate consent (PIPL Art. 13) to share checked copies of their screenshots
-- with the platform; off unless ticked on the report form.
ALTER TABLE cases ADD COLUMN consent_share_platform BOOLEAN NOT NULL DEFAULT 0;
