-- Issue #7: the care report counts the CSAT answers given in its period.
CREATE INDEX csat_surveys_answered_at ON csat_surveys (answered_at) WHERE answered_at IS NOT NULL;
