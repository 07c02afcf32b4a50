DROP TABLE evaluation_results;
