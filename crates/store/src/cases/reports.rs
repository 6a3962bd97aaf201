//! The care report's aggregates (issue #7 §3): the store groups the cases of a period in
//! SQL, so only small tables cross to the service, which turns them into hours of the
//! day, days, teams and agents in the team's time zone.
//!
//! Every figure is about the cases *received* in the period (`opened_at` in `[from, to)`).
//! The whole hours and days of a period are read from the roll-ups of migration 0015 (new
//! cases added by the store per batch, `rollup.rs`; updates and deletes followed by
//! triggers on `cases`), the partial hours at its edges from the cases themselves, so a
//! report over a million cases reads a few thousand rows.

use chrono::{DateTime, Duration, Utc};

use crate::sql::{Db, Param};
use crate::Result;

/// Which cases a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CareReportFilter {
    /// Received at or after.
    pub from: DateTime<Utc>,
    /// Received before.
    pub to: DateTime<Utc>,
    pub team_id: Option<i64>,
    pub assignee_id: Option<i64>,
    /// "Now": a due time before it with no answer counts as breached.
    pub now: DateTime<Utc>,
}

/// The counts of one group of the period's cases (see [`CareGrouping`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CareHourCounts {
    /// The UTC hour the cases were received in.
    pub hour: DateTime<Utc>,
    pub team_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub received: u64,
    pub first_responded: u64,
    /// Answered at or before the first-response due time.
    pub first_response_met: u64,
    /// Answered late, or not answered and already due.
    pub first_response_breached: u64,
    pub resolved: u64,
    pub resolution_met: u64,
    pub resolution_breached: u64,
    /// Still active now (new, open, pending the customer, on hold).
    pub backlog: u64,
}

/// Which time a distribution measures from the case's reception.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CareDuration {
    FirstResponse,
    Resolution,
}

/// The statuses of an active case (the backlog).
const ACTIVE_STATUSES_SQL: &str = "'new', 'open', 'pending_customer', 'on_hold'";

/// The cases of `filter` received in `[from, to)`, as SQL and parameters.
fn filter_sql(filter: &CareReportFilter, from: DateTime<Utc>, to: DateTime<Utc>) -> (String, Vec<Param<'static>>) {
    let mut sql = String::from("opened_at >= ?1 AND opened_at < ?2");
    let mut params = vec![Param::Time(from), Param::Time(to)];
    if let Some(team) = filter.team_id {
        params.push(Param::Int(team));
        sql.push_str(&format!(" AND team_id = ?{}", params.len()));
    }
    if let Some(assignee) = filter.assignee_id {
        params.push(Param::Int(assignee));
        sql.push_str(&format!(" AND assignee_id = ?{}", params.len()));
    }
    (sql, params)
}

fn count(value: Option<i64>) -> u64 {
    value.unwrap_or(0).max(0) as u64
}

/// How [`care_report_counts`] groups the period's cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CareGrouping {
    /// Per UTC hour of reception and team (`assignee_id` is `None`).
    HourAndTeam,
    /// Per assignee (`hour` is the period's start, `team_id` is `None`).
    Agent,
}

/// The first whole hour (or day) at or after `at`, and the last one at or before it.
fn ceil_to(at: DateTime<Utc>, step: Duration) -> DateTime<Utc> {
    let floor = floor_to(at, step);
    if floor == at { floor } else { floor + step }
}

fn floor_to(at: DateTime<Utc>, step: Duration) -> DateTime<Utc> {
    let seconds = step.num_seconds();
    let timestamp = at.timestamp();
    DateTime::from_timestamp(timestamp - timestamp.rem_euclid(seconds), 0).unwrap_or(at)
}

/// The roll-ups' text keys (`2026-11-29T09`, `2026-11-29`), the same on both backends.
fn hour_key(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H").to_string()
}

fn day_key(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

fn parse_hour(text: &str) -> Result<DateTime<Utc>> {
    chrono::NaiveDateTime::parse_from_str(&format!("{text}:00"), "%Y-%m-%dT%H:%M")
        .map(|hour| hour.and_utc())
        .map_err(|error| crate::StoreError::Corrupt(format!("case hour {text:?}: {error}")))
}

/// The whole hours (or days) of a period, if it holds any: the roll-ups answer for them,
/// the cases themselves for the edges before and after.
fn whole_part(filter: &CareReportFilter, step: Duration) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    // One agent's cases are few and read through `(assignee_id, opened_at)`.
    if filter.assignee_id.is_some() {
        return None;
    }
    let (start, end) = (ceil_to(filter.from, step), floor_to(filter.to, step));
    (start < end).then_some((start, end))
}

/// A period split into the edge parts read from the cases and the whole part read from a
/// roll-up.
fn live_parts(filter: &CareReportFilter, whole: Option<(DateTime<Utc>, DateTime<Utc>)>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    match whole {
        None => vec![(filter.from, filter.to)],
        Some((start, end)) => [(filter.from, start), (end, filter.to)].into_iter().filter(|(from, to)| from < to).collect(),
    }
}

/// The counts straight from the cases of `[from, to)`.
fn live_counts(
    db: &mut dyn Db,
    filter: &CareReportFilter,
    grouping: CareGrouping,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<CareHourCounts>> {
    let hour = db.utc_hour_of("opened_at");
    let (where_sql, mut params) = filter_sql(filter, from, to);
    params.push(Param::Time(filter.now));
    let now = params.len();
    let (keys, group) = match grouping {
        CareGrouping::HourAndTeam => (format!("{hour} AS hour, team_id, NULL"), "hour, team_id"),
        CareGrouping::Agent => ("NULL, NULL, assignee_id".to_string(), "assignee_id"),
    };
    // Timestamps compare correctly on both backends (SQLite keeps one fixed-width UTC
    // format). An unanswered case is breached once "now" is past its due time.
    let sql = format!(
        "SELECT {keys}, COUNT(*), COUNT(first_response_at), \
         SUM(CASE WHEN first_response_at <= first_response_due_at THEN 1 ELSE 0 END), \
         SUM(CASE WHEN COALESCE(first_response_at, ?{now}) > first_response_due_at THEN 1 ELSE 0 END), \
         COUNT(resolved_at), \
         SUM(CASE WHEN resolved_at <= resolution_due_at THEN 1 ELSE 0 END), \
         SUM(CASE WHEN COALESCE(resolved_at, ?{now}) > resolution_due_at THEN 1 ELSE 0 END), \
         SUM(CASE WHEN status IN ({ACTIVE_STATUSES_SQL}) THEN 1 ELSE 0 END) \
         FROM cases WHERE {where_sql} GROUP BY {group}"
    );
    db.query(&sql, &params)?
        .iter()
        .map(|row| {
            let hour = match row.opt_text(0)? {
                Some(text) => parse_hour(&text)?,
                None => filter.from,
            };
            Ok(CareHourCounts {
                hour,
                team_id: row.opt_int(1)?,
                assignee_id: row.opt_int(2)?,
                received: count(row.opt_int(3)?),
                first_responded: count(row.opt_int(4)?),
                first_response_met: count(row.opt_int(5)?),
                first_response_breached: count(row.opt_int(6)?),
                resolved: count(row.opt_int(7)?),
                resolution_met: count(row.opt_int(8)?),
                resolution_breached: count(row.opt_int(9)?),
                backlog: count(row.opt_int(10)?),
            })
        })
        .collect()
}

/// The roll-up's rows of the whole part, with the cases not answered (or resolved) in time
/// *so far* as "breached": [`not_yet_due`] takes back those whose due time is still ahead.
fn rollup_counts(
    db: &mut dyn Db,
    filter: &CareReportFilter,
    grouping: CareGrouping,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<CareHourCounts>> {
    let (keys, table, group) = match grouping {
        CareGrouping::HourAndTeam => ("hour, team_id", "care_rollup_hour", "hour, team_id"),
        CareGrouping::Agent => ("NULL, assignee_id", "care_rollup_agent_day", "assignee_id"),
    };
    let key = match grouping {
        CareGrouping::HourAndTeam => "hour",
        CareGrouping::Agent => "day",
    };
    let (start_key, end_key) = match grouping {
        CareGrouping::HourAndTeam => (hour_key(start), hour_key(end)),
        CareGrouping::Agent => (day_key(start), day_key(end)),
    };
    let mut params = vec![Param::Text(&start_key), Param::Text(&end_key)];
    let mut sql = format!(
        "SELECT {keys}, {} FROM {table} WHERE {key} >= ?1 AND {key} < ?2",
        // SUM of a BIGINT is a NUMERIC on PostgreSQL.
        ["received", "responded", "fr_met", "fr_missed", "resolved", "res_met", "res_missed", "active"]
            .map(|column| format!("CAST(SUM({column}) AS BIGINT)"))
            .join(", ")
    );
    if let Some(team) = filter.team_id {
        params.push(Param::Int(team));
        sql.push_str(&format!(" AND team_id = ?{}", params.len()));
    }
    sql.push_str(&format!(" GROUP BY {group}"));
    let rows = db.query(&sql, &params)?;
    let mut counts = Vec::with_capacity(rows.len());
    for row in rows.iter() {
        let received = count(row.opt_int(2)?);
        if received == 0 {
            continue;
        }
        let (hour, team_id, assignee_id) = match grouping {
            CareGrouping::HourAndTeam => (parse_hour(&row.text(0)?)?, row.opt_int(1)?.filter(|id| *id != 0), None),
            CareGrouping::Agent => (filter.from, None, row.opt_int(1)?.filter(|id| *id != 0)),
        };
        counts.push(CareHourCounts {
            hour,
            team_id,
            assignee_id,
            received,
            first_responded: count(row.opt_int(3)?),
            first_response_met: count(row.opt_int(4)?),
            first_response_breached: count(row.opt_int(5)?),
            resolved: count(row.opt_int(6)?),
            resolution_met: count(row.opt_int(7)?),
            resolution_breached: count(row.opt_int(8)?),
            backlog: count(row.opt_int(9)?),
        });
    }
    for which in [CareDuration::FirstResponse, CareDuration::Resolution] {
        for (group, cases) in not_yet_due(db, filter, grouping, (start, end), which)? {
            if let Some(row) = counts.iter_mut().find(|row| group_of(row, grouping) == group) {
                let breached = match which {
                    CareDuration::FirstResponse => &mut row.first_response_breached,
                    CareDuration::Resolution => &mut row.resolution_breached,
                };
                *breached = breached.saturating_sub(cases);
            }
        }
    }
    Ok(counts)
}

/// The key a row is merged on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum GroupKey {
    HourAndTeam(DateTime<Utc>, Option<i64>),
    Agent(Option<i64>),
}

fn group_of(row: &CareHourCounts, grouping: CareGrouping) -> GroupKey {
    match grouping {
        CareGrouping::HourAndTeam => GroupKey::HourAndTeam(row.hour, row.team_id),
        CareGrouping::Agent => GroupKey::Agent(row.assignee_id),
    }
}

/// The cases of the whole part not answered (or resolved) yet whose due time is still
/// ahead, per group: read through the partial due-time indexes, so only the few cases of
/// the last hours (or days) are visited.
fn not_yet_due(
    db: &mut dyn Db,
    filter: &CareReportFilter,
    grouping: CareGrouping,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    which: CareDuration,
) -> Result<Vec<(GroupKey, u64)>> {
    // The partial indexes of migration 0013 hold only the cases not answered (resolved).
    let (done, due, index) = match which {
        CareDuration::FirstResponse => ("first_response_at", "first_response_due_at", "cases_first_response_due"),
        CareDuration::Resolution => ("resolved_at", "resolution_due_at", "cases_resolution_due"),
    };
    let hint = db.indexed_by(index);
    let hour = db.utc_hour_of("opened_at");
    let (keys, group) = match grouping {
        CareGrouping::HourAndTeam => (format!("{hour} AS hour, team_id"), "hour, team_id"),
        CareGrouping::Agent => ("NULL, assignee_id".to_string(), "assignee_id"),
    };
    let (where_sql, mut params) = filter_sql(filter, start, end);
    params.push(Param::Time(filter.now));
    let sql = format!(
        "SELECT {keys}, COUNT(*) FROM cases{hint} WHERE {done} IS NULL AND {due} >= ?{} AND {where_sql} GROUP BY {group}",
        params.len()
    );
    db.query(&sql, &params)?
        .iter()
        .map(|row| {
            let key = match grouping {
                CareGrouping::HourAndTeam => GroupKey::HourAndTeam(parse_hour(&row.text(0)?)?, row.opt_int(1)?),
                CareGrouping::Agent => GroupKey::Agent(row.opt_int(1)?),
            };
            Ok((key, count(row.opt_int(2)?)))
        })
        .collect()
}

/// The period's counts per group. The whole hours (days, for agents) come from the
/// roll-ups of migration 0015 (see the module's documentation); the edges of the period and
/// one agent's cases are counted from the cases.
pub(crate) fn care_report_counts(db: &mut dyn Db, filter: &CareReportFilter, grouping: CareGrouping) -> Result<Vec<CareHourCounts>> {
    let step = match grouping {
        CareGrouping::HourAndTeam => Duration::hours(1),
        CareGrouping::Agent => Duration::days(1),
    };
    let whole = whole_part(filter, step);
    let mut rows = match whole {
        Some(whole) => rollup_counts(db, filter, grouping, whole)?,
        None => Vec::new(),
    };
    for (from, to) in live_parts(filter, whole) {
        rows.extend(live_counts(db, filter, grouping, from, to)?);
    }
    // Merge the groups split between the parts (an agent's cases of the edges and of the
    // whole days), in a stable order.
    let mut merged: std::collections::BTreeMap<GroupKey, CareHourCounts> = std::collections::BTreeMap::new();
    for row in rows {
        let entry = merged.entry(group_of(&row, grouping)).or_insert_with(|| CareHourCounts {
            hour: row.hour,
            team_id: row.team_id,
            assignee_id: row.assignee_id,
            ..CareHourCounts::default()
        });
        entry.received += row.received;
        entry.first_responded += row.first_responded;
        entry.first_response_met += row.first_response_met;
        entry.first_response_breached += row.first_response_breached;
        entry.resolved += row.resolved;
        entry.resolution_met += row.resolution_met;
        entry.resolution_breached += row.resolution_breached;
        entry.backlog += row.backlog;
    }
    Ok(merged.into_values().collect())
}

/// The precision a duration is kept at: to the minute under two hours, 5 minutes under a
/// day, the hour under a week, the day beyond (the report's histogram edges all fall on
/// these steps, so its bins are exact; a median or p90 is rounded down to its step).
pub fn duration_step_floor(minutes: u64) -> u64 {
    match minutes {
        0..120 => minutes,
        120..1440 => minutes - minutes % 5,
        1440..10080 => minutes - minutes % 60,
        _ => minutes - minutes % 1440,
    }
}

/// `(minutes, cases)` of the period's answered (or resolved) cases, minutes at the
/// precision of [`duration_step_floor`], sorted.
pub(crate) fn care_report_durations(db: &mut dyn Db, filter: &CareReportFilter, which: CareDuration) -> Result<Vec<(u64, u64)>> {
    let mut counts: std::collections::BTreeMap<u64, u64> = std::collections::BTreeMap::new();
    let whole = whole_part(filter, Duration::hours(1));
    if let Some((start, end)) = whole {
        let kind = match which {
            CareDuration::FirstResponse => 1,
            CareDuration::Resolution => 2,
        };
        let (start_key, end_key) = (hour_key(start), hour_key(end));
        let mut params = vec![Param::Int(kind), Param::Text(&start_key), Param::Text(&end_key)];
        let mut sql = String::from("SELECT minutes, CAST(SUM(cases) AS BIGINT) FROM care_rollup_duration WHERE kind = ?1 AND hour >= ?2 AND hour < ?3");
        if let Some(team) = filter.team_id {
            params.push(Param::Int(team));
            sql.push_str(&format!(" AND team_id = ?{}", params.len()));
        }
        sql.push_str(" GROUP BY minutes");
        for row in db.query(&sql, &params)?.iter() {
            *counts.entry(duration_step_floor(count(row.opt_int(0)?))).or_default() += count(row.opt_int(1)?);
        }
    }
    let end = match which {
        CareDuration::FirstResponse => "first_response_at",
        CareDuration::Resolution => "resolved_at",
    };
    let minutes = db.minutes_between(end, "opened_at");
    for (from, to) in live_parts(filter, whole) {
        let (where_sql, params) = filter_sql(filter, from, to);
        let sql = format!("SELECT {minutes} AS minutes, COUNT(*) FROM cases WHERE {where_sql} AND {end} IS NOT NULL GROUP BY minutes");
        for row in db.query(&sql, &params)?.iter() {
            *counts.entry(duration_step_floor(count(row.opt_int(0)?))).or_default() += count(row.opt_int(1)?);
        }
    }
    Ok(counts.into_iter().filter(|(_, cases)| *cases > 0).collect())
}

/// Distinct contacts among a period's cases, and whether that is an estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomersServed {
    pub count: u64,
    /// `true` when estimated from the customer sample (periods of more than
    /// [`EXACT_CUSTOMERS_UP_TO`] cases): sixteen times the sampled contacts seen.
    pub estimated: bool,
}

/// Up to this many cases received, customers are counted exactly (one pass over the
/// period's cases); beyond, estimated from the sample of migration 0015.
pub const EXACT_CUSTOMERS_UP_TO: u64 = 100_000;

pub(crate) fn care_report_customers(db: &mut dyn Db, filter: &CareReportFilter, received: u64) -> Result<CustomersServed> {
    use super::rollup::{in_customer_sample, CUSTOMER_SAMPLE_ONE_IN};
    let whole = whole_part(filter, Duration::days(1)).filter(|_| received > EXACT_CUSTOMERS_UP_TO);
    let Some((start, end)) = whole else {
        let (where_sql, params) = filter_sql(filter, filter.from, filter.to);
        let sql = format!("SELECT COUNT(DISTINCT contact_id) FROM cases WHERE {where_sql}");
        let count = db.query_opt(&sql, &params)?.map(|row| row.opt_int(0)).transpose()?.flatten().map_or(0, |value| count(Some(value)));
        return Ok(CustomersServed { count, estimated: false });
    };
    let mut seen = std::collections::HashSet::new();
    let (start_key, end_key) = (day_key(start), day_key(end));
    let mut params = vec![Param::Text(&start_key), Param::Text(&end_key)];
    let mut sql = String::from("SELECT DISTINCT contact_id FROM care_rollup_customer_sample WHERE day >= ?1 AND day < ?2");
    if let Some(team) = filter.team_id {
        params.push(Param::Int(team));
        sql.push_str(&format!(" AND team_id = ?{}", params.len()));
    }
    for row in db.query(&sql, &params)?.iter() {
        seen.insert(row.int(0)?);
    }
    for (from, to) in live_parts(filter, whole) {
        let (where_sql, params) = filter_sql(filter, from, to);
        let sql = format!("SELECT DISTINCT contact_id FROM cases WHERE {where_sql} AND contact_id IS NOT NULL");
        for row in db.query(&sql, &params)?.iter() {
            if let Some(contact) = row.opt_int(0)?.filter(|contact| in_customer_sample(*contact)) {
                seen.insert(contact);
            }
        }
    }
    Ok(CustomersServed { count: seen.len() as u64 * CUSTOMER_SAMPLE_ONE_IN, estimated: true })
}

#[cfg(test)]
mod tests {
    use super::super::rollup::{in_customer_sample, CUSTOMER_SAMPLE_ONE_IN};

    #[test]
    fn the_customer_sample_holds_about_one_contact_in_sixteen() {
        // Sequential ids, as contacts get them, and a run far from the start.
        for (first, n) in [(1i64, 100_000u64), (5_000_000, 200_000)] {
            let sampled = (first..first + n as i64).filter(|id| in_customer_sample(*id)).count() as u64;
            let estimate = sampled * CUSTOMER_SAMPLE_ONE_IN;
            let error = estimate.abs_diff(n) as f64 / n as f64;
            assert!(error < 0.02, "{n} contacts from {first}: estimated {estimate}");
        }
        // Matches the triggers' SQL: ((id * 2654435761) & 4294967295) < 268435456.
        assert!(in_customer_sample(0));
        assert_eq!(in_customer_sample(7), (7u64 * 2_654_435_761 & 0xFFFF_FFFF) < 268_435_456);
    }
}
