-- Issue #5 §4, publishing and crisis mode: posts to the brand's own accounts (with their
-- approval workflow and schedule), crisis mode per incident, and the bulk messages of a
-- crisis (bulk replies, automatic acknowledgements, the outage-resolved notice), kept
-- from their preview to their delivery. The outbox (the sandbox sink) now also holds
-- posts and messages to customers who have no case: `case_id` may be NULL, `post_id` says
-- which post a row publishes.

ALTER TABLE outbox ALTER COLUMN case_id DROP NOT NULL;
ALTER TABLE outbox ADD COLUMN post_id BIGINT;

CREATE TABLE posts (
    id           BIGSERIAL PRIMARY KEY,
    channel      TEXT    NOT NULL,
    account      TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    text         TEXT    NOT NULL,
    mention_id   BIGINT,
    incident_id  BIGINT REFERENCES incidents (id) ON DELETE SET NULL,
    status       TEXT    NOT NULL,
    scheduled_at TIMESTAMPTZ,
    created_by   TEXT    NOT NULL,
    reviewed_by  TEXT,
    review_note  TEXT,
    published_at TIMESTAMPTZ,
    outbox_id    BIGINT,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX posts_status_id ON posts (status, id);

CREATE TABLE crisis_modes (
    incident_id         BIGINT PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    active              BOOLEAN NOT NULL,
    ack_template        TEXT,
    ack_after_mention   BIGINT  NOT NULL DEFAULT 0,
    changed_by          TEXT    NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE bulk_batches (
    id          BIGSERIAL PRIMARY KEY,
    incident_id BIGINT  NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    template    TEXT    NOT NULL,
    digest      TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    sent_at     TIMESTAMPTZ
);
CREATE INDEX bulk_batches_incident ON bulk_batches (incident_id, id);

CREATE TABLE bulk_messages (
    id          BIGSERIAL PRIMARY KEY,
    batch_id    BIGINT  NOT NULL REFERENCES bulk_batches (id) ON DELETE CASCADE,
    incident_id BIGINT  NOT NULL,
    mention_id  BIGINT  NOT NULL,
    case_id     BIGINT,
    channel     TEXT    NOT NULL,
    recipient   TEXT    NOT NULL,
    in_reply_to TEXT,
    text        TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    reason      TEXT,
    outbox_id   BIGINT,
    created_at  TIMESTAMPTZ NOT NULL,
    sent_at     TIMESTAMPTZ
);
CREATE INDEX bulk_messages_batch ON bulk_messages (batch_id, id);
CREATE INDEX bulk_messages_status ON bulk_messages (status, channel, id);
CREATE INDEX bulk_messages_recipient ON bulk_messages (incident_id, channel, recipient);
CREATE INDEX bulk_messages_sent ON bulk_messages (channel, sent_at) WHERE sent_at IS NOT NULL;
