DROP INDEX cases_assignee_created;
DROP INDEX cases_city_created;
DROP INDEX cases_province_created;
DROP INDEX cases_category_created;
DROP INDEX cases_platform_created;
DROP INDEX cases_category_activity;
DROP INDEX cases_platform_activity;
