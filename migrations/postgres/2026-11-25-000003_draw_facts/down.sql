ALTER TABLE outbox DROP COLUMN cancelled_at;
ALTER TABLE experts DROP COLUMN leave_to;
ALTER TABLE experts DROP COLUMN leave_from;
ALTER TABLE experts DROP COLUMN term_start;
