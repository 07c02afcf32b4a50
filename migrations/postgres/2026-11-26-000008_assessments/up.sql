-- Per-bid assessment (一标一评): after an evaluation the on-site supervisor
-- and the tenderer's representative each score every member who served.
-- The representative is not a user: the operator issues a one-time rating
-- link per panel (only its SHA-256 kept), valid until the assessment
-- deadline. A sheet is one per rater per expert per draw; a correction is
-- the next version with a reason, no version is ever changed. `body` is
-- the canonical JSON of the checked sheet (the same bytes as in the log
-- entry); `percent` its total as a share of the items' maximum when it was
-- scored, for the credit the periodic review computes.
-- Times are UTC, truncated to microseconds by the application.

CREATE TABLE assessment_links (
    id         TEXT PRIMARY KEY NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,
    panel_id   TEXT NOT NULL REFERENCES draws (id),
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX assessment_links_panel ON assessment_links (panel_id);

CREATE TABLE assessment_sheets (
    draw_id       TEXT NOT NULL REFERENCES draws (id),
    expert_id     TEXT NOT NULL REFERENCES experts (id),
    -- tenderer_representative (rater_id: the link's id) or
    -- on_site_supervisor (rater_id: the supervisor's token id)
    rater_role    TEXT NOT NULL,
    rater_id      TEXT NOT NULL,
    version       INTEGER NOT NULL,
    body          TEXT NOT NULL,
    total         INTEGER NOT NULL,
    percent       INTEGER NOT NULL,
    evaluation_on DATE NOT NULL,
    submitted_on  DATE NOT NULL,
    recorded_by   TEXT NOT NULL,
    recorded_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (draw_id, expert_id, rater_role, rater_id, version)
);
CREATE INDEX assessment_sheets_expert ON assessment_sheets (expert_id, evaluation_on);
