-- Issue #4 §5, SLA warnings and escalation: the sweep reads the cases whose first
-- response or resolution falls due in a time window, among those not yet answered or
-- resolved (partial indexes: answered and resolved cases, most of them, cost nothing).
CREATE INDEX cases_first_response_due ON cases (first_response_due_at) WHERE first_response_at IS NULL;
CREATE INDEX cases_resolution_due ON cases (resolution_due_at) WHERE resolved_at IS NULL;
-- Issue #4 §1: a crowd team may hold its responders' replies for approval.
ALTER TABLE team_care_settings ADD COLUMN crowd_approval BOOLEAN NOT NULL DEFAULT FALSE;
