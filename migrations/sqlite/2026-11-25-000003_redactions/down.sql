DROP TABLE evidence_redactions;
