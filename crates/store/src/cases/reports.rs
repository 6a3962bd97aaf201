//! The care report's aggregates (issue #7 §3): the store groups the cases of a period in
//! SQL, so only small tables cross to the service, which turns them into hours of the
//! day, days, teams and agents in the team's time zone.
//!
//! Every figure is about the cases *received* in the period (`opened_at` in `[from, to)`),
//! read through the `cases_opened_at` index.

use chrono::{DateTime, Utc};

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

fn filter_sql(filter: &CareReportFilter) -> (String, Vec<Param<'static>>) {
    let mut sql = String::from("opened_at >= ?1 AND opened_at < ?2");
    let mut params = vec![Param::Time(filter.from), Param::Time(filter.to)];
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

pub(crate) fn care_report_counts(db: &mut dyn Db, filter: &CareReportFilter, grouping: CareGrouping) -> Result<Vec<CareHourCounts>> {
    let hour = db.utc_hour_of("opened_at");
    let (where_sql, mut params) = filter_sql(filter);
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
         FROM cases WHERE {where_sql} GROUP BY {group} ORDER BY {group}"
    );
    db.query(&sql, &params)?
        .iter()
        .map(|row| {
            let hour = match row.opt_text(0)? {
                Some(text) => chrono::NaiveDateTime::parse_from_str(&format!("{text}:00"), "%Y-%m-%dT%H:%M")
                    .map_err(|error| crate::StoreError::Corrupt(format!("case hour {text:?}: {error}")))?
                    .and_utc(),
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

pub(crate) fn care_report_durations(db: &mut dyn Db, filter: &CareReportFilter, which: CareDuration) -> Result<Vec<(u64, u64)>> {
    let end = match which {
        CareDuration::FirstResponse => "first_response_at",
        CareDuration::Resolution => "resolved_at",
    };
    let minutes = db.minutes_between(end, "opened_at");
    let (where_sql, params) = filter_sql(filter);
    let sql = format!(
        "SELECT {minutes} AS minutes, COUNT(*) FROM cases WHERE {where_sql} AND {end} IS NOT NULL GROUP BY minutes ORDER BY minutes"
    );
    db.query(&sql, &params)?
        .iter()
        .map(|row| Ok((row.opt_int(0)?.unwrap_or(0).max(0) as u64, count(row.opt_int(1)?))))
        .collect()
}

pub(crate) fn care_report_customers(db: &mut dyn Db, filter: &CareReportFilter) -> Result<u64> {
    let (where_sql, params) = filter_sql(filter);
    let sql = format!("SELECT COUNT(DISTINCT contact_id) FROM cases WHERE {where_sql}");
    Ok(db.query_opt(&sql, &params)?.map(|row| row.opt_int(0)).transpose()?.flatten().map_or(0, |value| count(Some(value))))
}
