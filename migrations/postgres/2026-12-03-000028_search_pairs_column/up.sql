-- Two-character searches (issue 14): the character pairs of each search text kept in a column
-- the application writes (`domain::search_term::character_pair_list`) instead of a GIN index
-- over an SQL function. The expression index made the planner evaluate the function on every
-- row of a newest-first walk (seconds for a common pair at a million cases); a plain column is
-- read as it is.
ALTER TABLE case_search ADD COLUMN pairs TEXT[];
UPDATE case_search SET pairs = case_bigrams(body);
ALTER TABLE case_search ALTER COLUMN pairs SET NOT NULL;
DROP INDEX case_search_bigrams;
DROP FUNCTION case_bigrams(TEXT);
CREATE INDEX case_search_pairs ON case_search USING gin (pairs);
