-- PostgreSQL only: its TOAST compression of statements and leaves becomes
-- lz4. SQLite stores values uncompressed; nothing to change. (The version
-- exists in both dialects so that their histories stay the same.)
SELECT 1;
