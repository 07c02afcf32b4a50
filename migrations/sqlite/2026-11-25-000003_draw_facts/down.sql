ALTER TABLE outbox DROP COLUMN cancelled_at;
DROP INDEX experts_term;
ALTER TABLE experts DROP COLUMN leave_to;
ALTER TABLE experts DROP COLUMN leave_from;
ALTER TABLE experts DROP COLUMN term_start;
