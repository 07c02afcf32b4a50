-- What a draw's hard filters read, kept in columns so a statement is built
-- without parsing `status_data` per row: the term's first day (its last
-- is `term_end`) and the dates of a leave held as the status. They are
-- written with `status_data` (store::experts::save_status).
-- A cancelled outbox message is not sent (an invitation to a member who
-- left the panel before it went out).
ALTER TABLE experts ADD COLUMN term_start DATE;
ALTER TABLE experts ADD COLUMN leave_from DATE;
ALTER TABLE experts ADD COLUMN leave_to DATE;
UPDATE experts SET term_start = json_extract(status_data, '$.term.start')
    WHERE json_extract(status_data, '$.term.start') IS NOT NULL;
UPDATE experts SET leave_from = json_extract(status_data, '$.from'),
                   leave_to = json_extract(status_data, '$.to')
    WHERE status = 'on_leave';
ALTER TABLE outbox ADD COLUMN cancelled_at TIMESTAMP;
