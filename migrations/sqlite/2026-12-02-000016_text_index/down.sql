DROP TABLE evidence_texts;
DROP TABLE text_bands;
DROP TABLE case_texts;
