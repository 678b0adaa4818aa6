DROP TABLE platform_notices;
