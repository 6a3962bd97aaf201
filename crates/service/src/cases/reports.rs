//! The care report (issue #7 §3): for the cases received in a period, first response and
//! resolution times as distributions (median, p90, histogram), SLA compliance by hour of
//! the day, day, team and agent, the backlog and the part of it received outside business
//! hours, customers served and CSAT; and each table as CSV.
//!
//! The store groups the period's cases per UTC hour and team, and per agent, in SQL (and
//! counts durations per whole minute); this module turns those rows into the report in the time
//! zone of the team's calendar (the default calendar without a team).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};
use serde::{Deserialize, Serialize};
use store::{CareDuration, CareGrouping, CareHourCounts, CareReportFilter};

use super::CsatReport;
use crate::{App, ServiceError};

/// The longest period a report covers.
pub const MAX_REPORT_DAYS: i64 = 92;
/// The period without `from`: the last seven days.
const DEFAULT_REPORT_DAYS: i64 = 7;
/// Histogram edges in minutes; the last bin is open-ended.
const HISTOGRAM_EDGES: [u64; 11] = [0, 5, 15, 30, 60, 120, 240, 480, 1440, 2880, 10080];
/// The tables a report exports as CSV.
pub const CARE_REPORT_TABLES: [&str; 6] = ["by_hour", "by_day", "by_team", "by_agent", "first_response_time", "resolution_time"];

/// `GET /api/v1/reports/care?from=&to=&team=&agent=`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CareReportQuery {
    /// A day (`2026-11-01`, from its midnight in the report's time zone) or an RFC 3339
    /// instant; default: seven days before `to`.
    pub from: Option<String>,
    /// A day (up to the end of that day) or an RFC 3339 instant (excluded); default: now.
    pub to: Option<String>,
    pub team: Option<i64>,
    pub agent: Option<i64>,
}

/// Met and breached due times, and the share met among those decided.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Compliance {
    pub met: u64,
    pub breached: u64,
    /// `met / (met + breached)`; `None` when nothing is decided yet.
    pub rate: Option<f64>,
}

impl Compliance {
    fn new(met: u64, breached: u64) -> Compliance {
        let decided = met + breached;
        let rate = (decided > 0).then(|| ((met as f64 / decided as f64) * 10_000.0).round() / 10_000.0);
        Compliance { met, breached, rate }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CareTotals {
    pub received: u64,
    /// Distinct contacts among the cases received.
    pub customers_served: u64,
    /// `true` when the period holds more than 100,000 cases: then `customers_served` is a
    /// estimate from a sample of one contact in sixteen, not an exact count.
    pub customers_served_estimated: bool,
    pub first_responded: u64,
    pub resolved: u64,
    /// Cases received in the period and still active (new, open, pending, on hold).
    pub backlog: u64,
    /// Those of them received while the team's calendar was closed.
    pub out_of_hours_backlog: u64,
    pub first_response: Compliance,
    pub resolution: Compliance,
}

/// One bin of a duration histogram: `[low, high)` minutes (`high` is `None` for the last).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DurationBin {
    pub low_minutes: u64,
    pub high_minutes: Option<u64>,
    pub cases: u64,
}

/// A distribution of times from reception, in whole minutes.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DurationStats {
    pub cases: u64,
    pub median_minutes: Option<u64>,
    pub p90_minutes: Option<u64>,
    pub histogram: Vec<DurationBin>,
}

/// One line of a breakdown (an hour of the day, a day, a team, an agent).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReportLine {
    /// `00`…`23`, `2026-11-28`, a team or user id (empty: none).
    pub key: String,
    /// A team's or agent's name; `None` for hours, days and "no team / unassigned".
    pub name: Option<String>,
    pub received: u64,
    pub first_response: Compliance,
    pub resolution: Compliance,
    pub backlog: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CareReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub time_zone: String,
    pub team: Option<i64>,
    pub agent: Option<i64>,
    pub generated_at: DateTime<Utc>,
    pub totals: CareTotals,
    pub first_response_time: DurationStats,
    pub resolution_time: DurationStats,
    /// 24 lines, local hours of reception.
    pub by_hour: Vec<ReportLine>,
    /// Every local day of the period.
    pub by_day: Vec<ReportLine>,
    pub by_team: Vec<ReportLine>,
    pub by_agent: Vec<ReportLine>,
    /// The surveys answered in the period (of the team or agent asked for).
    pub csat: CsatReport,
}

#[derive(Default, Clone, Copy)]
struct Sums {
    received: u64,
    responded: u64,
    response_met: u64,
    response_breached: u64,
    resolved: u64,
    resolution_met: u64,
    resolution_breached: u64,
    backlog: u64,
}

impl Sums {
    fn add(&mut self, row: &CareHourCounts) {
        self.received += row.received;
        self.responded += row.first_responded;
        self.response_met += row.first_response_met;
        self.response_breached += row.first_response_breached;
        self.resolved += row.resolved;
        self.resolution_met += row.resolution_met;
        self.resolution_breached += row.resolution_breached;
        self.backlog += row.backlog;
    }

    fn line(&self, key: String, name: Option<String>) -> ReportLine {
        ReportLine {
            key,
            name,
            received: self.received,
            first_response: Compliance::new(self.response_met, self.response_breached),
            resolution: Compliance::new(self.resolution_met, self.resolution_breached),
            backlog: self.backlog,
        }
    }
}

/// A period bound: a day in `tz` (its midnight; `end_of_day` moves to the next one) or an
/// RFC 3339 instant.
fn parse_bound<Z: TimeZone>(text: &str, tz: &Z, end_of_day: bool, name: &str) -> Result<DateTime<Utc>, ServiceError> {
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Ok(instant.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| ServiceError::Invalid(format!("{name} must be a day (2026-11-28) or an RFC 3339 instant")))?;
    let day = if end_of_day { day.succ_opt().unwrap_or(day) } else { day };
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&midnight)
        .earliest()
        .map(|local| local.with_timezone(&Utc))
        .ok_or_else(|| ServiceError::Invalid(format!("{name}: that day has no midnight in the report's time zone")))
}

/// The nearest-rank percentile of `(minutes, cases)` counts sorted by minutes.
fn percentile(counts: &[(u64, u64)], total: u64, share: f64) -> Option<u64> {
    if total == 0 {
        return None;
    }
    let rank = ((share * total as f64).ceil() as u64).clamp(1, total);
    let mut seen = 0;
    counts.iter().find(|(_, cases)| {
        seen += cases;
        seen >= rank
    }).map(|(minutes, _)| *minutes)
}

fn duration_stats(counts: &[(u64, u64)]) -> DurationStats {
    let cases: u64 = counts.iter().map(|(_, cases)| cases).sum();
    let histogram = HISTOGRAM_EDGES
        .iter()
        .enumerate()
        .map(|(index, low)| {
            let high = HISTOGRAM_EDGES.get(index + 1).copied();
            let in_bin = counts.iter().filter(|(minutes, _)| minutes >= low && high.is_none_or(|high| *minutes < high)).map(|(_, n)| n).sum();
            DurationBin { low_minutes: *low, high_minutes: high, cases: in_bin }
        })
        .collect();
    DurationStats { cases, median_minutes: percentile(counts, cases, 0.5), p90_minutes: percentile(counts, cases, 0.9), histogram }
}

impl App {
    /// The care report of a period, from now.
    pub fn care_report_now(&self, query: &CareReportQuery) -> Result<CareReport, ServiceError> {
        self.care_report(query, Utc::now())
    }

    pub fn care_report(&self, query: &CareReportQuery, now: DateTime<Utc>) -> Result<CareReport, ServiceError> {
        let settings = self.care_settings().get();
        let teams = self.store().list_teams()?;
        if let Some(team) = query.team
            && !teams.iter().any(|known| known.id.0 == team)
        {
            return Err(ServiceError::NotFound(format!("team {team}")));
        }
        let users = self.store().list_users()?;
        if let Some(agent) = query.agent
            && !users.iter().any(|user| user.id.0 == agent)
        {
            return Err(ServiceError::NotFound(format!("agent {agent}")));
        }
        let tz = settings.policy(query.team).1.time_zone();
        let to = match query.to.as_deref().filter(|text| !text.is_empty()) {
            Some(text) => parse_bound(text, &tz, true, "to")?,
            None => now,
        };
        let from = match query.from.as_deref().filter(|text| !text.is_empty()) {
            Some(text) => parse_bound(text, &tz, false, "from")?,
            None => to - Duration::days(DEFAULT_REPORT_DAYS),
        };
        if from >= to {
            return Err(ServiceError::Invalid("from must be before to".into()));
        }
        if to - from > Duration::days(MAX_REPORT_DAYS) {
            return Err(ServiceError::Invalid(format!("a report covers at most {MAX_REPORT_DAYS} days")));
        }
        let filter = CareReportFilter { from, to, team_id: query.team, assignee_id: query.agent, now };
        let store = self.store();
        let hours = store.care_report_counts(&filter, CareGrouping::HourAndTeam)?;
        let agents = store.care_report_counts(&filter, CareGrouping::Agent)?;
        let first_response_counts = store.care_report_durations(&filter, CareDuration::FirstResponse)?;
        let resolution_counts = store.care_report_durations(&filter, CareDuration::Resolution)?;

        let mut total = Sums::default();
        let mut by_hour = [Sums::default(); 24];
        let mut by_day: BTreeMap<NaiveDate, Sums> = BTreeMap::new();
        let mut by_team: BTreeMap<Option<i64>, Sums> = BTreeMap::new();
        let mut out_of_hours_backlog = 0;
        let mut day = from.with_timezone(&tz).date_naive();
        let last_day = (to - Duration::seconds(1)).with_timezone(&tz).date_naive();
        while day <= last_day {
            by_day.insert(day, Sums::default());
            day = match day.succ_opt() {
                Some(next) => next,
                None => break,
            };
        }
        for row in &hours {
            let local = row.hour.with_timezone(&tz);
            total.add(row);
            by_hour[local.hour() as usize].add(row);
            by_day.entry(local.date_naive()).or_default().add(row);
            by_team.entry(row.team_id).or_default().add(row);
            // Judged at the hour's start: calendars open and close on the hour.
            if row.backlog > 0 && !settings.policy(row.team_id).1.is_open(row.hour) {
                out_of_hours_backlog += row.backlog;
            }
        }
        let customers = store.care_report_customers(&filter, total.received)?;
        let team_name = |id: i64| teams.iter().find(|team| team.id.0 == id).map(|team| team.name.clone());
        let user_name = |id: i64| users.iter().find(|user| user.id.0 == id).map(|user| user.display_name.clone());
        let key = |id: Option<i64>| id.map(|id| id.to_string()).unwrap_or_default();
        Ok(CareReport {
            from,
            to,
            time_zone: tz.name().to_string(),
            team: query.team,
            agent: query.agent,
            generated_at: now,
            totals: CareTotals {
                received: total.received,
                customers_served: customers.count,
                customers_served_estimated: customers.estimated,
                first_responded: total.responded,
                resolved: total.resolved,
                backlog: total.backlog,
                out_of_hours_backlog,
                first_response: Compliance::new(total.response_met, total.response_breached),
                resolution: Compliance::new(total.resolution_met, total.resolution_breached),
            },
            first_response_time: duration_stats(&first_response_counts),
            resolution_time: duration_stats(&resolution_counts),
            by_hour: by_hour.iter().enumerate().map(|(hour, sums)| sums.line(format!("{hour:02}"), None)).collect(),
            by_day: by_day
                .iter()
                .map(|(day, sums)| sums.line(format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day()), None))
                .collect(),
            by_team: by_team.iter().map(|(id, sums)| sums.line(key(*id), id.and_then(team_name))).collect(),
            by_agent: agents
                .iter()
                .map(|row| {
                    let mut sums = Sums::default();
                    sums.add(row);
                    sums.line(key(row.assignee_id), row.assignee_id.and_then(user_name))
                })
                .collect(),
            csat: self.csat_report_of(Some(&filter))?,
        })
    }
}

/// A cell a spreadsheet will not run as a formula: text starting with `=`, `+`, `-` or `@`
/// (or a tab or carriage return) gets a leading `'` (OWASP's CSV injection advice).
pub fn csv_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_string() }
}

fn rate(value: Option<f64>) -> String {
    value.map(|rate| format!("{rate:.4}")).unwrap_or_default()
}

/// One table of the report as CSV (a header line, then one line per row).
pub fn care_report_csv(report: &CareReport, table: &str) -> Result<String, ServiceError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let io = |error: csv::Error| ServiceError::Invalid(format!("CSV: {error}"));
    match table {
        "by_hour" | "by_day" | "by_team" | "by_agent" => {
            let lines = match table {
                "by_hour" => &report.by_hour,
                "by_day" => &report.by_day,
                "by_team" => &report.by_team,
                _ => &report.by_agent,
            };
            writer
                .write_record([
                    "key", "name", "received", "first_response_met", "first_response_breached", "first_response_compliance",
                    "resolution_met", "resolution_breached", "resolution_compliance", "backlog",
                ])
                .map_err(io)?;
            for line in lines {
                writer
                    .write_record([
                        csv_safe(&line.key),
                        csv_safe(line.name.as_deref().unwrap_or("")),
                        line.received.to_string(),
                        line.first_response.met.to_string(),
                        line.first_response.breached.to_string(),
                        rate(line.first_response.rate),
                        line.resolution.met.to_string(),
                        line.resolution.breached.to_string(),
                        rate(line.resolution.rate),
                        line.backlog.to_string(),
                    ])
                    .map_err(io)?;
            }
        }
        "first_response_time" | "resolution_time" => {
            let stats = if table == "first_response_time" { &report.first_response_time } else { &report.resolution_time };
            writer.write_record(["low_minutes", "high_minutes", "cases"]).map_err(io)?;
            for bin in &stats.histogram {
                let high = bin.high_minutes.map(|high| high.to_string()).unwrap_or_default();
                writer.write_record([bin.low_minutes.to_string(), high, bin.cases.to_string()]).map_err(io)?;
            }
        }
        _ => return Err(ServiceError::Invalid(format!("table must be one of {}", CARE_REPORT_TABLES.join(", ")))),
    }
    let bytes = writer.into_inner().map_err(|error| ServiceError::Invalid(format!("CSV: {error}")))?;
    String::from_utf8(bytes).map_err(|error| ServiceError::Invalid(format!("CSV: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank_over_minute_counts() {
        // 10 cases: 4 at 2 min, 5 at 10 min, 1 at 600 min.
        let counts = [(2, 4), (10, 5), (600, 1)];
        let stats = duration_stats(&counts);
        assert_eq!((stats.cases, stats.median_minutes, stats.p90_minutes), (10, Some(10), Some(10)));
        assert_eq!(percentile(&counts, 10, 0.95), Some(600));
        assert_eq!(percentile(&[], 0, 0.5), None);
        assert_eq!(stats.histogram[0], DurationBin { low_minutes: 0, high_minutes: Some(5), cases: 4 });
        assert_eq!(stats.histogram[1].cases, 5, "10 min falls in [5, 15)");
        assert_eq!(stats.histogram.iter().map(|bin| bin.cases).sum::<u64>(), 10);
        assert_eq!(stats.histogram.last().unwrap().high_minutes, None);
    }

    #[test]
    fn compliance_is_met_over_decided() {
        assert_eq!(Compliance::new(3, 1).rate, Some(0.75));
        assert_eq!(Compliance::new(0, 0).rate, None);
        assert_eq!(Compliance::new(2, 1).rate, Some(0.6667));
    }

    #[test]
    fn bounds_read_days_in_the_time_zone_and_instants() {
        let paris = chrono_tz_paris();
        let from = parse_bound("2026-11-28", &paris, false, "from").unwrap();
        assert_eq!(from.to_rfc3339(), "2026-11-27T23:00:00+00:00");
        let to = parse_bound("2026-11-28", &paris, true, "to").unwrap();
        assert_eq!(to.to_rfc3339(), "2026-11-28T23:00:00+00:00");
        let instant = parse_bound("2026-11-28T10:00:00Z", &paris, true, "to").unwrap();
        assert_eq!(instant.to_rfc3339(), "2026-11-28T10:00:00+00:00");
        assert!(parse_bound("yesterday", &paris, false, "from").is_err());
    }

    fn chrono_tz_paris() -> impl TimeZone {
        care::calendar::BusinessCalendar::default_with_french_holidays(2026).time_zone()
    }

    #[test]
    fn csv_cells_never_start_a_formula() {
        assert_eq!(csv_safe("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(csv_safe("+33 1 23"), "'+33 1 23");
        assert_eq!(csv_safe("-1"), "'-1");
        assert_eq!(csv_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_safe("Équipe \"Paris\", nord"), "Équipe \"Paris\", nord");
        let line = ReportLine { key: "3".into(), name: Some("=cmd|' /C calc'!A0, \"x\"".into()), received: 2, ..ReportLine::default() };
        let report = CareReport {
            from: Utc::now(),
            to: Utc::now(),
            time_zone: "Europe/Paris".into(),
            team: None,
            agent: None,
            generated_at: Utc::now(),
            totals: CareTotals::default(),
            first_response_time: duration_stats(&[(1, 1)]),
            resolution_time: DurationStats::default(),
            by_hour: vec![],
            by_day: vec![],
            by_team: vec![line],
            by_agent: vec![],
            csat: CsatReport { answers: 0, average: None, per_agent: vec![], per_team: vec![] },
        };
        let csv = care_report_csv(&report, "by_team").unwrap();
        assert!(csv.starts_with("key,name,received,"));
        assert!(csv.contains("3,\"'=cmd|' /C calc'!A0, \"\"x\"\"\",2,"), "{csv}");
        let histogram = care_report_csv(&report, "first_response_time").unwrap();
        assert!(histogram.contains("0,5,1\n"));
        assert!(care_report_csv(&report, "passwords").is_err());
    }
}
