-- Comptoir store, SQLite. Timestamps are RFC 3339 UTC text with microseconds
-- (fixed width, so they sort as text). JSON columns hold serde_json text.

-- The single global change sequence: one row, advanced inside each writing transaction.
CREATE TABLE change_counter (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO change_counter (id, value) VALUES (1, 0);

-- AUTOINCREMENT: an id is never reused, so a tombstone always names one mention.
CREATE TABLE mentions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    source        TEXT    NOT NULL,
    external_id   TEXT    NOT NULL,
    url           TEXT,
    author_handle TEXT    NOT NULL,
    author        TEXT    NOT NULL,
    title         TEXT,
    text          TEXT    NOT NULL,
    language      TEXT,
    created_at    TEXT    NOT NULL,
    in_reply_to   TEXT,
    quoted        TEXT,
    reposted      TEXT,
    thread_id     TEXT,
    likes         INTEGER NOT NULL,
    reposts       INTEGER NOT NULL,
    replies       INTEGER NOT NULL,
    quotes        INTEGER NOT NULL,
    hashtags      TEXT    NOT NULL,
    mentioned     TEXT    NOT NULL,
    urls          TEXT    NOT NULL,
    raw           TEXT    NOT NULL,
    -- No foreign key: "was a copy of" stays true after the original is deleted.
    duplicate_of  INTEGER,
    topics        TEXT    NOT NULL,
    ingested_at   TEXT    NOT NULL,
    seq           INTEGER NOT NULL,
    UNIQUE (source, external_id)
);
CREATE UNIQUE INDEX mentions_seq ON mentions (seq);
CREATE INDEX mentions_created_at ON mentions (created_at);
CREATE INDEX mentions_source_created_at ON mentions (source, created_at);
CREATE INDEX mentions_thread_id ON mentions (thread_id) WHERE thread_id IS NOT NULL;
CREATE INDEX mentions_author_handle ON mentions (author_handle);

-- Tombstones: a deletion takes a seq too, so changes_since reports it.
CREATE TABLE deleted_mentions (
    id  INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL
);
CREATE UNIQUE INDEX deleted_mentions_seq ON deleted_mentions (seq);

CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    format      TEXT NOT NULL,
    origin      TEXT NOT NULL,
    position    TEXT NOT NULL,
    reason      TEXT NOT NULL,
    raw         TEXT NOT NULL,
    received_at TEXT NOT NULL
);

CREATE TABLE listening_topics (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    name      TEXT NOT NULL UNIQUE,
    query     TEXT NOT NULL,
    languages TEXT NOT NULL,
    owner     TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    label        TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL
);

CREATE TABLE state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
