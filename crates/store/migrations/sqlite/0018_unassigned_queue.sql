-- Issue #4, the inbox's unassigned queue. Nothing to do on SQLite: its planner takes
-- `assignee_id IS NULL` as an equality and reads the queue in SLA order from
-- cases_assignee_sla_due (migration 0010). PostgreSQL needs an index of its own.
SELECT 1;
