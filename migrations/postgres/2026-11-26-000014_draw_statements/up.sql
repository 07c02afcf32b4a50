-- A draw's statement (one candidate per eligible expert: hundreds of kB)
-- gets a table of its own, read only by the reveal, the replay and whoever
-- needs the candidates (on SQLite, a row's later columns were reached
-- through the statement's overflow pages; the schema stays the same on
-- both backends). lz4 as for the statement before (migration 000013).
CREATE TABLE draw_statements (
    draw_id   TEXT PRIMARY KEY NOT NULL REFERENCES draws (id),
    -- The canonical JSON (RFC 8785) committed to by `statement_hash`.
    statement TEXT NOT NULL
);
ALTER TABLE draw_statements ALTER COLUMN statement SET COMPRESSION lz4;
INSERT INTO draw_statements (draw_id, statement) SELECT id, statement FROM draws;
ALTER TABLE draws DROP COLUMN statement;
