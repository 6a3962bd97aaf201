-- Issue #5 §4, publishing and crisis mode: posts to the brand's own accounts (with their
-- approval workflow and schedule), crisis mode per incident, and the bulk messages of a
-- crisis (bulk replies, automatic acknowledgements, the outage-resolved notice), kept
-- from their preview to their delivery. The outbox (the sandbox sink) now also holds
-- posts and messages to customers who have no case: `case_id` may be NULL, `post_id` says
-- which post a row publishes.

CREATE TABLE outbox_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     INTEGER REFERENCES cases (id) ON DELETE CASCADE,
    post_id     INTEGER,
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
INSERT INTO outbox_new (id, case_id, channel, in_reply_to, recipient, text, visibility, status, attempts, created_at, updated_at)
    SELECT id, case_id, channel, in_reply_to, recipient, text, visibility, status, attempts, created_at, updated_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_case_id ON outbox (case_id, id);
CREATE INDEX outbox_status ON outbox (status, id);

CREATE TABLE posts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    channel      TEXT    NOT NULL,
    account      TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    text         TEXT    NOT NULL,
    mention_id   INTEGER,
    incident_id  INTEGER REFERENCES incidents (id) ON DELETE SET NULL,
    status       TEXT    NOT NULL,
    scheduled_at TEXT,
    created_by   TEXT    NOT NULL,
    reviewed_by  TEXT,
    review_note  TEXT,
    published_at TEXT,
    outbox_id    INTEGER,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
CREATE INDEX posts_status_id ON posts (status, id);

CREATE TABLE crisis_modes (
    incident_id         INTEGER PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    active              INTEGER NOT NULL,
    ack_template        TEXT,
    ack_after_mention   INTEGER NOT NULL DEFAULT 0,
    changed_by          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
);

CREATE TABLE bulk_batches (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    template    TEXT    NOT NULL,
    digest      TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    sent_at     TEXT
);
CREATE INDEX bulk_batches_incident ON bulk_batches (incident_id, id);

CREATE TABLE bulk_messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id    INTEGER NOT NULL REFERENCES bulk_batches (id) ON DELETE CASCADE,
    incident_id INTEGER NOT NULL,
    mention_id  INTEGER NOT NULL,
    case_id     INTEGER,
    channel     TEXT    NOT NULL,
    recipient   TEXT    NOT NULL,
    in_reply_to TEXT,
    text        TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    reason      TEXT,
    outbox_id   INTEGER,
    created_at  TEXT    NOT NULL,
    sent_at     TEXT
);
CREATE INDEX bulk_messages_batch ON bulk_messages (batch_id, id);
CREATE INDEX bulk_messages_status ON bulk_messages (status, channel, id);
CREATE INDEX bulk_messages_recipient ON bulk_messages (incident_id, channel, recipient);
CREATE INDEX bulk_messages_sent ON bulk_messages (channel, sent_at) WHERE sent_at IS NOT NULL;
