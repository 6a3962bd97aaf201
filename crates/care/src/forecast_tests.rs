use chrono::{Datelike, NaiveDate, Timelike};

use super::*;

/// Arrivals per hour with daily and weekly seasonality, in Paris wall-clock time.
fn true_rate(tz: Tz, hour: DateTime<Utc>) -> f64 {
    let local = hour.with_timezone(&tz);
    let by_hour = match local.hour() {
        0..=6 => 0.5,
        7..=8 => 4.0,
        9..=11 => 12.0,
        12..=13 => 8.0,
        14..=17 => 10.0,
        18..=21 => 6.0,
        _ => 2.0,
    };
    let by_day = match local.weekday().num_days_from_monday() {
        0 => 1.4,
        5 => 0.6,
        6 => 0.4,
        _ => 1.0,
    };
    by_hour * by_day
}

/// A deterministic Poisson draw (Knuth's method on a small LCG).
fn poisson(rate: f64, state: &mut u64) -> u32 {
    let limit = (-rate).exp();
    let mut product = 1.0;
    let mut count = 0;
    loop {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        product *= ((*state >> 11) as f64) / ((1u64 << 53) as f64);
        if product <= limit {
            return count;
        }
        count += 1;
    }
}

fn history(tz: Tz, from: DateTime<Utc>, hours: i64, scale: impl Fn(i64) -> f64) -> Vec<HourlyCount> {
    let mut state = 42;
    (1..=hours)
        .map(|back| {
            let hour = from - Duration::hours(back);
            HourlyCount {
                hour,
                count: poisson(true_rate(tz, hour) * scale(back), &mut state),
            }
        })
        .collect()
}

fn monday_9am_paris() -> DateTime<Utc> {
    // 2026-03-09 is a Monday; 9:00 in Paris is 8:00 UTC in winter.
    NaiveDate::from_ymd_opt(2026, 3, 9)
        .unwrap()
        .and_hms_opt(8, 0, 0)
        .unwrap()
        .and_utc()
}

#[test]
fn four_weeks_of_seasonal_arrivals_forecast_the_next_week_closely() {
    let tz = chrono_tz::Europe::Paris;
    let from = monday_9am_paris();
    let past = history(tz, from, 24 * 7 * 4, |_| 1.0);
    let forecast = forecast_arrivals(&past, tz, from, 24 * 7, ForecastConfig::default()).unwrap();
    assert_eq!(forecast.basis, ForecastBasis::Weekly);
    assert_eq!(forecast.hours.len(), 168);
    assert_eq!(forecast.hours[0].local_hour.hour(), 9);
    // Busy hours: the forecast is within 25 % of the true rate on average (Poisson noise over
    // four weeks is about 1/sqrt(4·rate) ≈ 15 %), and the week's total within 5 %.
    let mut error = 0.0;
    let mut busy = 0;
    let (mut expected_total, mut true_total) = (0.0, 0.0);
    for hour in &forecast.hours {
        let truth = true_rate(tz, hour.hour);
        expected_total += hour.expected_arrivals;
        true_total += truth;
        if truth >= 5.0 {
            error += (hour.expected_arrivals - truth).abs() / truth;
            busy += 1;
        }
    }
    let mean_error = error / f64::from(busy);
    assert!(mean_error < 0.25, "mean relative error {mean_error}");
    assert!(
        (expected_total / true_total - 1.0).abs() < 0.05,
        "{expected_total} vs {true_total}"
    );
    // The shape is right: Monday morning is busier than Sunday night.
    let monday_10 = forecast.hours[1].expected_arrivals;
    let sunday_23 = forecast.hours[24 * 6 + 14].expected_arrivals;
    assert!(monday_10 > 5.0 * sunday_23.max(0.1), "{monday_10} vs {sunday_23}");
}

#[test]
fn a_few_days_of_history_give_a_daily_forecast_and_an_hour_gives_none() {
    let tz = chrono_tz::Europe::Paris;
    let from = monday_9am_paris();
    let past = history(tz, from, 24 * 3, |_| 1.0);
    let forecast = forecast_arrivals(&past, tz, from, 48, ForecastConfig::default()).unwrap();
    assert_eq!(forecast.basis, ForecastBasis::Daily);
    // The 10:00 forecast comes from the previous days' 10:00, not from the night.
    assert!(forecast.hours[1].expected_arrivals > 3.0);
    assert!(forecast.hours[18].expected_arrivals < 3.0); // 3:00 at night

    let past = history(tz, from, 5, |_| 1.0);
    let forecast = forecast_arrivals(&past, tz, from, 24, ForecastConfig::default()).unwrap();
    assert_eq!(forecast.basis, ForecastBasis::None);
    assert!(forecast.hours.iter().all(|h| h.expected_arrivals == 0.0));

    let forecast = forecast_arrivals(&[], tz, from, 24, ForecastConfig::default()).unwrap();
    assert_eq!(forecast.basis, ForecastBasis::None);
}

#[test]
fn growth_in_the_last_day_raises_the_forecast_but_a_spike_is_damped() {
    let tz = chrono_tz::Europe::Paris;
    let from = monday_9am_paris();
    let flat = history(tz, from, 24 * 7 * 4, |_| 1.0);
    let base = forecast_arrivals(&flat, tz, from, 24, ForecastConfig::default()).unwrap();
    assert!((base.level_factor - 1.0).abs() < 0.15, "{}", base.level_factor);

    // Ten times the usual volume in the last day (an outage): capped at 1.5.
    let spiky = history(tz, from, 24 * 7 * 4, |back| if back <= 24 { 10.0 } else { 1.0 });
    let spike = forecast_arrivals(&spiky, tz, from, 24, ForecastConfig::default()).unwrap();
    assert_eq!(spike.level_factor, 1.5);
    let ratio = spike.hours[1].expected_arrivals / base.hours[1].expected_arrivals;
    assert!(ratio > 1.2 && ratio <= 1.5 / 0.85, "{ratio}");
}

#[test]
fn the_forecast_follows_the_wall_clock_across_daylight_saving() {
    let tz = chrono_tz::Europe::Paris;
    // Monday 2026-03-30 9:00 in Paris is 7:00 UTC (summer time began on the 29th).
    let from = NaiveDate::from_ymd_opt(2026, 3, 30)
        .unwrap()
        .and_hms_opt(7, 0, 0)
        .unwrap()
        .and_utc();
    let past = history(tz, from, 24 * 7 * 4, |_| 1.0);
    let forecast = forecast_arrivals(&past, tz, from, 24 * 7, ForecastConfig::default()).unwrap();
    assert_eq!(forecast.hours[0].local_hour.hour(), 9);
    // 9:00–12:00 on Monday is the busiest block, at the same local hours as before the
    // change; aligned on UTC instead, 9:00 would be forecast from 8:00 (a third of it).
    let truth: f64 = forecast.hours[..3].iter().map(|h| true_rate(tz, h.hour)).sum();
    let got: f64 = forecast.hours[..3].iter().map(|h| h.expected_arrivals).sum();
    assert!((got / truth - 1.0).abs() < 0.25, "{got} vs {truth}");
}

#[test]
fn bad_configuration_is_refused() {
    let tz = chrono_tz::Europe::Paris;
    let from = monday_9am_paris();
    let bad = ForecastConfig {
        decay: 0.0,
        ..ForecastConfig::default()
    };
    assert!(forecast_arrivals(&[], tz, from, 24, bad).is_err());
    assert!(
        forecast_arrivals(&[], tz, from, MAX_FORECAST_HOURS + 1, ForecastConfig::default())
            .is_err()
    );
}

#[test]
fn the_plan_recommends_enough_agents_and_scores_the_roster() {
    let tz = chrono_tz::Europe::Paris;
    let from = monday_9am_paris();
    let past = history(tz, from, 24 * 7 * 4, |_| 1.0);
    let forecast = forecast_arrivals(&past, tz, from, 24 * 7, ForecastConfig::default()).unwrap();
    let target = ServiceTarget {
        answered_within_seconds: 15.0 * 60.0,
        service_level: 0.8,
    };
    // Six agents from 8:00 to 20:00, nobody at night.
    let roster = |local: NaiveDateTime| if (8..20).contains(&local.hour()) { 6 } else { 0 };
    let plan = staffing_plan(&forecast, 600.0, target, roster).unwrap();
    assert_eq!(plan.hours.len(), 168);
    for hour in &plan.hours {
        if hour.expected_arrivals > 0.0 {
            let check = Workload {
                arrivals_per_hour: hour.expected_arrivals,
                average_handling_seconds: 600.0,
            }
            .forecast(hour.recommended_agents, target.answered_within_seconds)
            .unwrap();
            assert!(check.service_level >= 0.8);
        }
    }
    // Nobody at night: those hours are understaffed and pull compliance below 100 %.
    assert!(plan.understaffed_hours > 0);
    assert!(plan.expected_compliance < 0.99 && plan.expected_compliance > 0.5, "{}", plan.expected_compliance);
    // A roster that always has the recommended number meets the target everywhere.
    let generous = |_: NaiveDateTime| 50;
    let plan = staffing_plan(&forecast, 600.0, target, generous).unwrap();
    assert_eq!(plan.understaffed_hours, 0);
    assert!(plan.expected_compliance >= 0.8);
}
