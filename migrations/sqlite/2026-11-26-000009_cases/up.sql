-- Discipline (考核与惩戒, issue 5), the regulator's chain: violations
-- recorded against the baseline, the sanction proposals point thresholds
-- make, sanction cases with their history, and employer letters.
-- Times are UTC, truncated to microseconds by the application; dates are
-- China calendar days.

-- A violation (违规记录) recorded on site or by a regulator. `points` is
-- copied from the baseline when recorded, so a later change of the table
-- does not rewrite the past. `settled`: already the basis of a decided
-- threshold case (still counted in the cycle, never proposed again).
CREATE TABLE violations (
    id          TEXT PRIMARY KEY NOT NULL,
    expert_id   TEXT NOT NULL REFERENCES experts (id),
    draw_id     TEXT REFERENCES draws (id),
    code        TEXT NOT NULL,
    points      INTEGER NOT NULL,
    occurred_on DATE NOT NULL,
    evidence    TEXT NOT NULL,
    settled     BOOLEAN NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX violations_expert ON violations (expert_id, occurred_on);

-- A sanction proposal (处理建议): a reason to open a case, never a
-- sanction. `key` is `SanctionProposal.key`, so one situation is proposed
-- once. `body` is the proposal's canonical JSON; `case_no` is set when a
-- case is opened from it.
CREATE TABLE sanction_proposals (
    key        TEXT PRIMARY KEY NOT NULL,
    expert_id  TEXT NOT NULL REFERENCES experts (id),
    as_of      DATE NOT NULL,
    body       TEXT NOT NULL,
    case_no    TEXT,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX sanction_proposals_open ON sanction_proposals (case_no, expert_id);

-- A sanction case (`CF-2026-000001`): the whole `expert_core` Case as
-- canonical JSON in `body`, with the columns queries filter on beside it.
CREATE TABLE cases (
    case_no      TEXT PRIMARY KEY NOT NULL,
    expert_id    TEXT NOT NULL REFERENCES experts (id),
    stage        TEXT NOT NULL,
    body         TEXT NOT NULL,
    opened_on    DATE NOT NULL,
    published_on DATE,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    version      BIGINT NOT NULL
);
CREATE INDEX cases_expert ON cases (expert_id, case_no);
CREATE INDEX cases_stage ON cases (stage, case_no);
CREATE INDEX cases_published ON cases (published_on, case_no);

-- Every event applied to a case, in order (the case's history).
CREATE TABLE case_events (
    case_no     TEXT NOT NULL REFERENCES cases (case_no),
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    body        TEXT NOT NULL,
    stage       TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (case_no, position)
);

-- The letter to a civil-servant expert's employer (通报函): the generated
-- text (it names the expert, so it stays here and never enters the log,
-- which keeps its SHA-256), and its delivery once recorded.
CREATE TABLE employer_letters (
    case_no      TEXT PRIMARY KEY NOT NULL REFERENCES cases (case_no),
    recipient    TEXT NOT NULL,
    title        TEXT NOT NULL,
    text         TEXT NOT NULL,
    text_sha256  TEXT NOT NULL,
    issued_on    DATE NOT NULL,
    generated_by TEXT NOT NULL,
    generated_at TIMESTAMP NOT NULL,
    delivered_on DATE,
    channel      TEXT,
    reference    TEXT
);
