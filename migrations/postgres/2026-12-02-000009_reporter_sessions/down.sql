DROP TABLE report_form_tokens;
DROP TABLE reporter_sessions;
