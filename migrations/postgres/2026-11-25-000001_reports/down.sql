DROP TABLE outbox;
DROP TABLE email_tokens;
DROP TABLE audit_events;
DROP TABLE evidence;
DROP TABLE cases;
DROP TABLE case_number_counters;
DROP TABLE instance_secrets;
