-- Counting the experts whose term covers an evaluation (store::pool) reads
-- this index alone, not the wide rows.
CREATE INDEX experts_term ON experts (status, term_start, term_end);
