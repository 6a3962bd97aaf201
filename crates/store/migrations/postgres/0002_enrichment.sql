-- Issue #3: what the understanding models said about each mention, in plain columns so
-- reports can GROUP BY them, and the corrections agents make (kept to retrain on).

ALTER TABLE mentions
    ADD COLUMN sentiment            TEXT,
    ADD COLUMN sentiment_confidence REAL,
    ADD COLUMN reason               TEXT,
    ADD COLUMN intent               TEXT,
    ADD COLUMN author_type          TEXT,
    -- NULL: stored before enrichment existed (`comptoir reenrich` fills it).
    ADD COLUMN model_version        TEXT;
CREATE INDEX mentions_sentiment_created_at ON mentions (sentiment, created_at);

CREATE TABLE enrichment_corrections (
    id           BIGSERIAL PRIMARY KEY,
    -- No foreign key: a correction stays true training data after the mention is deleted.
    mention_id   BIGINT      NOT NULL,
    field        TEXT        NOT NULL,
    old_value    TEXT,
    new_value    TEXT        NOT NULL,
    corrected_by TEXT        NOT NULL,
    corrected_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX enrichment_corrections_mention_id ON enrichment_corrections (mention_id);
