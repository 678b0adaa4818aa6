-- The officer's desk (issue 17): keyboard shortcuts each officer can turn off (WCAG 2.1.4), and
-- each officer's saved views of the queue (a name and the queue's query string).
ALTER TABLE officers ADD COLUMN shortcuts_on BOOLEAN NOT NULL DEFAULT TRUE;
CREATE TABLE saved_filters (
    id BIGSERIAL PRIMARY KEY,
    officer_id BIGINT NOT NULL REFERENCES officers (id),
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX saved_filters_officer ON saved_filters (officer_id, id);
