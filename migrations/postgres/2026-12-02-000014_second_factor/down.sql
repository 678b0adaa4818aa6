DROP TABLE security_settings;
DROP TABLE sign_in_challenges;
DROP TABLE officer_recovery_codes;
DROP TABLE officer_second_factors;
