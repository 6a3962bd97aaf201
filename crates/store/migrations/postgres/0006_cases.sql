-- Issue #4, cases: mentions become cases (one conversation per case), routed to a team
-- and an agent, with SLA due times; replies go to a sandbox outbox; callbacks, CSAT
-- surveys, and the care settings (routing rules, SLA policies with their calendar, team
-- settings, agent presence, canned responses). Variable parts are JSON text.

CREATE TABLE cases (
    id                    BIGSERIAL PRIMARY KEY,
    contact_id            BIGINT  REFERENCES contacts (id),
    status                TEXT    NOT NULL,
    priority              TEXT    NOT NULL,
    team_id               BIGINT  REFERENCES teams (id) ON DELETE SET NULL,
    assignee_id           BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    tags                  TEXT    NOT NULL DEFAULT '[]',
    language              TEXT,
    source                TEXT    NOT NULL,
    topic                 TEXT,
    intent                TEXT,
    reason                TEXT,
    first_mention_id      BIGINT ,
    subject               TEXT    NOT NULL DEFAULT '',
    opened_at             TIMESTAMPTZ NOT NULL,
    first_response_at     TIMESTAMPTZ,
    first_response_due_at TIMESTAMPTZ NOT NULL,
    resolution_due_at     TIMESTAMPTZ NOT NULL,
    resolved_at           TIMESTAMPTZ,
    updated_at            TIMESTAMPTZ NOT NULL
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
    case_id     BIGINT  NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    PRIMARY KEY (source, external_id)
);

-- The conversation and history of a case: customer messages (a mention), agent replies,
-- internal notes, status and assignment changes.
CREATE TABLE case_events (
    id         BIGSERIAL PRIMARY KEY,
    case_id    BIGINT  NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at         TIMESTAMPTZ NOT NULL,
    kind       TEXT    NOT NULL,
    mention_id BIGINT ,
    user_id    BIGINT ,
    text       TEXT,
    visibility TEXT,
    details    TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX case_events_case_id ON case_events (case_id, id);

-- The sandbox sink: exactly what would be published, and its delivery status.
CREATE TABLE outbox (
    id          BIGSERIAL PRIMARY KEY,
    case_id     BIGINT  NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    channel     TEXT    NOT NULL,
    in_reply_to TEXT,
    recipient   TEXT,
    text        TEXT    NOT NULL,
    visibility  TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    attempts    BIGINT  NOT NULL DEFAULT 0,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX outbox_case_id ON outbox (case_id, id);
CREATE INDEX outbox_status ON outbox (status, id);

CREATE TABLE routing_rules (
    id         BIGSERIAL PRIMARY KEY,
    position   BIGINT  NOT NULL,
    name       TEXT    NOT NULL,
    conditions TEXT    NOT NULL,
    team_id    BIGINT  NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL
);

-- One default policy (team_id NULL) and at most one per team.
CREATE TABLE sla_policies (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT    NOT NULL,
    team_id    BIGINT  UNIQUE REFERENCES teams (id) ON DELETE CASCADE,
    targets    TEXT    NOT NULL,
    calendar   TEXT    NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE team_care_settings (
    team_id          BIGINT  PRIMARY KEY REFERENCES teams (id) ON DELETE CASCADE,
    append_signature BOOLEAN NOT NULL,
    assignment       TEXT    NOT NULL,
    crowd            BOOLEAN NOT NULL
);

CREATE TABLE agent_presence (
    user_id    BIGINT  PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    presence   TEXT    NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE canned_responses (
    id         BIGSERIAL PRIMARY KEY,
    title      TEXT    NOT NULL,
    template   TEXT    NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE callbacks (
    id          BIGSERIAL PRIMARY KEY,
    case_id     BIGINT  NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    phone       TEXT    NOT NULL,
    note        TEXT    NOT NULL,
    slot        TEXT,
    status      TEXT    NOT NULL,
    outcome     TEXT,
    created_by  BIGINT ,
    created_at  TIMESTAMPTZ NOT NULL,
    done_at     TIMESTAMPTZ
);
CREATE INDEX callbacks_status_id ON callbacks (status, id);
CREATE INDEX callbacks_case_id ON callbacks (case_id);

-- One survey a resolution; found by the SHA-256 of its one-use token.
CREATE TABLE csat_surveys (
    id           BIGSERIAL PRIMARY KEY,
    case_id      BIGINT  NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    token_sha256 TEXT    NOT NULL UNIQUE,
    agent_id     BIGINT ,
    team_id      BIGINT ,
    rating       BIGINT ,
    comment      TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    answered_at  TIMESTAMPTZ
);
CREATE INDEX csat_surveys_case_id ON csat_surveys (case_id);
