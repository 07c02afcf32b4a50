DROP TABLE assessment_sheets;
DROP TABLE assessment_links;
