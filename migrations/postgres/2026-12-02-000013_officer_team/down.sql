DROP TABLE account_events;
DROP TABLE officer_links;
ALTER TABLE officers DROP COLUMN activated_at;
ALTER TABLE officers DROP COLUMN last_sign_in_at;
