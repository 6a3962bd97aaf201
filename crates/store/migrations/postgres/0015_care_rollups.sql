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
    team_id BIGINT NOT NULL,
    received BIGINT NOT NULL DEFAULT 0,
    responded BIGINT NOT NULL DEFAULT 0,
    fr_met BIGINT NOT NULL DEFAULT 0,
    fr_missed BIGINT NOT NULL DEFAULT 0,
    resolved BIGINT NOT NULL DEFAULT 0,
    res_met BIGINT NOT NULL DEFAULT 0,
    res_missed BIGINT NOT NULL DEFAULT 0,
    active BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, team_id)
);
CREATE TABLE care_rollup_agent_day (
    day         TEXT    NOT NULL,
    team_id     BIGINT NOT NULL,
    assignee_id BIGINT NOT NULL,
    received BIGINT NOT NULL DEFAULT 0,
    responded BIGINT NOT NULL DEFAULT 0,
    fr_met BIGINT NOT NULL DEFAULT 0,
    fr_missed BIGINT NOT NULL DEFAULT 0,
    resolved BIGINT NOT NULL DEFAULT 0,
    res_met BIGINT NOT NULL DEFAULT 0,
    res_missed BIGINT NOT NULL DEFAULT 0,
    active BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, team_id, assignee_id)
);
CREATE TABLE care_rollup_duration (
    hour    TEXT    NOT NULL,
    team_id BIGINT NOT NULL,
    kind    BIGINT NOT NULL,
    minutes BIGINT NOT NULL,
    cases   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, team_id, kind, minutes)
);
CREATE TABLE care_rollup_customers (
    day      TEXT    NOT NULL,
    team_id  BIGINT NOT NULL,
    register BIGINT NOT NULL,
    rank     BIGINT NOT NULL,
    PRIMARY KEY (day, team_id, register)
);

CREATE FUNCTION care_rollup_add(r cases, s integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    h bigint;
BEGIN
    INSERT INTO care_rollup_hour (hour, team_id, received, responded, fr_met, fr_missed, resolved, res_met, res_missed, active)
    VALUES (to_char(r.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24'), COALESCE(r.team_id, 0), s, s * (r.first_response_at IS NOT NULL)::int, s * COALESCE((r.first_response_at <= r.first_response_due_at)::int, 0), s * (r.first_response_at IS NULL OR r.first_response_at > r.first_response_due_at)::int, s * (r.resolved_at IS NOT NULL)::int, s * COALESCE((r.resolved_at <= r.resolution_due_at)::int, 0), s * (r.resolved_at IS NULL OR r.resolved_at > r.resolution_due_at)::int, s * (r.status IN ('new', 'open', 'pending_customer', 'on_hold'))::int)
    ON CONFLICT (hour, team_id) DO UPDATE SET received = care_rollup_hour.received + EXCLUDED.received, responded = care_rollup_hour.responded + EXCLUDED.responded, fr_met = care_rollup_hour.fr_met + EXCLUDED.fr_met, fr_missed = care_rollup_hour.fr_missed + EXCLUDED.fr_missed, resolved = care_rollup_hour.resolved + EXCLUDED.resolved, res_met = care_rollup_hour.res_met + EXCLUDED.res_met, res_missed = care_rollup_hour.res_missed + EXCLUDED.res_missed, active = care_rollup_hour.active + EXCLUDED.active;
    INSERT INTO care_rollup_agent_day (day, team_id, assignee_id, received, responded, fr_met, fr_missed, resolved, res_met, res_missed, active)
    VALUES (to_char(r.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), COALESCE(r.team_id, 0), COALESCE(r.assignee_id, 0), s, s * (r.first_response_at IS NOT NULL)::int, s * COALESCE((r.first_response_at <= r.first_response_due_at)::int, 0), s * (r.first_response_at IS NULL OR r.first_response_at > r.first_response_due_at)::int, s * (r.resolved_at IS NOT NULL)::int, s * COALESCE((r.resolved_at <= r.resolution_due_at)::int, 0), s * (r.resolved_at IS NULL OR r.resolved_at > r.resolution_due_at)::int, s * (r.status IN ('new', 'open', 'pending_customer', 'on_hold'))::int)
    ON CONFLICT (day, team_id, assignee_id) DO UPDATE SET received = care_rollup_agent_day.received + EXCLUDED.received, responded = care_rollup_agent_day.responded + EXCLUDED.responded, fr_met = care_rollup_agent_day.fr_met + EXCLUDED.fr_met, fr_missed = care_rollup_agent_day.fr_missed + EXCLUDED.fr_missed, resolved = care_rollup_agent_day.resolved + EXCLUDED.resolved, res_met = care_rollup_agent_day.res_met + EXCLUDED.res_met, res_missed = care_rollup_agent_day.res_missed + EXCLUDED.res_missed, active = care_rollup_agent_day.active + EXCLUDED.active;
    IF r.first_response_at IS NOT NULL THEN
        INSERT INTO care_rollup_duration (hour, team_id, kind, minutes, cases)
        VALUES (to_char(r.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24'), COALESCE(r.team_id, 0), 1, CASE WHEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (r.first_response_at - r.opened_at)) / 60) AS BIGINT), 0) < 120 THEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (r.first_response_at - r.opened_at)) / 60) AS BIGINT), 0) WHEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (r.first_response_at - r.opened_at)) / 60) AS BIGINT), 0) < 1440 THEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (r.first_response_at - r.opened_at)) / 60) AS BIGINT), 0) - GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (r.first_response_at - r.opened_at)) / 60) AS BIGINT), 0) % 5 WHEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (r.first_response_at - r.opened_at)) / 60) AS BIGINT), 0) < 10080 THEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (r.first_response_at - r.opened_at)) / 60) AS BIGINT), 0) - GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (r.first_response_at - r.opened_at)) / 60) AS BIGINT), 0) % 60 ELSE GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (r.first_response_at - r.opened_at)) / 60) AS BIGINT), 0) - GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (r.first_response_at - r.opened_at)) / 60) AS BIGINT), 0) % 1440 END, s)
        ON CONFLICT (hour, team_id, kind, minutes) DO UPDATE SET cases = care_rollup_duration.cases + EXCLUDED.cases;
    END IF;
    IF r.resolved_at IS NOT NULL THEN
        INSERT INTO care_rollup_duration (hour, team_id, kind, minutes, cases)
        VALUES (to_char(r.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24'), COALESCE(r.team_id, 0), 2, CASE WHEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (r.resolved_at - r.opened_at)) / 60) AS BIGINT), 0) < 120 THEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (r.resolved_at - r.opened_at)) / 60) AS BIGINT), 0) WHEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (r.resolved_at - r.opened_at)) / 60) AS BIGINT), 0) < 1440 THEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (r.resolved_at - r.opened_at)) / 60) AS BIGINT), 0) - GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (r.resolved_at - r.opened_at)) / 60) AS BIGINT), 0) % 5 WHEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (r.resolved_at - r.opened_at)) / 60) AS BIGINT), 0) < 10080 THEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (r.resolved_at - r.opened_at)) / 60) AS BIGINT), 0) - GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (r.resolved_at - r.opened_at)) / 60) AS BIGINT), 0) % 60 ELSE GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (r.resolved_at - r.opened_at)) / 60) AS BIGINT), 0) - GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (r.resolved_at - r.opened_at)) / 60) AS BIGINT), 0) % 1440 END, s)
        ON CONFLICT (hour, team_id, kind, minutes) DO UPDATE SET cases = care_rollup_duration.cases + EXCLUDED.cases;
    END IF;
    IF s = 1 AND r.contact_id IS NOT NULL THEN
        h := (r.contact_id * 2654435761) & 4294967295;
        h := ((h | (h >> 16)) - (h & (h >> 16)));
        h := ((((h & 65535) * 2246822507) + ((((h >> 16) * 2246822507) & 65535) << 16)) & 4294967295);
        h := ((h | (h >> 13)) - (h & (h >> 13)));
        INSERT INTO care_rollup_customers (day, team_id, register, rank)
        VALUES (to_char(r.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), COALESCE(r.team_id, 0), h & 1023, CASE WHEN (h & 1024) <> 0 THEN 1 WHEN (h & 2048) <> 0 THEN 2 WHEN (h & 4096) <> 0 THEN 3 WHEN (h & 8192) <> 0 THEN 4 WHEN (h & 16384) <> 0 THEN 5 WHEN (h & 32768) <> 0 THEN 6 WHEN (h & 65536) <> 0 THEN 7 WHEN (h & 131072) <> 0 THEN 8 WHEN (h & 262144) <> 0 THEN 9 WHEN (h & 524288) <> 0 THEN 10 WHEN (h & 1048576) <> 0 THEN 11 WHEN (h & 2097152) <> 0 THEN 12 WHEN (h & 4194304) <> 0 THEN 13 WHEN (h & 8388608) <> 0 THEN 14 WHEN (h & 16777216) <> 0 THEN 15 WHEN (h & 33554432) <> 0 THEN 16 WHEN (h & 67108864) <> 0 THEN 17 WHEN (h & 134217728) <> 0 THEN 18 WHEN (h & 268435456) <> 0 THEN 19 WHEN (h & 536870912) <> 0 THEN 20 WHEN (h & 1073741824) <> 0 THEN 21 WHEN (h & 2147483648) <> 0 THEN 22 ELSE 23 END)
        ON CONFLICT (day, team_id, register) DO UPDATE SET rank = GREATEST(care_rollup_customers.rank, EXCLUDED.rank);
    END IF;
END;
$$;

CREATE FUNCTION care_rollup_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM care_rollup_add(OLD, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM care_rollup_add(NEW, 1);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER cases_rollup_insert_delete AFTER INSERT OR DELETE ON cases
FOR EACH ROW EXECUTE FUNCTION care_rollup_trigger();
CREATE TRIGGER cases_rollup_update AFTER UPDATE ON cases
FOR EACH ROW WHEN (OLD.opened_at IS DISTINCT FROM NEW.opened_at
    OR OLD.team_id IS DISTINCT FROM NEW.team_id
    OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id
    OR OLD.status IS DISTINCT FROM NEW.status
    OR OLD.first_response_at IS DISTINCT FROM NEW.first_response_at
    OR OLD.first_response_due_at IS DISTINCT FROM NEW.first_response_due_at
    OR OLD.resolution_due_at IS DISTINCT FROM NEW.resolution_due_at
    OR OLD.resolved_at IS DISTINCT FROM NEW.resolved_at
    OR OLD.contact_id IS DISTINCT FROM NEW.contact_id)
EXECUTE FUNCTION care_rollup_trigger();

-- The cases already stored.
INSERT INTO care_rollup_hour (hour, team_id, received, responded, fr_met, fr_missed, resolved, res_met, res_missed, active)
SELECT to_char(c.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24'), COALESCE(c.team_id, 0), SUM(1), SUM(1 * (c.first_response_at IS NOT NULL)::int), SUM(1 * COALESCE((c.first_response_at <= c.first_response_due_at)::int, 0)), SUM(1 * (c.first_response_at IS NULL OR c.first_response_at > c.first_response_due_at)::int), SUM(1 * (c.resolved_at IS NOT NULL)::int), SUM(1 * COALESCE((c.resolved_at <= c.resolution_due_at)::int, 0)), SUM(1 * (c.resolved_at IS NULL OR c.resolved_at > c.resolution_due_at)::int), SUM(1 * (c.status IN ('new', 'open', 'pending_customer', 'on_hold'))::int)
FROM cases c GROUP BY 1, 2;
INSERT INTO care_rollup_agent_day (day, team_id, assignee_id, received, responded, fr_met, fr_missed, resolved, res_met, res_missed, active)
SELECT to_char(c.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), COALESCE(c.team_id, 0), COALESCE(c.assignee_id, 0), SUM(1), SUM(1 * (c.first_response_at IS NOT NULL)::int), SUM(1 * COALESCE((c.first_response_at <= c.first_response_due_at)::int, 0)), SUM(1 * (c.first_response_at IS NULL OR c.first_response_at > c.first_response_due_at)::int), SUM(1 * (c.resolved_at IS NOT NULL)::int), SUM(1 * COALESCE((c.resolved_at <= c.resolution_due_at)::int, 0)), SUM(1 * (c.resolved_at IS NULL OR c.resolved_at > c.resolution_due_at)::int), SUM(1 * (c.status IN ('new', 'open', 'pending_customer', 'on_hold'))::int)
FROM cases c GROUP BY 1, 2, 3;
INSERT INTO care_rollup_duration (hour, team_id, kind, minutes, cases)
SELECT to_char(c.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24'), COALESCE(c.team_id, 0), 1, CASE WHEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (c.first_response_at - c.opened_at)) / 60) AS BIGINT), 0) < 120 THEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (c.first_response_at - c.opened_at)) / 60) AS BIGINT), 0) WHEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (c.first_response_at - c.opened_at)) / 60) AS BIGINT), 0) < 1440 THEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (c.first_response_at - c.opened_at)) / 60) AS BIGINT), 0) - GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (c.first_response_at - c.opened_at)) / 60) AS BIGINT), 0) % 5 WHEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (c.first_response_at - c.opened_at)) / 60) AS BIGINT), 0) < 10080 THEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (c.first_response_at - c.opened_at)) / 60) AS BIGINT), 0) - GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (c.first_response_at - c.opened_at)) / 60) AS BIGINT), 0) % 60 ELSE GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (c.first_response_at - c.opened_at)) / 60) AS BIGINT), 0) - GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (c.first_response_at - c.opened_at)) / 60) AS BIGINT), 0) % 1440 END, COUNT(*)
FROM cases c WHERE c.first_response_at IS NOT NULL GROUP BY 1, 2, 3, 4;
INSERT INTO care_rollup_duration (hour, team_id, kind, minutes, cases)
SELECT to_char(c.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24'), COALESCE(c.team_id, 0), 2, CASE WHEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (c.resolved_at - c.opened_at)) / 60) AS BIGINT), 0) < 120 THEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (c.resolved_at - c.opened_at)) / 60) AS BIGINT), 0) WHEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (c.resolved_at - c.opened_at)) / 60) AS BIGINT), 0) < 1440 THEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (c.resolved_at - c.opened_at)) / 60) AS BIGINT), 0) - GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (c.resolved_at - c.opened_at)) / 60) AS BIGINT), 0) % 5 WHEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (c.resolved_at - c.opened_at)) / 60) AS BIGINT), 0) < 10080 THEN GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (c.resolved_at - c.opened_at)) / 60) AS BIGINT), 0) - GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (c.resolved_at - c.opened_at)) / 60) AS BIGINT), 0) % 60 ELSE GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (c.resolved_at - c.opened_at)) / 60) AS BIGINT), 0) - GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM (c.resolved_at - c.opened_at)) / 60) AS BIGINT), 0) % 1440 END, COUNT(*)
FROM cases c WHERE c.resolved_at IS NOT NULL GROUP BY 1, 2, 3, 4;
INSERT INTO care_rollup_customers (day, team_id, register, rank)
SELECT day, team_id, h & 1023, MAX(CASE WHEN (h & 1024) <> 0 THEN 1 WHEN (h & 2048) <> 0 THEN 2 WHEN (h & 4096) <> 0 THEN 3 WHEN (h & 8192) <> 0 THEN 4 WHEN (h & 16384) <> 0 THEN 5 WHEN (h & 32768) <> 0 THEN 6 WHEN (h & 65536) <> 0 THEN 7 WHEN (h & 131072) <> 0 THEN 8 WHEN (h & 262144) <> 0 THEN 9 WHEN (h & 524288) <> 0 THEN 10 WHEN (h & 1048576) <> 0 THEN 11 WHEN (h & 2097152) <> 0 THEN 12 WHEN (h & 4194304) <> 0 THEN 13 WHEN (h & 8388608) <> 0 THEN 14 WHEN (h & 16777216) <> 0 THEN 15 WHEN (h & 33554432) <> 0 THEN 16 WHEN (h & 67108864) <> 0 THEN 17 WHEN (h & 134217728) <> 0 THEN 18 WHEN (h & 268435456) <> 0 THEN 19 WHEN (h & 536870912) <> 0 THEN 20 WHEN (h & 1073741824) <> 0 THEN 21 WHEN (h & 2147483648) <> 0 THEN 22 ELSE 23 END)
FROM (SELECT day, team_id, ((c | (c >> 13)) - (c & (c >> 13))) AS h FROM (SELECT day, team_id, ((((b & 65535) * 2246822507) + ((((b >> 16) * 2246822507) & 65535) << 16)) & 4294967295) AS c FROM
      (SELECT day, team_id, ((a | (a >> 16)) - (a & (a >> 16))) AS b FROM (SELECT to_char(c.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, COALESCE(c.team_id, 0) AS team_id,
      (c.contact_id * 2654435761) & 4294967295 AS a FROM cases c WHERE c.contact_id IS NOT NULL) AS s1) AS s2) AS s3) AS hashed
GROUP BY 1, 2, 3;
