DROP INDEX experts_term;
