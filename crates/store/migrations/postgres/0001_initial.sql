-- Comptoir store, PostgreSQL. Same tables as the SQLite schema; JSON columns are JSONB.
-- Tables are created in the first schema of the connection's search_path.

-- The single global change sequence: every insert, edit and delete of a mention
-- takes nextval. Writers serialise on a table lock so seq order is commit order.
CREATE SEQUENCE change_seq AS BIGINT;

CREATE TABLE mentions (
    id            BIGSERIAL PRIMARY KEY,
    source        TEXT        NOT NULL,
    external_id   TEXT        NOT NULL,
    url           TEXT,
    author_handle TEXT        NOT NULL,
    author        JSONB       NOT NULL,
    title         TEXT,
    text          TEXT        NOT NULL,
    language      TEXT,
    created_at    TIMESTAMPTZ NOT NULL,
    in_reply_to   TEXT,
    quoted        TEXT,
    reposted      TEXT,
    thread_id     TEXT,
    likes         BIGINT      NOT NULL,
    reposts       BIGINT      NOT NULL,
    replies       BIGINT      NOT NULL,
    quotes        BIGINT      NOT NULL,
    hashtags      JSONB       NOT NULL,
    mentioned     JSONB       NOT NULL,
    urls          JSONB       NOT NULL,
    raw           TEXT        NOT NULL,
    -- No foreign key: "was a copy of" stays true after the original is deleted.
    duplicate_of  BIGINT,
    topics        JSONB       NOT NULL,
    ingested_at   TIMESTAMPTZ NOT NULL,
    seq           BIGINT      NOT NULL DEFAULT nextval('change_seq'),
    UNIQUE (source, external_id)
);
CREATE UNIQUE INDEX mentions_seq ON mentions (seq);
CREATE INDEX mentions_created_at ON mentions (created_at);
CREATE INDEX mentions_source_created_at ON mentions (source, created_at);
CREATE INDEX mentions_thread_id ON mentions (thread_id) WHERE thread_id IS NOT NULL;
CREATE INDEX mentions_author_handle ON mentions (author_handle);

-- Tombstones: a deletion takes a seq too, so changes_since reports it.
CREATE TABLE deleted_mentions (
    id  BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL
);
CREATE UNIQUE INDEX deleted_mentions_seq ON deleted_mentions (seq);

CREATE TABLE quarantine (
    id          BIGSERIAL PRIMARY KEY,
    format      TEXT        NOT NULL,
    origin      TEXT        NOT NULL,
    position    TEXT        NOT NULL,
    reason      TEXT        NOT NULL,
    raw         TEXT        NOT NULL,
    received_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE listening_topics (
    id        BIGSERIAL PRIMARY KEY,
    name      TEXT  NOT NULL UNIQUE,
    query     TEXT  NOT NULL,
    languages JSONB NOT NULL,
    owner     TEXT  NOT NULL
);

CREATE TABLE api_tokens (
    id           BIGSERIAL PRIMARY KEY,
    label        TEXT        NOT NULL,
    token_sha256 TEXT        NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
