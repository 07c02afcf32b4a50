-- Evaluation results (评标结果) of an awarded panel, as the operator uploads
-- them after the award: the scoring items, bidders, rejected bids with
-- reasons, every member's item-by-item scores and the recommended
-- candidates, checked by expert-core before they are stored. A correction
-- is a new version; no version is ever changed. `body` is the canonical
-- JSON of the checked results (the same bytes as in the log entry).
-- Times are UTC, truncated to microseconds by the application.

CREATE TABLE evaluation_results (
    panel_id    TEXT NOT NULL REFERENCES awards (panel_id),
    version     INTEGER NOT NULL,
    body        TEXT NOT NULL,
    note        TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (panel_id, version)
);
