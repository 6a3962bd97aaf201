-- Issue #4: people and access (users, sessions, token owners and scopes, teams, audit)
-- and customer 360 (contacts, their identities, notes, merges).

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Lower-cased by the service; NOCASE keeps it unique whatever the case.
    email         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    display_name  TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    language      TEXT    NOT NULL,
    signature     TEXT,
    expertise     TEXT    NOT NULL,  -- JSON array of tags
    capacity      INTEGER NOT NULL,
    active        INTEGER NOT NULL,
    password_hash TEXT    NOT NULL,  -- argon2id PHC string
    created_at    TEXT    NOT NULL
);

CREATE TABLE sessions (
    token_sha256 TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- Tokens made before users existed have no owner: they act as an administrator.
ALTER TABLE api_tokens ADD COLUMN user_id INTEGER REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT '[]';

CREATE TABLE teams (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT    NOT NULL UNIQUE
);

CREATE TABLE team_members (
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT    NOT NULL,
    actor       TEXT    NOT NULL,  -- user:3, token:7, cli, system
    action      TEXT    NOT NULL,
    entity      TEXT    NOT NULL,
    entity_id   TEXT    NOT NULL,
    before_json TEXT,
    after_json  TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

CREATE TABLE contacts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    display_name    TEXT,
    bio             TEXT,
    customer_number TEXT,
    segment         TEXT,
    vip             INTEGER NOT NULL DEFAULT 0,
    advisor_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    merged_into     INTEGER,
    erased_at       TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);

CREATE TABLE contact_identities (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    kind       TEXT    NOT NULL,
    source     TEXT    NOT NULL DEFAULT '',  -- a handle's source; empty for e-mail and phone
    value      TEXT    NOT NULL,
    normalised TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    UNIQUE (kind, source, value)
);
CREATE INDEX contact_identities_contact_id ON contact_identities (contact_id);
CREATE INDEX contact_identities_normalised ON contact_identities (kind, normalised);

CREATE TABLE contact_notes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    author_id  INTEGER,
    text       TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX contact_notes_contact_id ON contact_notes (contact_id);

-- What a merge changed, so that undo restores both contacts exactly.
CREATE TABLE contact_merges (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    survivor_id      INTEGER NOT NULL,
    absorbed_id      INTEGER NOT NULL,
    survivor_before  TEXT    NOT NULL,  -- JSON: the survivor's fields before
    moved_identities TEXT    NOT NULL,  -- JSON: ids of the absorbed contact's identities
    moved_notes      TEXT    NOT NULL,  -- JSON: ids of its notes
    merged_at        TEXT    NOT NULL,
    undone_at        TEXT
);
CREATE INDEX contact_merges_survivor_id ON contact_merges (survivor_id);
CREATE INDEX contact_merges_absorbed_id ON contact_merges (absorbed_id);
