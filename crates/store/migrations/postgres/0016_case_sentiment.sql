-- Issue #6, the inbox's sentiment filter at a million cases: the case keeps the sentiment
-- of its first message (written with the case by the store, kept in step by triggers when
-- its first message changes and when that message's sentiment is corrected or re-enriched), so the
-- filter is a column read and, in the SLA order, one range of its own index, instead of a
-- lookup of the message for every case walked.
ALTER TABLE cases ADD COLUMN sentiment TEXT;
UPDATE cases SET sentiment = mentions.sentiment FROM mentions
WHERE cases.first_mention_id IS NOT NULL AND mentions.id = cases.first_mention_id;
CREATE INDEX cases_first_mention ON cases (first_mention_id);
CREATE INDEX cases_sentiment_sla_due ON cases (sentiment, (CASE WHEN status IN ('resolved', 'closed') THEN 1 ELSE 0 END),
    (CASE WHEN first_response_at IS NULL THEN first_response_due_at ELSE resolution_due_at END), id);

CREATE FUNCTION cases_take_first_mention_sentiment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.sentiment := (SELECT mentions.sentiment FROM mentions WHERE mentions.id = NEW.first_mention_id);
    RETURN NEW;
END;
$$;
CREATE TRIGGER cases_sentiment_on_first_mention BEFORE UPDATE OF first_mention_id ON cases
FOR EACH ROW WHEN (OLD.first_mention_id IS DISTINCT FROM NEW.first_mention_id) EXECUTE FUNCTION cases_take_first_mention_sentiment();

CREATE FUNCTION mentions_sentiment_to_cases() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cases SET sentiment = NEW.sentiment WHERE first_mention_id = NEW.id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER mentions_sentiment_to_cases AFTER UPDATE OF sentiment ON mentions
FOR EACH ROW WHEN (OLD.sentiment IS DISTINCT FROM NEW.sentiment) EXECUTE FUNCTION mentions_sentiment_to_cases();
