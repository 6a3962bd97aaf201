# Writes migration 0015 (care report roll-ups and their triggers) for both backends:
#   python3 tools/care_rollups_sql.py crates/store/migrations/sqlite/0015_care_rollups.sql crates/store/migrations/postgres/0015_care_rollups.sql
# The SQL is generated so the two backends and the insert/update/delete triggers stay alike.
ACTIVE = "'new', 'open', 'pending_customer', 'on_hold'"
COUNTS = ["received", "responded", "fr_met", "fr_missed", "resolved", "res_met", "res_missed", "active"]

def sqlite_counts(r, s):
    return [
        f"{s}",
        f"{s} * ({r}.first_response_at IS NOT NULL)",
        f"{s} * COALESCE({r}.first_response_at <= {r}.first_response_due_at, 0)",
        f"{s} * ({r}.first_response_at IS NULL OR {r}.first_response_at > {r}.first_response_due_at)",
        f"{s} * ({r}.resolved_at IS NOT NULL)",
        f"{s} * COALESCE({r}.resolved_at <= {r}.resolution_due_at, 0)",
        f"{s} * ({r}.resolved_at IS NULL OR {r}.resolved_at > {r}.resolution_due_at)",
        f"{s} * ({r}.status IN ({ACTIVE}))",
    ]

def bucket(m):
    return (f"CASE WHEN {m} < 120 THEN {m} WHEN {m} < 1440 THEN {m} - {m} % 5 "
            f"WHEN {m} < 10080 THEN {m} - {m} % 60 ELSE {m} - {m} % 1440 END")

def upsert(table, keys, key_values, cols, values, indent="    "):
    sets = ", ".join(f"{c} = {c} + excluded.{c}" for c in cols)
    return (f"{indent}INSERT INTO {table} ({', '.join(keys + cols)})\n"
            f"{indent}VALUES ({', '.join(key_values + values)})\n"
            f"{indent}ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets};\n")

def sqlite_body(r, s):
    out = ""
    team = f"COALESCE({r}.team_id, 0)"
    out += upsert("care_rollup_hour", ["hour", "team_id"], [f"substr({r}.opened_at, 1, 13)", team], COUNTS, sqlite_counts(r, s))
    out += upsert("care_rollup_agent_day", ["day", "team_id", "assignee_id"],
                  [f"substr({r}.opened_at, 1, 10)", team, f"COALESCE({r}.assignee_id, 0)"], COUNTS, sqlite_counts(r, s))
    for kind, col in [(1, "first_response_at"), (2, "resolved_at")]:
        m = f"max((unixepoch({r}.{col}) - unixepoch({r}.opened_at)) / 60, 0)"
        out += (f"    INSERT INTO care_rollup_duration (hour, team_id, kind, minutes, cases)\n"
                f"    SELECT substr({r}.opened_at, 1, 13), {team}, {kind}, {bucket(m)}, {s}\n"
                f"    WHERE {r}.{col} IS NOT NULL\n"
                f"    ON CONFLICT (hour, team_id, kind, minutes) DO UPDATE SET cases = cases + excluded.cases;\n")
    return out

def rank_case(h, pg):
    parts = []
    for k in range(22):
        bit = 1 << (10 + k)
        cond = f"({h} & {bit}) <> 0" if pg else f"{h} & {bit}"
        parts.append(f"WHEN {cond} THEN {k + 1}")
    return "CASE " + " ".join(parts) + " ELSE 23 END"

M32 = 4294967295
def xor(x, y):
    return f"(({x} | {y}) - ({x} & {y}))"
def mulmod(x, k):
    return f"(((({x} & 65535) * {k}) + (((({x} >> 16) * {k}) & 65535) << 16)) & {M32})"

def hash_from(idexpr):
    """Nested SELECTs (SQLite) computing h: fmix32-like mixing of the contact id, with
    products kept under 2^63."""
    return (f"(SELECT {xor('c', '(c >> 13)')} AS h FROM (SELECT {mulmod('b', 2246822507)} AS c FROM "
            f"(SELECT {xor('a', '(a >> 16)')} AS b FROM (SELECT ({idexpr} * 2654435761) & {M32} AS a))))")

def customers_sqlite(r):
    return (f"    INSERT INTO care_rollup_customers (day, team_id, register, rank)\n"
            f"    SELECT substr({r}.opened_at, 1, 10), COALESCE({r}.team_id, 0), h & 1023, {rank_case('h', False)}\n"
            f"    FROM {hash_from(r + '.contact_id')}\n"
            f"    WHERE {r}.contact_id IS NOT NULL\n"
            f"    ON CONFLICT (day, team_id, register) DO UPDATE SET rank = max(rank, excluded.rank);\n")

WATCHED = ["opened_at", "team_id", "assignee_id", "status", "first_response_at", "first_response_due_at", "resolution_due_at", "resolved_at", "contact_id"]

HEADER = """-- Issue #7, care reports over a million cases: roll-ups of the cases kept by triggers, so a
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
"""

def tables(int_type):
    cols = ",\n".join(f"    {c} {int_type} NOT NULL DEFAULT 0" for c in COUNTS)
    wr = " WITHOUT ROWID" if int_type == "INTEGER" else ""
    return f"""CREATE TABLE care_rollup_hour (
    hour    TEXT    NOT NULL,
    team_id {int_type} NOT NULL,
{cols},
    PRIMARY KEY (hour, team_id)
){wr};
CREATE TABLE care_rollup_agent_day (
    day         TEXT    NOT NULL,
    team_id     {int_type} NOT NULL,
    assignee_id {int_type} NOT NULL,
{cols},
    PRIMARY KEY (day, team_id, assignee_id)
){wr};
CREATE TABLE care_rollup_duration (
    hour    TEXT    NOT NULL,
    team_id {int_type} NOT NULL,
    kind    {int_type} NOT NULL,
    minutes {int_type} NOT NULL,
    cases   {int_type} NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, team_id, kind, minutes)
){wr};
CREATE TABLE care_rollup_customers (
    day      TEXT    NOT NULL,
    team_id  {int_type} NOT NULL,
    register {int_type} NOT NULL,
    rank     {int_type} NOT NULL,
    PRIMARY KEY (day, team_id, register)
){wr};
"""

def sqlite():
    out = HEADER + "\n" + tables("INTEGER") + "\n"
    out += "CREATE TRIGGER cases_rollup_insert AFTER INSERT ON cases\nBEGIN\n" + sqlite_body("NEW", "1") + customers_sqlite("NEW") + "END;\n\n"
    out += "CREATE TRIGGER cases_rollup_delete AFTER DELETE ON cases\nBEGIN\n" + sqlite_body("OLD", "-1") + "END;\n\n"
    cond = "\n    OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED)
    out += ("CREATE TRIGGER cases_rollup_update AFTER UPDATE ON cases\nWHEN " + cond + "\nBEGIN\n"
            + sqlite_body("OLD", "-1") + sqlite_body("NEW", "1") + customers_sqlite("NEW") + "END;\n\n")
    out += "-- The cases already stored.\n"
    out += backfill_sqlite()
    return out

def backfill_sqlite():
    c = sqlite_counts("c", "1")
    sums = ", ".join(f"SUM({e})" for e in c)
    out = (f"INSERT INTO care_rollup_hour (hour, team_id, {', '.join(COUNTS)})\n"
           f"SELECT substr(c.opened_at, 1, 13), COALESCE(c.team_id, 0), {sums}\n"
           f"FROM cases c GROUP BY 1, 2;\n")
    out += (f"INSERT INTO care_rollup_agent_day (day, team_id, assignee_id, {', '.join(COUNTS)})\n"
            f"SELECT substr(c.opened_at, 1, 10), COALESCE(c.team_id, 0), COALESCE(c.assignee_id, 0), {sums}\n"
            f"FROM cases c GROUP BY 1, 2, 3;\n")
    for kind, col in [(1, "first_response_at"), (2, "resolved_at")]:
        m = f"max((unixepoch(c.{col}) - unixepoch(c.opened_at)) / 60, 0)"
        out += (f"INSERT INTO care_rollup_duration (hour, team_id, kind, minutes, cases)\n"
                f"SELECT substr(c.opened_at, 1, 13), COALESCE(c.team_id, 0), {kind}, {bucket(m)}, COUNT(*)\n"
                f"FROM cases c WHERE c.{col} IS NOT NULL GROUP BY 1, 2, 3, 4;\n")
    out += (f"INSERT INTO care_rollup_customers (day, team_id, register, rank)\n"
            f"SELECT day, team_id, h & 1023, MAX({rank_case('h', False)})\n"
            f"FROM (SELECT day, team_id, {xor('c', '(c >> 13)')} AS h FROM (SELECT day, team_id, {mulmod('b', 2246822507)} AS c FROM\n"
            f"      (SELECT day, team_id, {xor('a', '(a >> 16)')} AS b FROM (SELECT substr(opened_at, 1, 10) AS day, COALESCE(team_id, 0) AS team_id,\n"
            f"      (contact_id * 2654435761) & {M32} AS a FROM cases WHERE contact_id IS NOT NULL))))\n"
            f"GROUP BY 1, 2, 3;\n")
    return out

# PostgreSQL
def pg_counts(r, s):
    return [
        f"{s}",
        f"{s} * ({r}.first_response_at IS NOT NULL)::int",
        f"{s} * COALESCE(({r}.first_response_at <= {r}.first_response_due_at)::int, 0)",
        f"{s} * ({r}.first_response_at IS NULL OR {r}.first_response_at > {r}.first_response_due_at)::int",
        f"{s} * ({r}.resolved_at IS NOT NULL)::int",
        f"{s} * COALESCE(({r}.resolved_at <= {r}.resolution_due_at)::int, 0)",
        f"{s} * ({r}.resolved_at IS NULL OR {r}.resolved_at > {r}.resolution_due_at)::int",
        f"{s} * ({r}.status IN ({ACTIVE}))::int",
    ]

def pg_hour(r):
    return f"to_char({r}.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24')"
def pg_day(r):
    return f"to_char({r}.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
def pg_minutes(r, col):
    return f"GREATEST(CAST(FLOOR(EXTRACT(EPOCH FROM ({r}.{col} - {r}.opened_at)) / 60) AS BIGINT), 0)"

def pg_upsert(table, keys, key_values, cols, values, indent="    "):
    sets = ", ".join(f"{c} = {table}.{c} + EXCLUDED.{c}" for c in cols)
    return (f"{indent}INSERT INTO {table} ({', '.join(keys + cols)})\n"
            f"{indent}VALUES ({', '.join(key_values + values)})\n"
            f"{indent}ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets};\n")

def postgres():
    out = HEADER + "\n" + tables("BIGINT") + "\n"
    r, s = "r", "s"
    team = "COALESCE(r.team_id, 0)"
    body = pg_upsert("care_rollup_hour", ["hour", "team_id"], [pg_hour(r), team], COUNTS, pg_counts(r, s))
    body += pg_upsert("care_rollup_agent_day", ["day", "team_id", "assignee_id"], [pg_day(r), team, "COALESCE(r.assignee_id, 0)"], COUNTS, pg_counts(r, s))
    for kind, col in [(1, "first_response_at"), (2, "resolved_at")]:
        m = pg_minutes(r, col)
        body += (f"    IF r.{col} IS NOT NULL THEN\n"
                 f"        INSERT INTO care_rollup_duration (hour, team_id, kind, minutes, cases)\n"
                 f"        VALUES ({pg_hour(r)}, {team}, {kind}, {bucket(m)}, s)\n"
                 f"        ON CONFLICT (hour, team_id, kind, minutes) DO UPDATE SET cases = care_rollup_duration.cases + EXCLUDED.cases;\n"
                 f"    END IF;\n")
    body += (f"    IF s = 1 AND r.contact_id IS NOT NULL THEN\n"
             f"        h := (r.contact_id * 2654435761) & {M32};\n"
             f"        h := {xor('h', '(h >> 16)')};\n"
             f"        h := {mulmod('h', 2246822507)};\n"
             f"        h := {xor('h', '(h >> 13)')};\n"
             f"        INSERT INTO care_rollup_customers (day, team_id, register, rank)\n"
             f"        VALUES ({pg_day(r)}, {team}, h & 1023, {rank_case('h', True)})\n"
             f"        ON CONFLICT (day, team_id, register) DO UPDATE SET rank = GREATEST(care_rollup_customers.rank, EXCLUDED.rank);\n"
             f"    END IF;\n")
    out += ("CREATE FUNCTION care_rollup_add(r cases, s integer) RETURNS void LANGUAGE plpgsql AS $$\nDECLARE\n    h bigint;\nBEGIN\n"
            + body + "END;\n$$;\n\n")
    out += """CREATE FUNCTION care_rollup_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
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
"""
    cond = "\n    OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in WATCHED)
    out += f"CREATE TRIGGER cases_rollup_update AFTER UPDATE ON cases\nFOR EACH ROW WHEN ({cond})\nEXECUTE FUNCTION care_rollup_trigger();\n\n"
    out += "-- The cases already stored.\n"
    c = pg_counts("c", "1")
    sums = ", ".join(f"SUM({e})" for e in c)
    out += (f"INSERT INTO care_rollup_hour (hour, team_id, {', '.join(COUNTS)})\n"
            f"SELECT {pg_hour('c')}, COALESCE(c.team_id, 0), {sums}\nFROM cases c GROUP BY 1, 2;\n")
    out += (f"INSERT INTO care_rollup_agent_day (day, team_id, assignee_id, {', '.join(COUNTS)})\n"
            f"SELECT {pg_day('c')}, COALESCE(c.team_id, 0), COALESCE(c.assignee_id, 0), {sums}\nFROM cases c GROUP BY 1, 2, 3;\n")
    for kind, col in [(1, "first_response_at"), (2, "resolved_at")]:
        m = pg_minutes("c", col)
        out += (f"INSERT INTO care_rollup_duration (hour, team_id, kind, minutes, cases)\n"
                f"SELECT {pg_hour('c')}, COALESCE(c.team_id, 0), {kind}, {bucket(m)}, COUNT(*)\n"
                f"FROM cases c WHERE c.{col} IS NOT NULL GROUP BY 1, 2, 3, 4;\n")
    out += (f"INSERT INTO care_rollup_customers (day, team_id, register, rank)\n"
            f"SELECT day, team_id, h & 1023, MAX({rank_case('h', True)})\n"
            f"FROM (SELECT day, team_id, {xor('c', '(c >> 13)')} AS h FROM (SELECT day, team_id, {mulmod('b', 2246822507)} AS c FROM\n"
            f"      (SELECT day, team_id, {xor('a', '(a >> 16)')} AS b FROM (SELECT {pg_day('c')} AS day, COALESCE(c.team_id, 0) AS team_id,\n"
            f"      (c.contact_id * 2654435761) & {M32} AS a FROM cases c WHERE c.contact_id IS NOT NULL) AS s1) AS s2) AS s3) AS hashed\n"
            f"GROUP BY 1, 2, 3;\n")
    return out

import sys
open(sys.argv[1], "w").write(sqlite())
open(sys.argv[2], "w").write(postgres())
