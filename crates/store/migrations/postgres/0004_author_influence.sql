-- Issue #3: real influence, one row per author (a handle at a source), updated as the
-- author's mentions and their echoes arrive. Derived data: the state is the nlp crate's
-- InfluenceState as JSON, the score its value in [0, 100] (indexed for "top authors").
CREATE TABLE author_influence (
    source       TEXT             NOT NULL,
    handle       TEXT             NOT NULL,
    display_name TEXT,
    followers    BIGINT,
    score        DOUBLE PRECISION NOT NULL,
    posts        BIGINT           NOT NULL,
    echoes       BIGINT           NOT NULL,
    state        TEXT             NOT NULL,
    updated_at   TIMESTAMPTZ      NOT NULL,
    PRIMARY KEY (source, handle)
);
CREATE INDEX author_influence_score ON author_influence (score DESC);
