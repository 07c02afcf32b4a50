-- Awards (中标结果), one per panel and at most one per project and bid
-- section. From its award on, the public panel check answers for the
-- panel's project. Times are UTC, truncated to microseconds by the
-- application.

CREATE TABLE awards (
    panel_id    TEXT PRIMARY KEY NOT NULL REFERENCES draws (id),
    project_id  TEXT NOT NULL,
    bid_section TEXT NOT NULL,
    awarded_at  TIMESTAMP NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX awards_project ON awards (project_id, bid_section);
