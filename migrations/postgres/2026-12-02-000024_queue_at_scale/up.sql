-- The queue at a million cases (issue 14).

-- The sidebar's counts, kept beside the cases in the same transaction by triggers (a GROUP BY
-- over every case on every queue page does not scale).
CREATE TABLE case_status_counts (
    status TEXT PRIMARY KEY NOT NULL,
    cases BIGINT NOT NULL DEFAULT 0
);
INSERT INTO case_status_counts (status, cases) SELECT status, COUNT(*) FROM cases GROUP BY status;

CREATE FUNCTION case_status_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE case_status_counts SET cases = cases - 1 WHERE status = OLD.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO case_status_counts (status, cases) VALUES (NEW.status, 1)
        ON CONFLICT (status) DO UPDATE SET cases = case_status_counts.cases + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER case_status_counts_insert AFTER INSERT OR DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION case_status_counts_keep();
CREATE TRIGGER case_status_counts_update AFTER UPDATE OF status ON cases
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION case_status_counts_keep();

-- The day after which a case is overdue (the rule of Deadlines::is_overdue): its decision date
-- while it is reviewed or handed off, the earlier of its two dates while it waits to be taken,
-- none when no clock runs for it. Kept by triggers from the case's status and its deadlines, so
-- `?overdue=1` and the deadline sort walk one index instead of every case.
CREATE FUNCTION case_due_on(status TEXT, accept_by DATE, decide_by DATE) RETURNS DATE
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN status IN ('in_review', 'handed_off') THEN decide_by
        WHEN status = 'submitted' THEN LEAST(accept_by, decide_by)
    END
$$;
ALTER TABLE case_deadlines ADD COLUMN due_on DATE;
UPDATE case_deadlines d SET due_on = case_due_on(c.status, d.accept_by, d.decide_by)
    FROM cases c WHERE c.id = d.case_id;
CREATE INDEX case_deadlines_due ON case_deadlines (due_on, case_id) WHERE due_on IS NOT NULL;

CREATE FUNCTION case_deadlines_due_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.due_on := case_due_on((SELECT status FROM cases WHERE id = NEW.case_id), NEW.accept_by, NEW.decide_by);
    RETURN NEW;
END $$;
CREATE TRIGGER case_deadlines_due BEFORE INSERT OR UPDATE OF accept_by, decide_by ON case_deadlines
    FOR EACH ROW EXECUTE FUNCTION case_deadlines_due_keep();

CREATE FUNCTION cases_due_on_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE case_deadlines SET due_on = case_due_on(NEW.status, accept_by, decide_by)
        WHERE case_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER cases_due_on_status AFTER UPDATE OF status ON cases
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION cases_due_on_keep();

-- Two-character searches: pg_trgm cannot serve them. The distinct pairs of adjacent characters
-- of each search text, in a GIN index over an expression (nothing more to keep up to date).
CREATE FUNCTION case_bigrams(body TEXT) RETURNS TEXT[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT COALESCE(array_agg(DISTINCT pair), '{}')
    FROM (SELECT substr(body, n, 2) AS pair FROM generate_series(1, length(body) - 1) AS n) p
    WHERE pair !~ '\s'
$$;
CREATE INDEX case_search_bigrams ON case_search USING gin (case_bigrams(body));

-- Queue filters that walk their own index in the order of the page (by last activity or by
-- filing time), so a page stops after fifty rows instead of sorting every match.
CREATE INDEX cases_province_activity ON cases (province_code, last_activity_at, id);
CREATE INDEX cases_city_activity ON cases (city_code, last_activity_at, id);
