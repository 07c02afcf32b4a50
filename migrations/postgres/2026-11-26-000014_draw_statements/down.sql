ALTER TABLE draws ADD COLUMN statement TEXT NOT NULL DEFAULT '';
ALTER TABLE draws ALTER COLUMN statement SET COMPRESSION lz4;
UPDATE draws SET statement = s.statement FROM draw_statements s WHERE s.draw_id = draws.id;
DROP TABLE draw_statements;
