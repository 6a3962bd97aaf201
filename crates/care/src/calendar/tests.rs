//! Calendar tests: Paris office hours, the 2026 clock changes, holidays, descriptions,
//! configuration, and properties of business-time arithmetic over several time zones.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::*;

const PARIS: Tz = chrono_tz::Europe::Paris;

/// An instant given as a Paris wall-clock time (unambiguous ones only).
fn paris(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    PARIS
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("an unambiguous local time")
        .with_timezone(&Utc)
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn interval(text: &str) -> OpeningInterval {
    text.parse().unwrap()
}

fn hours(h: i64) -> Duration {
    Duration::hours(h)
}

fn paris_always_open() -> BusinessCalendar {
    BusinessCalendar::new(PARIS, WeeklyHours::always_open(), []).unwrap()
}

fn with_lunch_break() -> BusinessCalendar {
    let week = WeeklyHours::weekdays(&[interval("09:00-12:30"), interval("13:30-19:00")]);
    BusinessCalendar::new(PARIS, week, []).unwrap()
}

#[test]
fn the_default_calendar_opens_weekdays_nine_to_seven_in_paris() {
    let calendar = BusinessCalendar::default();
    // Monday 30 November 2026 (winter time, UTC+1).
    assert!(!calendar.is_open(utc(2026, 11, 30, 7, 59)));
    assert!(calendar.is_open(utc(2026, 11, 30, 8, 0)));
    assert!(calendar.is_open(paris(2026, 11, 30, 18, 59)));
    assert!(!calendar.is_open(paris(2026, 11, 30, 19, 0)));
    assert!(!calendar.is_open(paris(2026, 11, 28, 12, 0)), "Saturday");
    assert_eq!(
        calendar.next_opening(paris(2026, 11, 27, 19, 30)),
        Some(paris(2026, 11, 30, 9, 0))
    );
    assert_eq!(
        calendar.next_opening(paris(2026, 11, 30, 10, 0)),
        Some(paris(2026, 11, 30, 10, 0))
    );
    assert_eq!(
        calendar.add_business_time(paris(2026, 11, 27, 18, 0), hours(2)),
        paris(2026, 11, 30, 10, 0)
    );
    assert_eq!(
        calendar.business_time_between(paris(2026, 11, 27, 18, 0), paris(2026, 11, 30, 10, 0)),
        hours(2)
    );
    assert_eq!(
        calendar.add_business_time(paris(2026, 11, 28, 3, 0), Duration::zero()),
        paris(2026, 11, 28, 3, 0)
    );
    assert_eq!(
        calendar.add_business_time(paris(2026, 11, 28, 3, 0), hours(-5)),
        paris(2026, 11, 28, 3, 0)
    );
    assert_eq!(
        calendar.business_time_between(paris(2026, 11, 30, 12, 0), paris(2026, 11, 30, 10, 0)),
        Duration::zero()
    );
}

#[test]
fn a_week_holds_fifty_business_hours() {
    let calendar = BusinessCalendar::default();
    assert_eq!(
        calendar.business_time_between(paris(2026, 11, 30, 0, 0), paris(2026, 12, 7, 0, 0)),
        hours(50)
    );
    assert_eq!(
        calendar.add_business_time(paris(2026, 11, 30, 9, 0), hours(50)),
        paris(2026, 12, 4, 19, 0)
    );
}

#[test]
fn a_lunch_break_is_skipped() {
    let calendar = with_lunch_break();
    assert!(!calendar.is_open(paris(2026, 12, 1, 13, 0)));
    assert_eq!(
        calendar.add_business_time(paris(2026, 12, 1, 12, 0), hours(1)),
        paris(2026, 12, 1, 14, 0)
    );
    assert_eq!(
        calendar.next_opening(paris(2026, 12, 1, 12, 30)),
        Some(paris(2026, 12, 1, 13, 30))
    );
    assert_eq!(
        calendar.business_time_between(paris(2026, 12, 1, 0, 0), paris(2026, 12, 2, 0, 0)),
        Duration::minutes(9 * 60)
    );
}

#[test]
fn business_days_keep_their_local_hours_across_the_spring_forward_weekend() {
    let calendar = BusinessCalendar::default();
    // Friday 27 March 2026 is UTC+1; Monday 30 March is UTC+2 (clocks went forward on the 29th).
    assert_eq!(paris(2026, 3, 27, 18, 0), utc(2026, 3, 27, 17, 0));
    assert_eq!(paris(2026, 3, 30, 10, 0), utc(2026, 3, 30, 8, 0));
    assert_eq!(
        calendar.add_business_time(paris(2026, 3, 27, 18, 0), hours(2)),
        paris(2026, 3, 30, 10, 0)
    );
    assert_eq!(
        calendar.next_opening(paris(2026, 3, 28, 9, 0)),
        Some(utc(2026, 3, 30, 7, 0))
    );
    assert_eq!(
        calendar.business_time_between(paris(2026, 3, 27, 18, 0), paris(2026, 3, 30, 10, 0)),
        hours(2)
    );
}

#[test]
fn business_days_keep_their_local_hours_across_the_fall_back_weekend() {
    let calendar = BusinessCalendar::default();
    // Friday 23 October 2026 is UTC+2; Monday 26 October is UTC+1.
    assert_eq!(
        calendar.add_business_time(paris(2026, 10, 23, 18, 0), hours(2)),
        utc(2026, 10, 26, 9, 0)
    );
    assert_eq!(
        calendar.next_opening(paris(2026, 10, 24, 9, 0)),
        Some(utc(2026, 10, 26, 8, 0))
    );
}

#[test]
fn a_round_the_clock_calendar_counts_the_real_hours_of_clock_change_days() {
    let calendar = paris_always_open();
    let spring_day =
        calendar.business_time_between(paris(2026, 3, 29, 0, 0), paris(2026, 3, 30, 0, 0));
    assert_eq!(spring_day, hours(23));
    let autumn_day =
        calendar.business_time_between(paris(2026, 10, 25, 0, 0), paris(2026, 10, 26, 0, 0));
    assert_eq!(autumn_day, hours(25));
    for start in [utc(2026, 3, 28, 22, 0), utc(2026, 10, 24, 21, 30)] {
        assert_eq!(
            calendar.add_business_time(start, hours(30)),
            start + hours(30)
        );
        assert!(calendar.is_open(start + hours(3)));
    }
}

#[test]
fn intervals_that_touch_the_clock_change_follow_the_documented_rules() {
    let sunday_night = WeeklyHours::on_days(&[Weekday::Sun], &[interval("01:00-04:00")]);
    let calendar = BusinessCalendar::new(PARIS, sunday_night, []).unwrap();
    // Spring: 02:00–03:00 does not exist, so 01:00–04:00 lasts two hours.
    assert_eq!(
        calendar.business_time_between(utc(2026, 3, 28, 0, 0), utc(2026, 3, 30, 0, 0)),
        hours(2)
    );
    // Autumn: 02:00–03:00 happens twice, so it lasts four hours.
    assert_eq!(
        calendar.business_time_between(utc(2026, 10, 24, 0, 0), utc(2026, 10, 26, 0, 0)),
        hours(4)
    );
    let in_the_gap = WeeklyHours::on_days(
        &[Weekday::Sun],
        &[interval("02:00-02:30"), interval("05:00-06:00")],
    );
    let calendar = BusinessCalendar::new(PARIS, in_the_gap, []).unwrap();
    // The skipped half hour counts for nothing that day; 05:00–06:00 still does.
    assert_eq!(
        calendar.business_time_between(utc(2026, 3, 28, 0, 0), utc(2026, 3, 30, 0, 0)),
        hours(1)
    );
    assert_eq!(
        calendar.next_opening(utc(2026, 3, 28, 12, 0)),
        Some(paris(2026, 3, 29, 5, 0))
    );
}

#[test]
fn christmas_and_a_long_weekend_are_skipped() {
    let calendar = BusinessCalendar::default().with_french_public_holidays([2026]);
    // Thursday 24 December 18:00 + 2 h: Friday 25 is Christmas, so Monday 28 at 10:00.
    assert!(!calendar.is_open(paris(2026, 12, 25, 10, 0)));
    assert_eq!(
        calendar.add_business_time(paris(2026, 12, 24, 18, 0), hours(2)),
        paris(2026, 12, 28, 10, 0)
    );
    // Easter Monday 6 April 2026: Friday 3 April 18:00 + 2 h → Tuesday 7 April 10:00.
    assert_eq!(
        calendar.add_business_time(paris(2026, 4, 3, 18, 0), hours(2)),
        paris(2026, 4, 7, 10, 0)
    );
    // Ascension Thursday 14 May plus a bridge day on Friday 15 May: a four-day weekend.
    let bridged = calendar.with_holidays([date(2026, 5, 15)]);
    assert_eq!(
        bridged.add_business_time(paris(2026, 5, 13, 18, 30), hours(1)),
        paris(2026, 5, 18, 9, 30)
    );
    assert_eq!(
        bridged.business_time_between(paris(2026, 5, 13, 0, 0), paris(2026, 5, 19, 0, 0)),
        hours(20)
    );
}

#[test]
fn a_fresh_install_closes_on_french_holidays_of_this_year_and_the_next() {
    let calendar = BusinessCalendar::default_with_french_holidays(2026);
    assert_eq!(calendar.holidays().len(), 22);
    assert!(
        !calendar.is_open(paris(2027, 5, 6, 10, 0)),
        "Ascension 2027"
    );
    assert!(calendar.is_open(paris(2027, 5, 7, 10, 0)));
}

#[test]
fn a_skipped_calendar_day_has_no_business_time() {
    // Samoa moved across the date line: 30 December 2011 never happened in Apia.
    let apia =
        BusinessCalendar::new(chrono_tz::Pacific::Apia, WeeklyHours::always_open(), []).unwrap();
    let from = utc(2011, 12, 29, 10, 0); // 29 December, 00:00 in Apia (UTC-10)
    let to = utc(2011, 12, 31, 10, 0); // 1 January, 00:00 in Apia (UTC+14)
    assert_eq!(apia.business_time_between(from, to), hours(48));
    assert_eq!(apia.add_business_time(from, hours(30)), from + hours(30));
}

#[test]
fn opening_hours_are_described_in_french_and_english() {
    let calendar = BusinessCalendar::default();
    assert_eq!(
        calendar.describe_opening_hours("en"),
        "Monday to Friday, 9:00–19:00 (Europe/Paris)"
    );
    assert_eq!(
        calendar.describe_opening_hours("fr"),
        "du lundi au vendredi, 9h00–19h00 (Europe/Paris)"
    );
    assert_eq!(
        calendar.describe_opening_hours("fr-CA"),
        calendar.describe_opening_hours("fr")
    );
    assert_eq!(
        calendar.describe_opening_hours("de"),
        calendar.describe_opening_hours("en")
    );
    assert_eq!(
        with_lunch_break().describe_opening_hours("fr"),
        "du lundi au vendredi, 9h00–12h30 et 13h30–19h00 (Europe/Paris)"
    );
    let mut week = WeeklyHours::weekdays(&[interval("08:30-18:00")]);
    week.saturday = vec![interval("10:00-16:00")];
    week.sunday = vec![interval("10:00-16:00")];
    let calendar =
        BusinessCalendar::new(chrono_tz::America::New_York, week, [date(2026, 7, 4)]).unwrap();
    assert_eq!(
        calendar.describe_opening_hours("en"),
        "Monday to Friday, 8:30–18:00; Saturday and Sunday, 10:00–16:00, except public holidays (America/New_York)"
    );
    assert_eq!(
        calendar.describe_opening_hours("fr"),
        "du lundi au vendredi, 8h30–18h00; le samedi et le dimanche, 10h00–16h00, sauf jours fériés (America/New_York)"
    );
    assert_eq!(
        BusinessCalendar::always_open().describe_opening_hours("en"),
        "every day, around the clock (UTC)"
    );
    assert_eq!(
        paris_always_open().describe_opening_hours("fr"),
        "tous les jours, 24 h/24 (Europe/Paris)"
    );
}

#[test]
fn calendars_read_and_write_their_configuration() {
    let json = r#"{
        "time_zone": "Europe/Paris",
        "opening_hours": {"monday": ["13:30-19:00", "09:00-12:30"], "saturday": ["10:00-12:00"]},
        "holidays": ["2026-12-25"]
    }"#;
    let calendar: BusinessCalendar = serde_json::from_str(json).unwrap();
    assert_eq!(
        calendar.opening_hours().monday,
        [interval("09:00-12:30"), interval("13:30-19:00")]
    );
    assert!(calendar.holidays().contains(&date(2026, 12, 25)));
    let written = serde_json::to_string(&calendar).unwrap();
    assert!(written.contains("\"09:00-12:30\""), "{written}");
    assert_eq!(
        serde_json::from_str::<BusinessCalendar>(&written).unwrap(),
        calendar
    );

    let rejected = [
        r#"{"time_zone": "Mars/Olympus", "opening_hours": {"monday": ["09:00-10:00"]}}"#,
        r#"{"time_zone": "UTC", "opening_hours": {"monday": ["09:00-12:00", "11:00-13:00"]}}"#,
        r#"{"time_zone": "UTC", "opening_hours": {}}"#,
        r#"{"time_zone": "UTC", "opening_hours": {"funday": ["09:00-10:00"]}}"#,
        r#"{"time_zone": "UTC", "opening_hours": {"monday": ["10:00-09:00"]}}"#,
    ];
    for json in rejected {
        assert!(
            serde_json::from_str::<BusinessCalendar>(json).is_err(),
            "{json}"
        );
    }
}

#[test]
fn instants_outside_the_supported_range_do_not_panic() {
    let calendar = BusinessCalendar::default().with_french_public_holidays(2026..=2027);
    for at in [
        DateTime::<Utc>::MIN_UTC,
        DateTime::<Utc>::MAX_UTC,
        SUPPORTED_UNTIL,
        SUPPORTED_FROM,
    ] {
        let _ = calendar.is_open(at);
        let _ = calendar.next_opening(at);
        let _ = calendar.business_time_between(at, DateTime::<Utc>::MAX_UTC);
        assert!(calendar.add_business_time(at, Duration::MAX) <= SUPPORTED_UNTIL.max(at));
    }
    assert_eq!(calendar.next_opening(DateTime::<Utc>::MAX_UTC), None);
}

fn calendars() -> Vec<BusinessCalendar> {
    let mut new_york = WeeklyHours::weekdays(&[interval("08:00-12:00"), interval("12:45-17:15")]);
    new_york.saturday = vec![interval("00:00-03:30")];
    vec![
        BusinessCalendar::default().with_french_public_holidays(2025..=2028),
        with_lunch_break(),
        paris_always_open(),
        BusinessCalendar::new(chrono_tz::America::New_York, new_york, [date(2026, 11, 26)])
            .unwrap(),
        // Lord Howe Island moves its clocks by half an hour.
        BusinessCalendar::new(
            chrono_tz::Australia::Lord_Howe,
            WeeklyHours::on_days(
                &[Weekday::Sun, Weekday::Wed],
                &[interval("01:00-03:00"), interval("22:00-24:00")],
            ),
            [],
        )
        .unwrap(),
    ]
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    // 2025-01-01 to 2029-01-01, to the second.
    (1_735_689_600i64..1_861_920_000)
        .prop_map(|seconds| DateTime::from_timestamp(seconds, 0).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn adding_business_time_then_measuring_it_gives_it_back(
        which in 0usize..5, start in instant(), minutes in 0i64..20_000,
    ) {
        let calendar = &calendars()[which];
        let duration = Duration::minutes(minutes);
        let due = calendar.add_business_time(start, duration);
        prop_assert!(due >= start);
        prop_assert_eq!(calendar.business_time_between(start, due), duration);
        prop_assert!(calendar.business_time_between(start, due) <= due - start);
    }

    #[test]
    fn business_time_adds_up_and_never_exceeds_wall_time(
        which in 0usize..5, a in instant(), b in instant(), c in instant(),
    ) {
        let calendar = &calendars()[which];
        let mut sorted = [a, b, c];
        sorted.sort();
        let [a, b, c] = sorted;
        let whole = calendar.business_time_between(a, c);
        prop_assert_eq!(calendar.business_time_between(a, b) + calendar.business_time_between(b, c), whole);
        prop_assert!(whole <= c - a);
    }

    #[test]
    fn the_next_opening_is_open_and_not_before(which in 0usize..5, at in instant()) {
        let calendar = &calendars()[which];
        let opening = calendar.next_opening(at).unwrap();
        prop_assert!(opening >= at);
        prop_assert!(calendar.is_open(opening));
        prop_assert_eq!(calendar.is_open(at), opening == at);
        prop_assert_eq!(calendar.business_time_between(at, opening), Duration::zero());
    }

    #[test]
    fn due_times_are_monotone_in_the_start(
        which in 0usize..5, a in instant(), b in instant(), minutes in 0i64..5_000,
    ) {
        let calendar = &calendars()[which];
        let (early, late) = (a.min(b), a.max(b));
        let duration = Duration::minutes(minutes);
        prop_assert!(calendar.add_business_time(early, duration) <= calendar.add_business_time(late, duration));
    }
}
