-- The queue at a million cases (issue 14).

-- The sidebar's counts, kept beside the cases in the same transaction by triggers (a GROUP BY
-- over every case took ~100 ms at a million cases, on every queue page).
CREATE TABLE case_status_counts (
    status TEXT PRIMARY KEY NOT NULL,
    cases BIGINT NOT NULL DEFAULT 0
);
INSERT INTO case_status_counts (status, cases) SELECT status, COUNT(*) FROM cases GROUP BY status;

CREATE TRIGGER case_status_counts_insert AFTER INSERT ON cases BEGIN
    INSERT OR IGNORE INTO case_status_counts (status, cases) VALUES (NEW.status, 0);
    UPDATE case_status_counts SET cases = cases + 1 WHERE status = NEW.status;
END;
CREATE TRIGGER case_status_counts_update AFTER UPDATE OF status ON cases
WHEN OLD.status <> NEW.status BEGIN
    UPDATE case_status_counts SET cases = cases - 1 WHERE status = OLD.status;
    INSERT OR IGNORE INTO case_status_counts (status, cases) VALUES (NEW.status, 0);
    UPDATE case_status_counts SET cases = cases + 1 WHERE status = NEW.status;
END;
CREATE TRIGGER case_status_counts_delete AFTER DELETE ON cases BEGIN
    UPDATE case_status_counts SET cases = cases - 1 WHERE status = OLD.status;
END;

-- The day after which a case is overdue (the rule of Deadlines::is_overdue): its decision date
-- while it is reviewed or handed off, the earlier of its two dates while it waits to be taken,
-- none when no clock runs for it. Kept by triggers from the case's status and its deadlines, so
-- `?overdue=1` and the deadline sort walk one index instead of every case.
ALTER TABLE case_deadlines ADD COLUMN due_on DATE;
UPDATE case_deadlines SET due_on = (
    SELECT CASE
        WHEN c.status IN ('in_review', 'handed_off') THEN case_deadlines.decide_by
        WHEN c.status = 'submitted'
            THEN MIN(COALESCE(case_deadlines.accept_by, case_deadlines.decide_by), case_deadlines.decide_by)
    END
    FROM cases c WHERE c.id = case_deadlines.case_id
);
CREATE INDEX case_deadlines_due ON case_deadlines (due_on, case_id) WHERE due_on IS NOT NULL;

CREATE TRIGGER case_deadlines_due_insert AFTER INSERT ON case_deadlines BEGIN
    UPDATE case_deadlines SET due_on = (
        SELECT CASE
            WHEN c.status IN ('in_review', 'handed_off') THEN NEW.decide_by
            WHEN c.status = 'submitted' THEN MIN(COALESCE(NEW.accept_by, NEW.decide_by), NEW.decide_by)
        END
        FROM cases c WHERE c.id = NEW.case_id
    ) WHERE case_id = NEW.case_id;
END;
CREATE TRIGGER case_deadlines_due_update AFTER UPDATE OF accept_by, decide_by ON case_deadlines BEGIN
    UPDATE case_deadlines SET due_on = (
        SELECT CASE
            WHEN c.status IN ('in_review', 'handed_off') THEN NEW.decide_by
            WHEN c.status = 'submitted' THEN MIN(COALESCE(NEW.accept_by, NEW.decide_by), NEW.decide_by)
        END
        FROM cases c WHERE c.id = NEW.case_id
    ) WHERE case_id = NEW.case_id;
END;
CREATE TRIGGER cases_due_on_status AFTER UPDATE OF status ON cases
WHEN OLD.status <> NEW.status BEGIN
    UPDATE case_deadlines SET due_on = CASE
        WHEN NEW.status IN ('in_review', 'handed_off') THEN decide_by
        WHEN NEW.status = 'submitted' THEN MIN(COALESCE(accept_by, decide_by), decide_by)
    END
    WHERE case_id = NEW.id;
END;

-- The trigram index again with each case's id as rowid: search ranks newest first by rowid, and
-- a case's row is found by rowid (UNINDEXED case_id is a scan of the whole table).
CREATE VIRTUAL TABLE case_search_by_case USING fts5 (case_id UNINDEXED, body, tokenize = 'trigram');
INSERT INTO case_search_by_case (rowid, case_id, body)
SELECT case_id, case_id, group_concat(body, char(10)) FROM case_search GROUP BY case_id;
DROP TABLE case_search;
ALTER TABLE case_search_by_case RENAME TO case_search;

-- Two-character searches: the trigram index cannot serve them. Each case's search text as the
-- distinct pairs of adjacent characters, space-separated, one token each; rowid = the case's id.
CREATE VIRTUAL TABLE case_bigrams USING fts5 (
    case_id UNINDEXED,
    tokens,
    detail = none,
    tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO case_bigrams (rowid, case_id, tokens)
SELECT s.rowid, s.case_id, COALESCE((
    WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < length(s.body) - 1)
    SELECT group_concat(substr(s.body, n, 2), ' ') FROM i
    WHERE instr(substr(s.body, n, 2), ' ') = 0 AND instr(substr(s.body, n, 2), char(10)) = 0
), '')
FROM case_search s;

-- Queue filters that walk their own index in the order of the page (by last activity or by
-- filing time), so a page stops after fifty rows instead of sorting every match.
CREATE INDEX cases_province_activity ON cases (province_code, last_activity_at, id);
CREATE INDEX cases_city_activity ON cases (city_code, last_activity_at, id);
