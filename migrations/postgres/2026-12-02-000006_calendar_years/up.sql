-- The official working-day calendar as data (PostgreSQL): every year file ever loaded,
-- append-only; the latest row of a year is the calendar in force for it. Kept in the database so
-- that every instance counts deadlines alike, and so that who loaded what, when, stays on record.
CREATE TABLE calendar_years (
    id BIGSERIAL PRIMARY KEY,
    year INTEGER NOT NULL,
    body TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    source TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('shipped', 'data_dir', 'command', 'upload')),
    imported_at TIMESTAMP NOT NULL,
    imported_by BIGINT REFERENCES officers (id),
    deadlines_moved INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX calendar_years_year ON calendar_years (year, id);
