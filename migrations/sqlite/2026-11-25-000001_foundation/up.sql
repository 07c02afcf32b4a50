-- Foundation: the audit log, API tokens, the expert registry.
-- Times are UTC, truncated to microseconds by the application.

CREATE TABLE audit_entries (
    seq       BIGINT PRIMARY KEY NOT NULL,
    time      TIMESTAMP NOT NULL,
    kind      TEXT NOT NULL,
    actor     TEXT NOT NULL,
    subject   TEXT,
    leaf      TEXT NOT NULL,
    leaf_hash BLOB NOT NULL
);
CREATE INDEX audit_entries_kind ON audit_entries (kind, seq);
CREATE INDEX audit_entries_subject ON audit_entries (subject, seq);

-- One row: the head of the Merkle log. Every write transaction updates it
-- first, which serialises writers and keeps seq dense.
CREATE TABLE audit_head (
    id      INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    size    BIGINT NOT NULL,
    compact BLOB NOT NULL,
    root    BLOB NOT NULL
);
INSERT INTO audit_head (id, size, compact, root)
VALUES (1, 0, X'', X'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');

CREATE TABLE counters (
    name  TEXT PRIMARY KEY NOT NULL,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('expert', 0);

CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,
    role       TEXT NOT NULL,
    region     TEXT,
    label      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP,
    revoked_at TIMESTAMP
);

CREATE TABLE experts (
    id                TEXT PRIMARY KEY NOT NULL,
    name              TEXT NOT NULL,
    resident_id       TEXT NOT NULL,
    birth_date        DATE NOT NULL,
    mobile            TEXT NOT NULL,
    region            TEXT NOT NULL,
    employer_name     TEXT NOT NULL,
    employer_code     TEXT NOT NULL,
    title             TEXT NOT NULL,
    senior_equivalent BOOLEAN NOT NULL,
    years_in_field    INTEGER NOT NULL,
    civil_servant     BOOLEAN NOT NULL,
    employer_contact  TEXT,
    documents         TEXT NOT NULL,
    specialties       TEXT NOT NULL,
    status            TEXT NOT NULL,
    status_data       TEXT NOT NULL,
    term_number       INTEGER NOT NULL,
    term_end          DATE,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    version           BIGINT NOT NULL
);
CREATE INDEX experts_status ON experts (status, id);
CREATE INDEX experts_region ON experts (region, status, id);
CREATE INDEX experts_employer ON experts (employer_code, id);
-- Not unique: a retired or removed person may apply again as a new record;
-- at most one live record per person is enforced under the log-head lock.
CREATE INDEX experts_resident_id ON experts (resident_id);

CREATE TABLE expert_specialties (
    expert_id TEXT NOT NULL REFERENCES experts (id),
    code      TEXT NOT NULL,
    PRIMARY KEY (expert_id, code)
);
CREATE INDEX expert_specialties_code ON expert_specialties (code, expert_id);

-- Kept forever: the conflict-of-interest rules look back three years.
CREATE TABLE employment_history (
    expert_id     TEXT NOT NULL REFERENCES experts (id),
    position      INTEGER NOT NULL,
    employer_code TEXT NOT NULL,
    employer_name TEXT NOT NULL,
    from_date     DATE NOT NULL,
    to_date       DATE,
    PRIMARY KEY (expert_id, position)
);
CREATE INDEX employment_history_employer ON employment_history (employer_code, expert_id);

CREATE TABLE expert_leaves (
    expert_id TEXT NOT NULL REFERENCES experts (id),
    from_date DATE NOT NULL,
    to_date   DATE NOT NULL,
    reason    TEXT NOT NULL,
    PRIMARY KEY (expert_id, from_date)
);

-- Declined invitations, counted by the periodic review.
CREATE TABLE expert_declines (
    expert_id   TEXT NOT NULL REFERENCES experts (id),
    declined_at TIMESTAMP NOT NULL,
    reference   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (expert_id, reference)
);
CREATE INDEX expert_declines_time ON expert_declines (expert_id, declined_at);

-- Removal from the pool and bans outlive the expert row's status: a person
-- who re-applies is checked against them by resident ID.
CREATE TABLE bans (
    resident_id TEXT NOT NULL,
    since       DATE NOT NULL,
    until       DATE,
    removed     BOOLEAN NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (resident_id, since)
);
