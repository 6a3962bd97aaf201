-- Issue #4, cases: mentions become cases (one conversation per case), routed to a team
-- and an agent, with SLA due times; replies go to a sandbox outbox; callbacks, CSAT
-- surveys, and the care settings (routing rules, SLA policies with their calendar, team
-- settings, agent presence, canned responses). Variable parts are JSON text.

CREATE TABLE cases (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id            INTEGER REFERENCES contacts (id),
    status                TEXT    NOT NULL,
    priority              TEXT    NOT NULL,
    team_id               INTEGER REFERENCES teams (id) ON DELETE SET NULL,
    assignee_id           INTEGER REFERENCES users (id) ON DELETE SET NULL,
    tags                  TEXT    NOT NULL DEFAULT '[]',
    language              TEXT,
    source                TEXT    NOT NULL,
    topic                 TEXT,
    intent                TEXT,
    reason                TEXT,
    first_mention_id      INTEGER,
    subject               TEXT    NOT NULL DEFAULT '',
    opened_at             TEXT    NOT NULL,
    first_response_at     TEXT   ,
    first_response_due_at TEXT    NOT NULL,
    resolution_due_at     TEXT    NOT NULL,
    resolved_at           TEXT   ,
    updated_at            TEXT    NOT NULL
);
-- The inbox lists newest first by id (keyset pagination) under each filter.
CREATE INDEX cases_status_id ON cases (status, id);
CREATE INDEX cases_team_id ON cases (team_id, id);
CREATE INDEX cases_assignee_id ON cases (assignee_id, id);
CREATE INDEX cases_contact_id ON cases (contact_id, id);

-- Which source messages belong to a case: a reply to one of them joins that case.
CREATE TABLE case_threads (
    source      TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    case_id     INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    PRIMARY KEY (source, external_id)
);

-- The conversation and history of a case: customer messages (a mention), agent replies,
-- internal notes, status and assignment changes.
CREATE TABLE case_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at         TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    mention_id INTEGER,
    user_id    INTEGER,
    text       TEXT,
    visibility TEXT,
    details    TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX case_events_case_id ON case_events (case_id, id);

-- The sandbox sink: exactly what would be published, and its delivery status.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    channel     TEXT    NOT NULL,
    in_reply_to TEXT,
    recipient   TEXT,
    text        TEXT    NOT NULL,
    visibility  TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE INDEX outbox_case_id ON outbox (case_id, id);
CREATE INDEX outbox_status ON outbox (status, id);

CREATE TABLE routing_rules (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    position   INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    conditions TEXT    NOT NULL,
    team_id    INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    created_at TEXT    NOT NULL
);

-- One default policy (team_id NULL) and at most one per team.
CREATE TABLE sla_policies (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    team_id    INTEGER UNIQUE REFERENCES teams (id) ON DELETE CASCADE,
    targets    TEXT    NOT NULL,
    calendar   TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);

CREATE TABLE team_care_settings (
    team_id          INTEGER PRIMARY KEY REFERENCES teams (id) ON DELETE CASCADE,
    append_signature INTEGER NOT NULL,
    assignment       TEXT    NOT NULL,
    crowd            INTEGER NOT NULL
);

CREATE TABLE agent_presence (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    presence   TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);

CREATE TABLE canned_responses (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT    NOT NULL,
    template   TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);

CREATE TABLE callbacks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    phone       TEXT    NOT NULL,
    note        TEXT    NOT NULL,
    slot        TEXT,
    status      TEXT    NOT NULL,
    outcome     TEXT,
    created_by  INTEGER,
    created_at  TEXT    NOT NULL,
    done_at     TEXT   
);
CREATE INDEX callbacks_status_id ON callbacks (status, id);
CREATE INDEX callbacks_case_id ON callbacks (case_id);

-- One survey a resolution; found by the SHA-256 of its one-use token.
CREATE TABLE csat_surveys (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id      INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    token_sha256 TEXT    NOT NULL UNIQUE,
    agent_id     INTEGER,
    team_id      INTEGER,
    rating       INTEGER,
    comment      TEXT,
    created_at   TEXT    NOT NULL,
    answered_at  TEXT   
);
CREATE INDEX csat_surveys_case_id ON csat_surveys (case_id);
