-- Issue #6, inbox sort orders. Each order is a keyset over expressions the store writes
-- exactly like this (crates/store/src/cases/sql.rs), so that both planners walk an index:
--   done   = (CASE WHEN status IN ('resolved', 'closed') THEN 1 ELSE 0 END)  active first
--   due    = (CASE WHEN first_response_at IS NULL THEN first_response_due_at ELSE resolution_due_at END)
--   rank   = (CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END)
-- SLA due (the default): every case, then by queue (assignee: mine, unassigned; team) and
-- by status (where `done` is fixed by the filter).
CREATE INDEX cases_sla_due ON cases ((CASE WHEN status IN ('resolved', 'closed') THEN 1 ELSE 0 END),
    (CASE WHEN first_response_at IS NULL THEN first_response_due_at ELSE resolution_due_at END), id);
CREATE INDEX cases_assignee_sla_due ON cases (assignee_id, (CASE WHEN status IN ('resolved', 'closed') THEN 1 ELSE 0 END),
    (CASE WHEN first_response_at IS NULL THEN first_response_due_at ELSE resolution_due_at END), id);
CREATE INDEX cases_team_sla_due ON cases (team_id, (CASE WHEN status IN ('resolved', 'closed') THEN 1 ELSE 0 END),
    (CASE WHEN first_response_at IS NULL THEN first_response_due_at ELSE resolution_due_at END), id);
CREATE INDEX cases_status_sla_due ON cases (status,
    (CASE WHEN first_response_at IS NULL THEN first_response_due_at ELSE resolution_due_at END), id);
-- Priority: most urgent first, oldest first within a priority.
CREATE INDEX cases_priority_rank ON cases ((CASE WHEN status IN ('resolved', 'closed') THEN 1 ELSE 0 END),
    (CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END), id);
