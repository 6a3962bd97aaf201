//! New cases' share of the care report's roll-ups (migration 0015), added once per batch.
//!
//! Triggers keep the roll-ups on updates and deletes; inserts come in batches (the intake's
//! cases of a batch of mentions, a bulk load) whose cases fall in very few hours, days and
//! teams, so the store adds them here, in the same transaction: a handful of upserts per
//! batch instead of two to four per case, which the ingestion floor could not afford. The
//! arithmetic is the triggers' own (`tools/care_rollups_sql.py`), so an update later takes
//! back exactly what was added here.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::rows::ACTIVE_STATUSES;
use crate::sql::{Db, Param};
use crate::Result;

/// What the roll-ups need of a new case.
pub(crate) struct NewCaseFacts<'a> {
    pub opened_at: DateTime<Utc>,
    pub team_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub status: &'a str,
    pub first_response_at: Option<DateTime<Utc>>,
    pub first_response_due_at: DateTime<Utc>,
    pub resolution_due_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

const COUNTS: [&str; 8] = ["received", "responded", "fr_met", "fr_missed", "resolved", "res_met", "res_missed", "active"];

/// One contact in 16 is in the customer sample (the triggers' `sampled` condition).
pub const CUSTOMER_SAMPLE_ONE_IN: u64 = 16;

pub fn in_customer_sample(contact_id: i64) -> bool {
    ((contact_id as u64).wrapping_mul(2_654_435_761) & 0xFFFF_FFFF) < (1 << 32) / CUSTOMER_SAMPLE_ONE_IN
}

/// Whole minutes from `start` to `end`, as the triggers and `Db::minutes_between` count
/// them (whole seconds subtracted, then divided), at least 0.
pub(crate) fn minutes_between(end: DateTime<Utc>, start: DateTime<Utc>) -> u64 {
    ((end.timestamp() - start.timestamp()) / 60).max(0) as u64
}

fn counts(case: &NewCaseFacts<'_>) -> [i64; 8] {
    let responded = case.first_response_at;
    [
        1,
        i64::from(responded.is_some()),
        i64::from(responded.is_some_and(|at| at <= case.first_response_due_at)),
        i64::from(responded.is_none_or(|at| at > case.first_response_due_at)),
        i64::from(case.resolved_at.is_some()),
        i64::from(case.resolved_at.is_some_and(|at| at <= case.resolution_due_at)),
        i64::from(case.resolved_at.is_none_or(|at| at > case.resolution_due_at)),
        i64::from(ACTIVE_STATUSES.contains(&case.status)),
    ]
}

fn add(into: &mut [i64; 8], from: [i64; 8]) {
    for (total, value) in into.iter_mut().zip(from) {
        *total += value;
    }
}

pub(crate) fn add_new_cases<'a>(db: &mut dyn Db, cases: impl IntoIterator<Item = NewCaseFacts<'a>>) -> Result<()> {
    let mut hours: BTreeMap<(String, i64), [i64; 8]> = BTreeMap::new();
    let mut days: BTreeMap<(String, i64, i64), [i64; 8]> = BTreeMap::new();
    let mut durations: BTreeMap<(String, i64, i64, u64), i64> = BTreeMap::new();
    let mut sample: BTreeSet<(String, i64, i64)> = BTreeSet::new();
    for case in cases {
        let hour = case.opened_at.format("%Y-%m-%dT%H").to_string();
        let day = hour[..10].to_string();
        let team = case.team_id.unwrap_or(0);
        let row = counts(&case);
        add(hours.entry((hour.clone(), team)).or_default(), row);
        add(days.entry((day.clone(), team, case.assignee_id.unwrap_or(0))).or_default(), row);
        for (kind, end) in [(1, case.first_response_at), (2, case.resolved_at)] {
            if let Some(end) = end {
                let minutes = super::reports::duration_step_floor(minutes_between(end, case.opened_at));
                *durations.entry((hour.clone(), team, kind, minutes)).or_default() += 1;
            }
        }
        if let Some(contact) = case.contact_id.filter(|contact| in_customer_sample(*contact)) {
            sample.insert((day, team, contact));
        }
    }
    let sets = |table: &str| COUNTS.map(|column| format!("{column} = {table}.{column} + excluded.{column}")).join(", ");
    let values = |first: usize| (first..first + COUNTS.len()).map(|n| format!("?{n}")).collect::<Vec<_>>().join(", ");
    let hour_sql = format!(
        "INSERT INTO care_rollup_hour (hour, team_id, {}) VALUES (?1, ?2, {}) ON CONFLICT (hour, team_id) DO UPDATE SET {}",
        COUNTS.join(", "),
        values(3),
        sets("care_rollup_hour")
    );
    for ((hour, team), row) in &hours {
        let mut params = vec![Param::Text(hour), Param::Int(*team)];
        params.extend(row.iter().map(|value| Param::Int(*value)));
        db.execute(&hour_sql, &params)?;
    }
    let day_sql = format!(
        "INSERT INTO care_rollup_agent_day (day, team_id, assignee_id, {}) VALUES (?1, ?2, ?3, {}) \
         ON CONFLICT (day, team_id, assignee_id) DO UPDATE SET {}",
        COUNTS.join(", "),
        values(4),
        sets("care_rollup_agent_day")
    );
    for ((day, team, assignee), row) in &days {
        let mut params = vec![Param::Text(day), Param::Int(*team), Param::Int(*assignee)];
        params.extend(row.iter().map(|value| Param::Int(*value)));
        db.execute(&day_sql, &params)?;
    }
    for ((hour, team, kind, minutes), cases) in &durations {
        db.execute(
            "INSERT INTO care_rollup_duration (hour, team_id, kind, minutes, cases) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (hour, team_id, kind, minutes) DO UPDATE SET cases = care_rollup_duration.cases + excluded.cases",
            &[Param::Text(hour), Param::Int(*team), Param::Int(*kind), Param::Int(*minutes as i64), Param::Int(*cases)],
        )?;
    }
    for (day, team, contact) in &sample {
        db.execute(
            "INSERT INTO care_rollup_customer_sample (day, team_id, contact_id) VALUES (?1, ?2, ?3) \
             ON CONFLICT (day, team_id, contact_id) DO NOTHING",
            &[Param::Text(day), Param::Int(*team), Param::Int(*contact)],
        )?;
    }
    Ok(())
}
