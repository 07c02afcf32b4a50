-- A draw's statement (one candidate per eligible expert: hundreds of kB)
-- sat in the middle of its `draws` row. SQLite keeps a row's columns in
-- order, so reading any later column of a draw (its state, seed, result:
-- every view and every step of the flow) walked the statement's chain of
-- overflow pages. The statement gets a table of its own, read only by the
-- reveal, the replay and whoever needs the candidates.
CREATE TABLE draw_statements (
    draw_id   TEXT PRIMARY KEY NOT NULL REFERENCES draws (id),
    -- The canonical JSON (RFC 8785) committed to by `statement_hash`.
    statement TEXT NOT NULL
);
INSERT INTO draw_statements (draw_id, statement) SELECT id, statement FROM draws;
ALTER TABLE draws DROP COLUMN statement;
