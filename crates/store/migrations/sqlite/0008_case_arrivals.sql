-- Issue #5, staffing forecast: case arrivals per hour are read by opening time.
CREATE INDEX cases_opened_at ON cases (opened_at);
-- Issue #5, incidents link to the cases holding their mentions.
CREATE INDEX case_events_mention_id ON case_events (mention_id) WHERE mention_id IS NOT NULL;
