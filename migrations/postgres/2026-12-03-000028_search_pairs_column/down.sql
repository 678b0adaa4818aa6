DROP INDEX case_search_pairs;
ALTER TABLE case_search DROP COLUMN pairs;
CREATE FUNCTION case_bigrams(body TEXT) RETURNS TEXT[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT COALESCE(array_agg(DISTINCT pair), '{}')
    FROM (SELECT substr(body, n, 2) AS pair FROM generate_series(1, length(body) - 1) AS n) p
    WHERE pair !~ '\s'
$$;
CREATE INDEX case_search_bigrams ON case_search USING gin (case_bigrams(body));
