DROP TABLE login_throttle_keys;
DROP TABLE login_attempts;
DROP TABLE officer_devices;
