-- Issue #7, care reports over a million cases: roll-ups of the cases kept by triggers, so a
-- report reads a few thousand small rows instead of scanning the period's cases.
--
-- care_rollup_hour:      per UTC hour of reception and team (0 = none), the counts a
--                        report sums (received, answered, met, resolved, active...).
-- care_rollup_agent_day: the same per UTC day, team and assignee (0 = unassigned).
-- care_rollup_duration:  cases per UTC hour of reception, team, kind (1 = first response,
--                        2 = resolution) and duration in minutes, kept to the minute under
--                        two hours, to 5 minutes under a day, to the hour under a week and
--                        to the day beyond (every histogram edge of the report is exact).
--
-- `fr_missed` / `res_missed` count the cases not answered (resolved) in time *so far*:
-- answered late, or not answered yet. A report subtracts those not yet due (read through
-- the partial due-time indexes of 0013), so "breached by now" stays exact.
-- care_rollup_customers: a HyperLogLog sketch (1,024 registers) of the contacts with a case
--                        received per UTC day and team, for "customers served" over
--                        periods too large to count exactly (see crates/store/src/cases/
--                        reports.rs); a sketch only grows: a contact merged or erased
--                        since still counts there.
-- The keys are text (`2026-11-29T09`, `2026-11-29`) on both backends.

CREATE TABLE care_rollup_hour (
    hour    TEXT    NOT NULL,
    team_id INTEGER NOT NULL,
    received INTEGER NOT NULL DEFAULT 0,
    responded INTEGER NOT NULL DEFAULT 0,
    fr_met INTEGER NOT NULL DEFAULT 0,
    fr_missed INTEGER NOT NULL DEFAULT 0,
    resolved INTEGER NOT NULL DEFAULT 0,
    res_met INTEGER NOT NULL DEFAULT 0,
    res_missed INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, team_id)
) WITHOUT ROWID;
CREATE TABLE care_rollup_agent_day (
    day         TEXT    NOT NULL,
    team_id     INTEGER NOT NULL,
    assignee_id INTEGER NOT NULL,
    received INTEGER NOT NULL DEFAULT 0,
    responded INTEGER NOT NULL DEFAULT 0,
    fr_met INTEGER NOT NULL DEFAULT 0,
    fr_missed INTEGER NOT NULL DEFAULT 0,
    resolved INTEGER NOT NULL DEFAULT 0,
    res_met INTEGER NOT NULL DEFAULT 0,
    res_missed INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, team_id, assignee_id)
) WITHOUT ROWID;
CREATE TABLE care_rollup_duration (
    hour    TEXT    NOT NULL,
    team_id INTEGER NOT NULL,
    kind    INTEGER NOT NULL,
    minutes INTEGER NOT NULL,
    cases   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, team_id, kind, minutes)
) WITHOUT ROWID;
CREATE TABLE care_rollup_customers (
    day      TEXT    NOT NULL,
    team_id  INTEGER NOT NULL,
    register INTEGER NOT NULL,
    rank     INTEGER NOT NULL,
    PRIMARY KEY (day, team_id, register)
) WITHOUT ROWID;

CREATE TRIGGER cases_rollup_insert AFTER INSERT ON cases
BEGIN
    INSERT INTO care_rollup_hour (hour, team_id, received, responded, fr_met, fr_missed, resolved, res_met, res_missed, active)
    VALUES (substr(NEW.opened_at, 1, 13), COALESCE(NEW.team_id, 0), 1, 1 * (NEW.first_response_at IS NOT NULL), 1 * COALESCE(NEW.first_response_at <= NEW.first_response_due_at, 0), 1 * (NEW.first_response_at IS NULL OR NEW.first_response_at > NEW.first_response_due_at), 1 * (NEW.resolved_at IS NOT NULL), 1 * COALESCE(NEW.resolved_at <= NEW.resolution_due_at, 0), 1 * (NEW.resolved_at IS NULL OR NEW.resolved_at > NEW.resolution_due_at), 1 * (NEW.status IN ('new', 'open', 'pending_customer', 'on_hold')))
    ON CONFLICT (hour, team_id) DO UPDATE SET received = received + excluded.received, responded = responded + excluded.responded, fr_met = fr_met + excluded.fr_met, fr_missed = fr_missed + excluded.fr_missed, resolved = resolved + excluded.resolved, res_met = res_met + excluded.res_met, res_missed = res_missed + excluded.res_missed, active = active + excluded.active;
    INSERT INTO care_rollup_agent_day (day, team_id, assignee_id, received, responded, fr_met, fr_missed, resolved, res_met, res_missed, active)
    VALUES (substr(NEW.opened_at, 1, 10), COALESCE(NEW.team_id, 0), COALESCE(NEW.assignee_id, 0), 1, 1 * (NEW.first_response_at IS NOT NULL), 1 * COALESCE(NEW.first_response_at <= NEW.first_response_due_at, 0), 1 * (NEW.first_response_at IS NULL OR NEW.first_response_at > NEW.first_response_due_at), 1 * (NEW.resolved_at IS NOT NULL), 1 * COALESCE(NEW.resolved_at <= NEW.resolution_due_at, 0), 1 * (NEW.resolved_at IS NULL OR NEW.resolved_at > NEW.resolution_due_at), 1 * (NEW.status IN ('new', 'open', 'pending_customer', 'on_hold')))
    ON CONFLICT (day, team_id, assignee_id) DO UPDATE SET received = received + excluded.received, responded = responded + excluded.responded, fr_met = fr_met + excluded.fr_met, fr_missed = fr_missed + excluded.fr_missed, resolved = resolved + excluded.resolved, res_met = res_met + excluded.res_met, res_missed = res_missed + excluded.res_missed, active = active + excluded.active;
    INSERT INTO care_rollup_duration (hour, team_id, kind, minutes, cases)
    SELECT substr(NEW.opened_at, 1, 13), COALESCE(NEW.team_id, 0), 1, CASE WHEN max((unixepoch(NEW.first_response_at) - unixepoch(NEW.opened_at)) / 60, 0) < 120 THEN max((unixepoch(NEW.first_response_at) - unixepoch(NEW.opened_at)) / 60, 0) WHEN max((unixepoch(NEW.first_response_at) - unixepoch(NEW.opened_at)) / 60, 0) < 1440 THEN max((unixepoch(NEW.first_response_at) - unixepoch(NEW.opened_at)) / 60, 0) - max((unixepoch(NEW.first_response_at) - unixepoch(NEW.opened_at)) / 60, 0) % 5 WHEN max((unixepoch(NEW.first_response_at) - unixepoch(NEW.opened_at)) / 60, 0) < 10080 THEN max((unixepoch(NEW.first_response_at) - unixepoch(NEW.opened_at)) / 60, 0) - max((unixepoch(NEW.first_response_at) - unixepoch(NEW.opened_at)) / 60, 0) % 60 ELSE max((unixepoch(NEW.first_response_at) - unixepoch(NEW.opened_at)) / 60, 0) - max((unixepoch(NEW.first_response_at) - unixepoch(NEW.opened_at)) / 60, 0) % 1440 END, 1
    WHERE NEW.first_response_at IS NOT NULL
    ON CONFLICT (hour, team_id, kind, minutes) DO UPDATE SET cases = cases + excluded.cases;
    INSERT INTO care_rollup_duration (hour, team_id, kind, minutes, cases)
    SELECT substr(NEW.opened_at, 1, 13), COALESCE(NEW.team_id, 0), 2, CASE WHEN max((unixepoch(NEW.resolved_at) - unixepoch(NEW.opened_at)) / 60, 0) < 120 THEN max((unixepoch(NEW.resolved_at) - unixepoch(NEW.opened_at)) / 60, 0) WHEN max((unixepoch(NEW.resolved_at) - unixepoch(NEW.opened_at)) / 60, 0) < 1440 THEN max((unixepoch(NEW.resolved_at) - unixepoch(NEW.opened_at)) / 60, 0) - max((unixepoch(NEW.resolved_at) - unixepoch(NEW.opened_at)) / 60, 0) % 5 WHEN max((unixepoch(NEW.resolved_at) - unixepoch(NEW.opened_at)) / 60, 0) < 10080 THEN max((unixepoch(NEW.resolved_at) - unixepoch(NEW.opened_at)) / 60, 0) - max((unixepoch(NEW.resolved_at) - unixepoch(NEW.opened_at)) / 60, 0) % 60 ELSE max((unixepoch(NEW.resolved_at) - unixepoch(NEW.opened_at)) / 60, 0) - max((unixepoch(NEW.resolved_at) - unixepoch(NEW.opened_at)) / 60, 0) % 1440 END, 1
    WHERE NEW.resolved_at IS NOT NULL
    ON CONFLICT (hour, team_id, kind, minutes) DO UPDATE SET cases = cases + excluded.cases;
    INSERT INTO care_rollup_customers (day, team_id, register, rank)
    SELECT substr(NEW.opened_at, 1, 10), COALESCE(NEW.team_id, 0), h & 1023, CASE WHEN h & 1024 THEN 1 WHEN h & 2048 THEN 2 WHEN h & 4096 THEN 3 WHEN h & 8192 THEN 4 WHEN h & 16384 THEN 5 WHEN h & 32768 THEN 6 WHEN h & 65536 THEN 7 WHEN h & 131072 THEN 8 WHEN h & 262144 THEN 9 WHEN h & 524288 THEN 10 WHEN h & 1048576 THEN 11 WHEN h & 2097152 THEN 12 WHEN h & 4194304 THEN 13 WHEN h & 8388608 THEN 14 WHEN h & 16777216 THEN 15 WHEN h & 33554432 THEN 16 WHEN h & 67108864 THEN 17 WHEN h & 134217728 THEN 18 WHEN h & 268435456 THEN 19 WHEN h & 536870912 THEN 20 WHEN h & 1073741824 THEN 21 WHEN h & 2147483648 THEN 22 ELSE 23 END
    FROM (SELECT ((c | (c >> 13)) - (c & (c >> 13))) AS h FROM (SELECT ((((b & 65535) * 2246822507) + ((((b >> 16) * 2246822507) & 65535) << 16)) & 4294967295) AS c FROM (SELECT ((a | (a >> 16)) - (a & (a >> 16))) AS b FROM (SELECT (NEW.contact_id * 2654435761) & 4294967295 AS a))))
    WHERE NEW.contact_id IS NOT NULL
    ON CONFLICT (day, team_id, register) DO UPDATE SET rank = max(rank, excluded.rank);
END;

CREATE TRIGGER cases_rollup_delete AFTER DELETE ON cases
BEGIN
    INSERT INTO care_rollup_hour (hour, team_id, received, responded, fr_met, fr_missed, resolved, res_met, res_missed, active)
    VALUES (substr(OLD.opened_at, 1, 13), COALESCE(OLD.team_id, 0), -1, -1 * (OLD.first_response_at IS NOT NULL), -1 * COALESCE(OLD.first_response_at <= OLD.first_response_due_at, 0), -1 * (OLD.first_response_at IS NULL OR OLD.first_response_at > OLD.first_response_due_at), -1 * (OLD.resolved_at IS NOT NULL), -1 * COALESCE(OLD.resolved_at <= OLD.resolution_due_at, 0), -1 * (OLD.resolved_at IS NULL OR OLD.resolved_at > OLD.resolution_due_at), -1 * (OLD.status IN ('new', 'open', 'pending_customer', 'on_hold')))
    ON CONFLICT (hour, team_id) DO UPDATE SET received = received + excluded.received, responded = responded + excluded.responded, fr_met = fr_met + excluded.fr_met, fr_missed = fr_missed + excluded.fr_missed, resolved = resolved + excluded.resolved, res_met = res_met + excluded.res_met, res_missed = res_missed + excluded.res_missed, active = active + excluded.active;
    INSERT INTO care_rollup_agent_day (day, team_id, assignee_id, received, responded, fr_met, fr_missed, resolved, res_met, res_missed, active)
    VALUES (substr(OLD.opened_at, 1, 10), COALESCE(OLD.team_id, 0), COALESCE(OLD.assignee_id, 0), -1, -1 * (OLD.first_response_at IS NOT NULL), -1 * COALESCE(OLD.first_response_at <= OLD.first_response_due_at, 0), -1 * (OLD.first_response_at IS NULL OR OLD.first_response_at > OLD.first_response_due_at), -1 * (OLD.resolved_at IS NOT NULL), -1 * COALESCE(OLD.resolved_at <= OLD.resolution_due_at, 0), -1 * (OLD.resolved_at IS NULL OR OLD.resolved_at > OLD.resolution_due_at), -1 * (OLD.status IN ('new', 'open', 'pending_customer', 'on_hold')))
    ON CONFLICT (day, team_id, assignee_id) DO UPDATE SET received = received + excluded.received, responded = responded + excluded.responded, fr_met = fr_met + excluded.fr_met, fr_missed = fr_missed + excluded.fr_missed, resolved = resolved + excluded.resolved, res_met = res_met + excluded.res_met, res_missed = res_missed + excluded.res_missed, active = active + excluded.active;
    INSERT INTO care_rollup_duration (hour, team_id, kind, minutes, cases)
    SELECT substr(OLD.opened_at, 1, 13), COALESCE(OLD.team_id, 0), 1, CASE WHEN max((unixepoch(OLD.first_response_at) - unixepoch(OLD.opened_at)) / 60, 0) < 120 THEN max((unixepoch(OLD.first_response_at) - unixepoch(OLD.opened_at)) / 60, 0) WHEN max((unixepoch(OLD.first_response_at) - unixepoch(OLD.opened_at)) / 60, 0) < 1440 THEN max((unixepoch(OLD.first_response_at) - unixepoch(OLD.opened_at)) / 60, 0) - max((unixepoch(OLD.first_response_at) - unixepoch(OLD.opened_at)) / 60, 0) % 5 WHEN max((unixepoch(OLD.first_response_at) - unixepoch(OLD.opened_at)) / 60, 0) < 10080 THEN max((unixepoch(OLD.first_response_at) - unixepoch(OLD.opened_at)) / 60, 0) - max((unixepoch(OLD.first_response_at) - unixepoch(OLD.opened_at)) / 60, 0) % 60 ELSE max((unixepoch(OLD.first_response_at) - unixepoch(OLD.opened_at)) / 60, 0) - max((unixepoch(OLD.first_response_at) - unixepoch(OLD.opened_at)) / 60, 0) % 1440 END, -1
    WHERE OLD.first_response_at IS NOT NULL
    ON CONFLICT (hour, team_id, kind, minutes) DO UPDATE SET cases = cases + excluded.cases;
    INSERT INTO care_rollup_duration (hour, team_id, kind, minutes, cases)
    SELECT substr(OLD.opened_at, 1, 13), COALESCE(OLD.team_id, 0), 2, CASE WHEN max((unixepoch(OLD.resolved_at) - unixepoch(OLD.opened_at)) / 60, 0) < 120 THEN max((unixepoch(OLD.resolved_at) - unixepoch(OLD.opened_at)) / 60, 0) WHEN max((unixepoch(OLD.resolved_at) - unixepoch(OLD.opened_at)) / 60, 0) < 1440 THEN max((unixepoch(OLD.resolved_at) - unixepoch(OLD.opened_at)) / 60, 0) - max((unixepoch(OLD.resolved_at) - unixepoch(OLD.opened_at)) / 60, 0) % 5 WHEN max((unixepoch(OLD.resolved_at) - unixepoch(OLD.opened_at)) / 60, 0) < 10080 THEN max((unixepoch(OLD.resolved_at) - unixepoch(OLD.opened_at)) / 60, 0) - max((unixepoch(OLD.resolved_at) - unixepoch(OLD.opened_at)) / 60, 0) % 60 ELSE max((unixepoch(OLD.resolved_at) - unixepoch(OLD.opened_at)) / 60, 0) - max((unixepoch(OLD.resolved_at) - unixepoch(OLD.opened_at)) / 60, 0) % 1440 END, -1
    WHERE OLD.resolved_at IS NOT NULL
    ON CONFLICT (hour, team_id, kind, minutes) DO UPDATE SET cases = cases + excluded.cases;
END;

CREATE TRIGGER cases_rollup_update AFTER UPDATE ON cases
WHEN OLD.opened_at IS NOT NEW.opened_at
    OR OLD.team_id IS NOT NEW.team_id
    OR OLD.assignee_id IS NOT NEW.assignee_id
    OR OLD.status IS NOT NEW.status
    OR OLD.first_response_at IS NOT NEW.first_response_at
    OR OLD.first_response_due_at IS NOT NEW.first_response_due_at
    OR OLD.resolution_due_at IS NOT NEW.resolution_due_at
    OR OLD.resolved_at IS NOT NEW.resolved_at
    OR OLD.contact_id IS NOT NEW.contact_id
BEGIN
    INSERT INTO care_rollup_hour (hour, team_id, received, responded, fr_met, fr_missed, resolved, res_met, res_missed, active)
    VALUES (substr(OLD.opened_at, 1, 13), COALESCE(OLD.team_id, 0), -1, -1 * (OLD.first_response_at IS NOT NULL), -1 * COALESCE(OLD.first_response_at <= OLD.first_response_due_at, 0), -1 * (OLD.first_response_at IS NULL OR OLD.first_response_at > OLD.first_response_due_at), -1 * (OLD.resolved_at IS NOT NULL), -1 * COALESCE(OLD.resolved_at <= OLD.resolution_due_at, 0), -1 * (OLD.resolved_at IS NULL OR OLD.resolved_at > OLD.resolution_due_at), -1 * (OLD.status IN ('new', 'open', 'pending_customer', 'on_hold')))
    ON CONFLICT (hour, team_id) DO UPDATE SET received = received + excluded.received, responded = responded + excluded.responded, fr_met = fr_met + excluded.fr_met, fr_missed = fr_missed + excluded.fr_missed, resolved = resolved + excluded.resolved, res_met = res_met + excluded.res_met, res_missed = res_missed + excluded.res_missed, active = active + excluded.active;
    INSERT INTO care_rollup_agent_day (day, team_id, assignee_id, received, responded, fr_met, fr_missed, resolved, res_met, res_missed, active)
    VALUES (substr(OLD.opened_at, 1, 10), COALESCE(OLD.team_id, 0), COALESCE(OLD.assignee_id, 0), -1, -1 * (OLD.first_response_at IS NOT NULL), -1 * COALESCE(OLD.first_response_at <= OLD.first_response_due_at, 0), -1 * (OLD.first_response_at IS NULL OR OLD.first_response_at > OLD.first_response_due_at), -1 * (OLD.resolved_at IS NOT NULL), -1 * COALESCE(OLD.resolved_at <= OLD.resolution_due_at, 0), -1 * (OLD.resolved_at IS NULL OR OLD.resolved_at > OLD.resolution_due_at), -1 * (OLD.status IN ('new', 'open', 'pending_customer', 'on_hold')))
    ON CONFLICT (day, team_id, assignee_id) DO UPDATE SET received = received + excluded.received, responded = responded + excluded.responded, fr_met = fr_met + excluded.fr_met, fr_missed = fr_missed + excluded.fr_missed, resolved = resolved + excluded.resolved, res_met = res_met + excluded.res_met, res_missed = res_missed + excluded.res_missed, active = active + excluded.active;
    INSERT INTO care_rollup_duration (hour, team_id, kind, minutes, cases)
    SELECT substr(OLD.opened_at, 1, 13), COALESCE(OLD.team_id, 0), 1, CASE WHEN max((unixepoch(OLD.first_response_at) - unixepoch(OLD.opened_at)) / 60, 0) < 120 THEN max((unixepoch(OLD.first_response_at) - unixepoch(OLD.opened_at)) / 60, 0) WHEN max((unixepoch(OLD.first_response_at) - unixepoch(OLD.opened_at)) / 60, 0) < 1440 THEN max((unixepoch(OLD.first_response_at) - unixepoch(OLD.opened_at)) / 60, 0) - max((unixepoch(OLD.first_response_at) - unixepoch(OLD.opened_at)) / 60, 0) % 5 WHEN max((unixepoch(OLD.first_response_at) - unixepoch(OLD.opened_at)) / 60, 0) < 10080 THEN max((unixepoch(OLD.first_response_at) - unixepoch(OLD.opened_at)) / 60, 0) - max((unixepoch(OLD.first_response_at) - unixepoch(OLD.opened_at)) / 60, 0) % 60 ELSE max((unixepoch(OLD.first_response_at) - unixepoch(OLD.opened_at)) / 60, 0) - max((unixepoch(OLD.first_response_at) - unixepoch(OLD.opened_at)) / 60, 0) % 1440 END, -1
    WHERE OLD.first_response_at IS NOT NULL
    ON CONFLICT (hour, team_id, kind, minutes) DO UPDATE SET cases = cases + excluded.cases;
    INSERT INTO care_rollup_duration (hour, team_id, kind, minutes, cases)
    SELECT substr(OLD.opened_at, 1, 13), COALESCE(OLD.team_id, 0), 2, CASE WHEN max((unixepoch(OLD.resolved_at) - unixepoch(OLD.opened_at)) / 60, 0) < 120 THEN max((unixepoch(OLD.resolved_at) - unixepoch(OLD.opened_at)) / 60, 0) WHEN max((unixepoch(OLD.resolved_at) - unixepoch(OLD.opened_at)) / 60, 0) < 1440 THEN max((unixepoch(OLD.resolved_at) - unixepoch(OLD.opened_at)) / 60, 0) - max((unixepoch(OLD.resolved_at) - unixepoch(OLD.opened_at)) / 60, 0) % 5 WHEN max((unixepoch(OLD.resolved_at) - unixepoch(OLD.opened_at)) / 60, 0) < 10080 THEN max((unixepoch(OLD.resolved_at) - unixepoch(OLD.opened_at)) / 60, 0) - max((unixepoch(OLD.resolved_at) - unixepoch(OLD.opened_at)) / 60, 0) % 60 ELSE max((unixepoch(OLD.resolved_at) - unixepoch(OLD.opened_at)) / 60, 0) - max((unixepoch(OLD.resolved_at) - unixepoch(OLD.opened_at)) / 60, 0) % 1440 END, -1
    WHERE OLD.resolved_at IS NOT NULL
    ON CONFLICT (hour, team_id, kind, minutes) DO UPDATE SET cases = cases + excluded.cases;
    INSERT INTO care_rollup_hour (hour, team_id, received, responded, fr_met, fr_missed, resolved, res_met, res_missed, active)
    VALUES (substr(NEW.opened_at, 1, 13), COALESCE(NEW.team_id, 0), 1, 1 * (NEW.first_response_at IS NOT NULL), 1 * COALESCE(NEW.first_response_at <= NEW.first_response_due_at, 0), 1 * (NEW.first_response_at IS NULL OR NEW.first_response_at > NEW.first_response_due_at), 1 * (NEW.resolved_at IS NOT NULL), 1 * COALESCE(NEW.resolved_at <= NEW.resolution_due_at, 0), 1 * (NEW.resolved_at IS NULL OR NEW.resolved_at > NEW.resolution_due_at), 1 * (NEW.status IN ('new', 'open', 'pending_customer', 'on_hold')))
    ON CONFLICT (hour, team_id) DO UPDATE SET received = received + excluded.received, responded = responded + excluded.responded, fr_met = fr_met + excluded.fr_met, fr_missed = fr_missed + excluded.fr_missed, resolved = resolved + excluded.resolved, res_met = res_met + excluded.res_met, res_missed = res_missed + excluded.res_missed, active = active + excluded.active;
    INSERT INTO care_rollup_agent_day (day, team_id, assignee_id, received, responded, fr_met, fr_missed, resolved, res_met, res_missed, active)
    VALUES (substr(NEW.opened_at, 1, 10), COALESCE(NEW.team_id, 0), COALESCE(NEW.assignee_id, 0), 1, 1 * (NEW.first_response_at IS NOT NULL), 1 * COALESCE(NEW.first_response_at <= NEW.first_response_due_at, 0), 1 * (NEW.first_response_at IS NULL OR NEW.first_response_at > NEW.first_response_due_at), 1 * (NEW.resolved_at IS NOT NULL), 1 * COALESCE(NEW.resolved_at <= NEW.resolution_due_at, 0), 1 * (NEW.resolved_at IS NULL OR NEW.resolved_at > NEW.resolution_due_at), 1 * (NEW.status IN ('new', 'open', 'pending_customer', 'on_hold')))
    ON CONFLICT (day, team_id, assignee_id) DO UPDATE SET received = received + excluded.received, responded = responded + excluded.responded, fr_met = fr_met + excluded.fr_met, fr_missed = fr_missed + excluded.fr_missed, resolved = resolved + excluded.resolved, res_met = res_met + excluded.res_met, res_missed = res_missed + excluded.res_missed, active = active + excluded.active;
    INSERT INTO care_rollup_duration (hour, team_id, kind, minutes, cases)
    SELECT substr(NEW.opened_at, 1, 13), COALESCE(NEW.team_id, 0), 1, CASE WHEN max((unixepoch(NEW.first_response_at) - unixepoch(NEW.opened_at)) / 60, 0) < 120 THEN max((unixepoch(NEW.first_response_at) - unixepoch(NEW.opened_at)) / 60, 0) WHEN max((unixepoch(NEW.first_response_at) - unixepoch(NEW.opened_at)) / 60, 0) < 1440 THEN max((unixepoch(NEW.first_response_at) - unixepoch(NEW.opened_at)) / 60, 0) - max((unixepoch(NEW.first_response_at) - unixepoch(NEW.opened_at)) / 60, 0) % 5 WHEN max((unixepoch(NEW.first_response_at) - unixepoch(NEW.opened_at)) / 60, 0) < 10080 THEN max((unixepoch(NEW.first_response_at) - unixepoch(NEW.opened_at)) / 60, 0) - max((unixepoch(NEW.first_response_at) - unixepoch(NEW.opened_at)) / 60, 0) % 60 ELSE max((unixepoch(NEW.first_response_at) - unixepoch(NEW.opened_at)) / 60, 0) - max((unixepoch(NEW.first_response_at) - unixepoch(NEW.opened_at)) / 60, 0) % 1440 END, 1
    WHERE NEW.first_response_at IS NOT NULL
    ON CONFLICT (hour, team_id, kind, minutes) DO UPDATE SET cases = cases + excluded.cases;
    INSERT INTO care_rollup_duration (hour, team_id, kind, minutes, cases)
    SELECT substr(NEW.opened_at, 1, 13), COALESCE(NEW.team_id, 0), 2, CASE WHEN max((unixepoch(NEW.resolved_at) - unixepoch(NEW.opened_at)) / 60, 0) < 120 THEN max((unixepoch(NEW.resolved_at) - unixepoch(NEW.opened_at)) / 60, 0) WHEN max((unixepoch(NEW.resolved_at) - unixepoch(NEW.opened_at)) / 60, 0) < 1440 THEN max((unixepoch(NEW.resolved_at) - unixepoch(NEW.opened_at)) / 60, 0) - max((unixepoch(NEW.resolved_at) - unixepoch(NEW.opened_at)) / 60, 0) % 5 WHEN max((unixepoch(NEW.resolved_at) - unixepoch(NEW.opened_at)) / 60, 0) < 10080 THEN max((unixepoch(NEW.resolved_at) - unixepoch(NEW.opened_at)) / 60, 0) - max((unixepoch(NEW.resolved_at) - unixepoch(NEW.opened_at)) / 60, 0) % 60 ELSE max((unixepoch(NEW.resolved_at) - unixepoch(NEW.opened_at)) / 60, 0) - max((unixepoch(NEW.resolved_at) - unixepoch(NEW.opened_at)) / 60, 0) % 1440 END, 1
    WHERE NEW.resolved_at IS NOT NULL
    ON CONFLICT (hour, team_id, kind, minutes) DO UPDATE SET cases = cases + excluded.cases;
    INSERT INTO care_rollup_customers (day, team_id, register, rank)
    SELECT substr(NEW.opened_at, 1, 10), COALESCE(NEW.team_id, 0), h & 1023, CASE WHEN h & 1024 THEN 1 WHEN h & 2048 THEN 2 WHEN h & 4096 THEN 3 WHEN h & 8192 THEN 4 WHEN h & 16384 THEN 5 WHEN h & 32768 THEN 6 WHEN h & 65536 THEN 7 WHEN h & 131072 THEN 8 WHEN h & 262144 THEN 9 WHEN h & 524288 THEN 10 WHEN h & 1048576 THEN 11 WHEN h & 2097152 THEN 12 WHEN h & 4194304 THEN 13 WHEN h & 8388608 THEN 14 WHEN h & 16777216 THEN 15 WHEN h & 33554432 THEN 16 WHEN h & 67108864 THEN 17 WHEN h & 134217728 THEN 18 WHEN h & 268435456 THEN 19 WHEN h & 536870912 THEN 20 WHEN h & 1073741824 THEN 21 WHEN h & 2147483648 THEN 22 ELSE 23 END
    FROM (SELECT ((c | (c >> 13)) - (c & (c >> 13))) AS h FROM (SELECT ((((b & 65535) * 2246822507) + ((((b >> 16) * 2246822507) & 65535) << 16)) & 4294967295) AS c FROM (SELECT ((a | (a >> 16)) - (a & (a >> 16))) AS b FROM (SELECT (NEW.contact_id * 2654435761) & 4294967295 AS a))))
    WHERE NEW.contact_id IS NOT NULL
    ON CONFLICT (day, team_id, register) DO UPDATE SET rank = max(rank, excluded.rank);
END;

-- The cases already stored.
INSERT INTO care_rollup_hour (hour, team_id, received, responded, fr_met, fr_missed, resolved, res_met, res_missed, active)
SELECT substr(c.opened_at, 1, 13), COALESCE(c.team_id, 0), SUM(1), SUM(1 * (c.first_response_at IS NOT NULL)), SUM(1 * COALESCE(c.first_response_at <= c.first_response_due_at, 0)), SUM(1 * (c.first_response_at IS NULL OR c.first_response_at > c.first_response_due_at)), SUM(1 * (c.resolved_at IS NOT NULL)), SUM(1 * COALESCE(c.resolved_at <= c.resolution_due_at, 0)), SUM(1 * (c.resolved_at IS NULL OR c.resolved_at > c.resolution_due_at)), SUM(1 * (c.status IN ('new', 'open', 'pending_customer', 'on_hold')))
FROM cases c GROUP BY 1, 2;
INSERT INTO care_rollup_agent_day (day, team_id, assignee_id, received, responded, fr_met, fr_missed, resolved, res_met, res_missed, active)
SELECT substr(c.opened_at, 1, 10), COALESCE(c.team_id, 0), COALESCE(c.assignee_id, 0), SUM(1), SUM(1 * (c.first_response_at IS NOT NULL)), SUM(1 * COALESCE(c.first_response_at <= c.first_response_due_at, 0)), SUM(1 * (c.first_response_at IS NULL OR c.first_response_at > c.first_response_due_at)), SUM(1 * (c.resolved_at IS NOT NULL)), SUM(1 * COALESCE(c.resolved_at <= c.resolution_due_at, 0)), SUM(1 * (c.resolved_at IS NULL OR c.resolved_at > c.resolution_due_at)), SUM(1 * (c.status IN ('new', 'open', 'pending_customer', 'on_hold')))
FROM cases c GROUP BY 1, 2, 3;
INSERT INTO care_rollup_duration (hour, team_id, kind, minutes, cases)
SELECT substr(c.opened_at, 1, 13), COALESCE(c.team_id, 0), 1, CASE WHEN max((unixepoch(c.first_response_at) - unixepoch(c.opened_at)) / 60, 0) < 120 THEN max((unixepoch(c.first_response_at) - unixepoch(c.opened_at)) / 60, 0) WHEN max((unixepoch(c.first_response_at) - unixepoch(c.opened_at)) / 60, 0) < 1440 THEN max((unixepoch(c.first_response_at) - unixepoch(c.opened_at)) / 60, 0) - max((unixepoch(c.first_response_at) - unixepoch(c.opened_at)) / 60, 0) % 5 WHEN max((unixepoch(c.first_response_at) - unixepoch(c.opened_at)) / 60, 0) < 10080 THEN max((unixepoch(c.first_response_at) - unixepoch(c.opened_at)) / 60, 0) - max((unixepoch(c.first_response_at) - unixepoch(c.opened_at)) / 60, 0) % 60 ELSE max((unixepoch(c.first_response_at) - unixepoch(c.opened_at)) / 60, 0) - max((unixepoch(c.first_response_at) - unixepoch(c.opened_at)) / 60, 0) % 1440 END, COUNT(*)
FROM cases c WHERE c.first_response_at IS NOT NULL GROUP BY 1, 2, 3, 4;
INSERT INTO care_rollup_duration (hour, team_id, kind, minutes, cases)
SELECT substr(c.opened_at, 1, 13), COALESCE(c.team_id, 0), 2, CASE WHEN max((unixepoch(c.resolved_at) - unixepoch(c.opened_at)) / 60, 0) < 120 THEN max((unixepoch(c.resolved_at) - unixepoch(c.opened_at)) / 60, 0) WHEN max((unixepoch(c.resolved_at) - unixepoch(c.opened_at)) / 60, 0) < 1440 THEN max((unixepoch(c.resolved_at) - unixepoch(c.opened_at)) / 60, 0) - max((unixepoch(c.resolved_at) - unixepoch(c.opened_at)) / 60, 0) % 5 WHEN max((unixepoch(c.resolved_at) - unixepoch(c.opened_at)) / 60, 0) < 10080 THEN max((unixepoch(c.resolved_at) - unixepoch(c.opened_at)) / 60, 0) - max((unixepoch(c.resolved_at) - unixepoch(c.opened_at)) / 60, 0) % 60 ELSE max((unixepoch(c.resolved_at) - unixepoch(c.opened_at)) / 60, 0) - max((unixepoch(c.resolved_at) - unixepoch(c.opened_at)) / 60, 0) % 1440 END, COUNT(*)
FROM cases c WHERE c.resolved_at IS NOT NULL GROUP BY 1, 2, 3, 4;
INSERT INTO care_rollup_customers (day, team_id, register, rank)
SELECT day, team_id, h & 1023, MAX(CASE WHEN h & 1024 THEN 1 WHEN h & 2048 THEN 2 WHEN h & 4096 THEN 3 WHEN h & 8192 THEN 4 WHEN h & 16384 THEN 5 WHEN h & 32768 THEN 6 WHEN h & 65536 THEN 7 WHEN h & 131072 THEN 8 WHEN h & 262144 THEN 9 WHEN h & 524288 THEN 10 WHEN h & 1048576 THEN 11 WHEN h & 2097152 THEN 12 WHEN h & 4194304 THEN 13 WHEN h & 8388608 THEN 14 WHEN h & 16777216 THEN 15 WHEN h & 33554432 THEN 16 WHEN h & 67108864 THEN 17 WHEN h & 134217728 THEN 18 WHEN h & 268435456 THEN 19 WHEN h & 536870912 THEN 20 WHEN h & 1073741824 THEN 21 WHEN h & 2147483648 THEN 22 ELSE 23 END)
FROM (SELECT day, team_id, ((c | (c >> 13)) - (c & (c >> 13))) AS h FROM (SELECT day, team_id, ((((b & 65535) * 2246822507) + ((((b >> 16) * 2246822507) & 65535) << 16)) & 4294967295) AS c FROM
      (SELECT day, team_id, ((a | (a >> 16)) - (a & (a >> 16))) AS b FROM (SELECT substr(opened_at, 1, 10) AS day, COALESCE(team_id, 0) AS team_id,
      (contact_id * 2654435761) & 4294967295 AS a FROM cases WHERE contact_id IS NOT NULL))))
GROUP BY 1, 2, 3;
