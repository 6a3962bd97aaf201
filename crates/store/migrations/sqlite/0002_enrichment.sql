-- Issue #3: what the understanding models said about each mention, in plain columns so
-- reports can GROUP BY them, and the corrections agents make (kept to retrain on).

ALTER TABLE mentions ADD COLUMN sentiment TEXT;
ALTER TABLE mentions ADD COLUMN sentiment_confidence REAL;
ALTER TABLE mentions ADD COLUMN reason TEXT;
ALTER TABLE mentions ADD COLUMN intent TEXT;
ALTER TABLE mentions ADD COLUMN author_type TEXT;
-- NULL: stored before enrichment existed (`comptoir reenrich` fills it).
ALTER TABLE mentions ADD COLUMN model_version TEXT;
CREATE INDEX mentions_sentiment_created_at ON mentions (sentiment, created_at);

CREATE TABLE enrichment_corrections (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    -- No foreign key: a correction stays true training data after the mention is deleted.
    mention_id   INTEGER NOT NULL,
    field        TEXT    NOT NULL,
    old_value    TEXT,
    new_value    TEXT    NOT NULL,
    corrected_by TEXT    NOT NULL,
    corrected_at TEXT    NOT NULL
);
CREATE INDEX enrichment_corrections_mention_id ON enrichment_corrections (mention_id);
