-- Issue #5: incidents opened by the spike detector, the mentions they group, alert rules
-- and the alerts they raised. Times are Unix seconds (BIGINT) on both backends; the
-- variable parts (drivers, timeline, counts per bucket, a rule's channel) are JSON text.

CREATE TABLE incidents (
    id         BIGSERIAL PRIMARY KEY,
    slice      TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    owner      TEXT,
    started_at BIGINT  NOT NULL,
    ended_at   BIGINT,
    peak       DOUBLE PRECISION NOT NULL,
    details    TEXT    NOT NULL,
    UNIQUE (slice, started_at)
);

CREATE TABLE incident_mentions (
    incident_id BIGINT  NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    -- No foreign key: a mention deleted at the source stays part of the incident's story.
    mention_id  BIGINT  NOT NULL,
    PRIMARY KEY (incident_id, mention_id)
);

CREATE TABLE alert_rules (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    settings   TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);

CREATE TABLE alerts (
    id          BIGSERIAL PRIMARY KEY,
    rule_id     BIGINT,
    incident_id BIGINT,
    text        TEXT    NOT NULL,
    details     TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL
);
