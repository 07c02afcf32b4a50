-- The verifiable draw: draws with their statement and nonce, panel members
-- (pseudonymous per panel), substitutions and joins, invitations with
-- one-time response tokens, the notification outbox, signed checkpoints.
-- Times are UTC, truncated to microseconds by the application.

CREATE TABLE draws (
    id               TEXT PRIMARY KEY NOT NULL,
    -- The first draw of the panel this draw fills (itself for a first draw).
    panel_id         TEXT NOT NULL,
    parent           TEXT,
    -- For a supplementary draw: the panel group its pick joins.
    parent_group     INTEGER,
    project_id       TEXT NOT NULL,
    -- Sealed data: never in a statement, an entry or an operator's view.
    project_name     TEXT NOT NULL,
    region           TEXT NOT NULL,
    tenderer         TEXT NOT NULL,
    bid_section      TEXT NOT NULL,
    window_start     TIMESTAMP NOT NULL,
    window_end       TIMESTAMP NOT NULL,
    venue            TEXT NOT NULL,
    representatives  INTEGER NOT NULL,
    -- The request as received (JSON), to build supplementary draws from.
    request          TEXT NOT NULL,
    -- committed, revealed, short, superseded
    state            TEXT NOT NULL,
    statement        TEXT NOT NULL,
    statement_hash   TEXT NOT NULL,
    nonce            BLOB NOT NULL,
    nonce_commitment TEXT NOT NULL,
    candidate_count  INTEGER NOT NULL,
    excluded         TEXT NOT NULL,
    beacon           TEXT,
    seed             TEXT,
    result           TEXT,
    shortfall        TEXT,
    created_by       TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    revealed_at      TIMESTAMP,
    unsealed_at      TIMESTAMP
);
CREATE INDEX draws_project ON draws (project_id, bid_section, state);
CREATE INDEX draws_panel ON draws (panel_id, created_at);

-- Everyone a draw's result names, primaries and reserves. `seat` is true
-- while the member holds a place on the panel (a booking).
CREATE TABLE panel_members (
    panel_id     TEXT NOT NULL,
    expert_id    TEXT NOT NULL REFERENCES experts (id),
    draw_id      TEXT NOT NULL REFERENCES draws (id),
    pseudonym    TEXT NOT NULL,
    group_index  INTEGER NOT NULL,
    position     INTEGER NOT NULL,
    drawn_as     TEXT NOT NULL,
    -- reserve, invited, accepted, declined, no_answer, signed_in, void, not_invited
    state        TEXT NOT NULL,
    seat         BOOLEAN NOT NULL,
    tenderer     TEXT NOT NULL,
    window_start TIMESTAMP NOT NULL,
    window_end   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (panel_id, expert_id)
);
CREATE UNIQUE INDEX panel_members_pseudonym ON panel_members (panel_id, pseudonym);
CREATE INDEX panel_members_seats ON panel_members (expert_id, seat, window_start);

-- The panel's history after the draw, in order: substitutions (out → in,
-- `in` null when no reserve qualified) and supplementary picks joining.
CREATE TABLE panel_changes (
    panel_id    TEXT NOT NULL,
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    group_index INTEGER NOT NULL,
    out_id      TEXT,
    in_id       TEXT,
    source_draw TEXT NOT NULL,
    reason      TEXT NOT NULL,
    at          TIMESTAMP NOT NULL,
    PRIMARY KEY (panel_id, position)
);

CREATE TABLE invitations (
    id              TEXT PRIMARY KEY NOT NULL,
    token_hash      BLOB NOT NULL UNIQUE,
    panel_id        TEXT NOT NULL,
    expert_id       TEXT NOT NULL REFERENCES experts (id),
    created_at      TIMESTAMP NOT NULL,
    deadline        TIMESTAMP NOT NULL,
    -- accept, decline, no_answer, cancelled
    answer          TEXT,
    answered_at     TIMESTAMP,
    reason          TEXT,
    conflict        BOOLEAN NOT NULL,
    operator_entered BOOLEAN NOT NULL,
    evidence        TEXT
);
CREATE INDEX invitations_open ON invitations (answer, deadline);
CREATE INDEX invitations_member ON invitations (panel_id, expert_id);

CREATE TABLE outbox (
    id              TEXT PRIMARY KEY NOT NULL,
    channel         TEXT NOT NULL,
    recipient_ref   TEXT NOT NULL,
    payload         TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    attempts        INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    delivered_at    TIMESTAMP,
    last_error      TEXT,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX outbox_due ON outbox (delivered_at, next_attempt_at);

CREATE TABLE checkpoints (
    size BIGINT PRIMARY KEY NOT NULL,
    root TEXT NOT NULL,
    note TEXT NOT NULL,
    time TIMESTAMP NOT NULL
);
