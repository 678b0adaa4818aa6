DROP TABLE record_corrections;
DROP TABLE record_entries;
ALTER TABLE handoffs DROP COLUMN outcome_published;
ALTER TABLE handoffs DROP COLUMN outcome_document_number;
