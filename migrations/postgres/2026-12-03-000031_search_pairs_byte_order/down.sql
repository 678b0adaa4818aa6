DROP INDEX case_search_pairs;
ALTER TABLE case_search ALTER COLUMN pairs TYPE TEXT[] COLLATE "default";
CREATE INDEX case_search_pairs ON case_search USING gin (pairs);
