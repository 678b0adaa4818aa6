DROP TABLE saved_filters;
ALTER TABLE officers DROP COLUMN shortcuts_on;
