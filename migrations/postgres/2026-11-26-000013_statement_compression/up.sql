-- A draw's statement (one candidate per eligible expert: hundreds of kB)
-- is stored twice, in `draws.statement` and in its `draw.reveal` leaf.
-- PostgreSQL's default TOAST compression (pglz) costs several ms of CPU per
-- draw to write them; lz4 compresses about as well at a fraction of the
-- cost. Only values written from now on are affected.
ALTER TABLE draws ALTER COLUMN statement SET COMPRESSION lz4;
ALTER TABLE audit_entries ALTER COLUMN leaf SET COMPRESSION lz4;
