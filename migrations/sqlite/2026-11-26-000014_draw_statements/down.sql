ALTER TABLE draws ADD COLUMN statement TEXT NOT NULL DEFAULT '';
UPDATE draws SET statement = (SELECT s.statement FROM draw_statements s WHERE s.draw_id = draws.id);
DROP TABLE draw_statements;
