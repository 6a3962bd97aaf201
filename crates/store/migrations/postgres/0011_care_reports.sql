-- Issue #7, care reports: a report reads the cases received in a period, for one team or
-- one agent; these keep a team's or an agent's period a range scan (the single-column
-- team and assignee indexes would read every case of the team).
CREATE INDEX cases_team_opened_at ON cases (team_id, opened_at);
CREATE INDEX cases_assignee_opened_at ON cases (assignee_id, opened_at);
