-- Issue #4, the inbox's unassigned queue at a million cases. PostgreSQL does not take
-- `assignee_id IS NULL` as an equality, so cases_assignee_sla_due could not give the SLA
-- order for it: the queue walked every active case in that order and read each one's row
-- to skip the assigned ones (about ten rows read for each one shown). Only unassigned
-- cases are in this index, in the inbox's SLA order.
CREATE INDEX cases_unassigned_sla_due ON cases ((CASE WHEN status IN ('resolved', 'closed') THEN 1 ELSE 0 END),
    (CASE WHEN first_response_at IS NULL THEN first_response_due_at ELSE resolution_due_at END), id)
    WHERE assignee_id IS NULL;
