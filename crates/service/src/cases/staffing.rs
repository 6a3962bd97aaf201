//! The staffing forecast (issue #5 §7): case arrivals per hour for the coming week, from
//! their history, and the agents each hour needs to meet a service level (Erlang C), beside
//! what the team's roster gives. The method is [`care::forecast`]'s.

use care::forecast::{ArrivalsForecast, ForecastBasis, ForecastConfig, HourlyCount, StaffingPlan};
use care::staffing::ServiceTarget;
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::{App, ServiceError};

/// What the supervisor asks; every field has a sane default.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffingQuery {
    /// One team's cases and calendar; all cases and the default calendar when absent.
    pub team: Option<i64>,
    /// Average handling time of a case, in minutes (default 6).
    pub handling_minutes: Option<f64>,
    /// The share to answer within `within_minutes` (default 0.8).
    pub service_level: Option<f64>,
    /// Default 15.
    pub within_minutes: Option<f64>,
    /// Hours to forecast from the current hour (default 168, at most 840).
    pub hours: Option<usize>,
    /// Agents on duty in each open hour of the calendar; by default the team's members
    /// (every agent of every team without `team`).
    pub agents_on_duty: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StaffingReport {
    pub team: Option<i64>,
    pub time_zone: String,
    pub generated_at: DateTime<Utc>,
    /// What the forecast stands on: `weekly` (a week of history or more), `daily`, `none`.
    pub basis: ForecastBasis,
    pub level_factor: f64,
    pub cases_in_history: u64,
    pub agents_on_duty: u32,
    #[serde(flatten)]
    pub plan: StaffingPlan,
}

impl App {
    /// The forecast and staffing plan from the current hour.
    pub fn staffing_forecast_now(&self, query: &StaffingQuery) -> Result<StaffingReport, ServiceError> {
        self.staffing_forecast(query, Utc::now())
    }

    /// The forecast and staffing plan from `now`.
    pub fn staffing_forecast(&self, query: &StaffingQuery, now: DateTime<Utc>) -> Result<StaffingReport, ServiceError> {
        let handling_minutes = query.handling_minutes.unwrap_or(6.0);
        let service_level = query.service_level.unwrap_or(0.8);
        let within_minutes = query.within_minutes.unwrap_or(15.0);
        let hours = query.hours.unwrap_or(168);
        if !(handling_minutes.is_finite() && handling_minutes > 0.0 && handling_minutes <= 24.0 * 60.0) {
            return Err(ServiceError::Invalid("handling_minutes must be between 0 and 1440, excluded 0".into()));
        }
        if !(within_minutes.is_finite() && (0.0..=7.0 * 24.0 * 60.0).contains(&within_minutes)) {
            return Err(ServiceError::Invalid("within_minutes must be between 0 and 10080".into()));
        }
        if !(service_level > 0.0 && service_level < 1.0) {
            return Err(ServiceError::Invalid("service_level must be between 0 and 1, both excluded".into()));
        }
        if hours == 0 || hours > care::forecast::MAX_FORECAST_HOURS {
            return Err(ServiceError::Invalid(format!(
                "hours must be between 1 and {}",
                care::forecast::MAX_FORECAST_HOURS
            )));
        }
        let settings = self.care_settings().get();
        let teams = self.store().list_teams()?;
        if let Some(team) = query.team
            && !teams.iter().any(|known| known.id.0 == team)
        {
            return Err(ServiceError::NotFound(format!("team {team}")));
        }
        let calendar = settings.policy(query.team).1.clone();
        let tz = calendar.time_zone();
        let config = ForecastConfig::default();
        let since = now - Duration::weeks(i64::from(config.weeks) + 1);
        let history: Vec<HourlyCount> = self
            .store()
            .case_arrivals_by_hour(query.team, since)?
            .into_iter()
            .map(|(hour, count)| HourlyCount { hour, count })
            .collect();
        let cases_in_history = history.iter().map(|entry| u64::from(entry.count)).sum();
        let forecast: ArrivalsForecast = care::forecast::forecast_arrivals(&history, tz, now, hours, config)
            ?;
        let agents_on_duty = match query.agents_on_duty {
            Some(agents) => agents,
            None => {
                let mut members: Vec<i64> = teams
                    .iter()
                    .filter(|known| query.team.is_none_or(|team| known.id.0 == team))
                    .flat_map(|known| known.members.iter().map(|member| member.0))
                    .collect();
                members.sort_unstable();
                members.dedup();
                u32::try_from(members.len()).unwrap_or(u32::MAX)
            }
        };
        let target = ServiceTarget { answered_within_seconds: within_minutes * 60.0, service_level };
        let roster = |local: chrono::NaiveDateTime| {
            let open = tz
                .from_local_datetime(&local)
                .earliest()
                .is_some_and(|instant| calendar.is_open(instant.with_timezone(&Utc)));
            if open { agents_on_duty } else { 0 }
        };
        let plan = care::forecast::staffing_plan(&forecast, handling_minutes * 60.0, target, roster)
            ?;
        Ok(StaffingReport {
            team: query.team,
            time_zone: tz.name().to_string(),
            generated_at: now,
            basis: forecast.basis,
            level_factor: forecast.level_factor,
            cases_in_history,
            agents_on_duty,
            plan,
        })
    }
}
