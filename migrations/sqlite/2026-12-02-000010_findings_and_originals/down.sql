DROP TABLE original_requests;
DROP TABLE case_findings;
