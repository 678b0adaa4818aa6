DROP TABLE case_links;
DROP INDEX cases_merchant;
ALTER TABLE cases DROP COLUMN merchant_key;
