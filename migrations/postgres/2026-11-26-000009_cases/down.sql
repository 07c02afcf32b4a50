DROP TABLE employer_letters;
DROP TABLE case_events;
DROP TABLE cases;
DROP TABLE sanction_proposals;
DROP TABLE violations;
