//! Business-hours calendars: a time zone, weekly opening intervals and holidays, and the
//! arithmetic SLA due times need (is it open, when does it open, add business time,
//! business time between two instants).
//!
//! Opening hours are local wall-clock times; every computation turns each local opening
//! interval of each day into an interval of UTC instants, so daylight-saving changes are
//! handled by the time-zone database (chrono-tz) and nowhere else. Two rules settle the
//! local times a clock change makes odd:
//!
//! - a local time skipped by the spring-forward change (02:30 in Paris on the last Sunday
//!   of March) counts as the first instant after the jump (03:00 summer time);
//! - a local time that happens twice at fall-back counts at its first occurrence; an interval
//!   ending at midnight (`24:00`) ends at the next day's first midnight, so a round-the-clock
//!   day lasts 23 hours in spring and 25 hours in autumn.
//!
//! Computations are clamped to [`SUPPORTED_FROM`, `SUPPORTED_UNTIL`): a due time beyond it
//! is reported as `SUPPORTED_UNTIL` ("never" for any practical purpose), which bounds the
//! work of every function whatever its input.

mod describe;
mod holidays;
mod hours;

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

pub use holidays::{easter_sunday, french_public_holidays};
pub use hours::{OpeningInterval, WeeklyHours};

use crate::CareError;

pub(crate) const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// The first instant calendars compute with: 1970-01-01T00:00:00Z.
pub const SUPPORTED_FROM: DateTime<Utc> = DateTime::UNIX_EPOCH;
/// The end of the instants calendars compute with: 2200-01-01T00:00:00Z.
pub const SUPPORTED_UNTIL: DateTime<Utc> = match DateTime::from_timestamp(7_258_118_400, 0) {
    Some(end) => end,
    None => DateTime::UNIX_EPOCH,
};

/// A calendar as written in configuration (JSON, TOML): checked when it becomes a
/// [`BusinessCalendar`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    /// An IANA time zone name, such as `Europe/Paris`.
    pub time_zone: Tz,
    pub opening_hours: WeeklyHours,
    /// Closed days, as dates in the calendar's time zone.
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
}

/// When the care team works. Build one with [`BusinessCalendar::new`] or from a
/// [`CalendarConfig`]; it (de)serialises as its config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "CalendarConfig", into = "CalendarConfig")]
pub struct BusinessCalendar {
    time_zone: Tz,
    opening_hours: WeeklyHours,
    holidays: BTreeSet<NaiveDate>,
}

impl TryFrom<CalendarConfig> for BusinessCalendar {
    type Error = CareError;

    fn try_from(config: CalendarConfig) -> Result<Self, Self::Error> {
        BusinessCalendar::new(config.time_zone, config.opening_hours, config.holidays)
    }
}

impl From<BusinessCalendar> for CalendarConfig {
    fn from(calendar: BusinessCalendar) -> Self {
        CalendarConfig {
            time_zone: calendar.time_zone,
            opening_hours: calendar.opening_hours,
            holidays: calendar.holidays.into_iter().collect(),
        }
    }
}

impl Default for BusinessCalendar {
    /// Monday to Friday, 9:00–19:00, Europe/Paris, no holidays (see
    /// [`BusinessCalendar::with_french_public_holidays`]).
    fn default() -> Self {
        let nine_to_seven = OpeningInterval::new((9, 0), (19, 0)).expect("a valid interval");
        BusinessCalendar::new(
            chrono_tz::Europe::Paris,
            WeeklyHours::weekdays(&[nine_to_seven]),
            [],
        )
        .expect("a valid calendar")
    }
}

impl BusinessCalendar {
    /// Checks the opening hours (no overlap, open at least once a week) and builds the calendar.
    pub fn new(
        time_zone: Tz,
        opening_hours: WeeklyHours,
        holidays: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<BusinessCalendar, CareError> {
        Ok(BusinessCalendar {
            time_zone,
            opening_hours: opening_hours.normalised()?,
            holidays: holidays.into_iter().collect(),
        })
    }

    /// Open every hour of every day, in UTC.
    pub fn always_open() -> BusinessCalendar {
        BusinessCalendar::new(Tz::UTC, WeeklyHours::always_open(), []).expect("a valid calendar")
    }

    /// Adds the French public holidays of the given years (for example the current and
    /// the next one, as a fresh install does).
    pub fn with_french_public_holidays(
        mut self,
        years: impl IntoIterator<Item = i32>,
    ) -> BusinessCalendar {
        for year in years {
            self.holidays.extend(french_public_holidays(year));
        }
        self
    }

    /// The default calendar with the French public holidays of `current_year` and the next
    /// one: what a fresh install uses (the caller knows the year; this crate reads no clock).
    pub fn default_with_french_holidays(current_year: i32) -> BusinessCalendar {
        BusinessCalendar::default()
            .with_french_public_holidays([current_year, current_year.saturating_add(1)])
    }

    pub fn with_holidays(
        mut self,
        holidays: impl IntoIterator<Item = NaiveDate>,
    ) -> BusinessCalendar {
        self.holidays.extend(holidays);
        self
    }

    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }

    pub fn opening_hours(&self) -> &WeeklyHours {
        &self.opening_hours
    }

    pub fn holidays(&self) -> &BTreeSet<NaiveDate> {
        &self.holidays
    }

    /// Whether the team works at `at`.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        self.open_periods_from(at)
            .next()
            .is_some_and(|(start, _)| start <= at)
    }

    /// `at` itself when open, else the next instant the calendar opens; `None` when it does
    /// not open again before [`SUPPORTED_UNTIL`].
    pub fn next_opening(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.open_periods_from(at).next().map(|(start, _)| start)
    }

    /// The instant at which `duration` of business time has passed since `start`. A zero
    /// or negative duration gives `start` itself; beyond the supported range, `SUPPORTED_UNTIL`.
    pub fn add_business_time(&self, start: DateTime<Utc>, duration: Duration) -> DateTime<Utc> {
        if duration <= Duration::zero() {
            return start;
        }
        let mut remaining = duration;
        for (open, close) in self.open_periods_from(start) {
            let available = close - open;
            if remaining <= available {
                return open + remaining;
            }
            remaining -= available;
        }
        SUPPORTED_UNTIL
    }

    /// The business time in `[from, to)`; zero when `to` is not after `from`.
    pub fn business_time_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        let mut total = Duration::zero();
        for (open, close) in self.open_periods_from(from) {
            if open >= to {
                break;
            }
            total += close.min(to) - open;
        }
        total
    }

    /// The opening periods, as UTC instants, that end after `at`, in order, the first one
    /// cut to start no earlier than `at`. Ends at `SUPPORTED_UNTIL`.
    fn open_periods_from(
        &self,
        at: DateTime<Utc>,
    ) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        let at = at.clamp(SUPPORTED_FROM, SUPPORTED_UNTIL);
        let local_date = at.with_timezone(&self.time_zone).date_naive();
        // A day's periods can only end after the day's start, so the day before `at`'s
        // local date is the earliest that can still be open at `at`.
        let first_day = local_date.pred_opt().unwrap_or(local_date);
        first_day
            .iter_days()
            .take_while(|day| {
                self.local_to_utc(*day, 0)
                    .is_some_and(|start| start < SUPPORTED_UNTIL)
            })
            .filter(|day| !self.holidays.contains(day))
            .flat_map(move |day| {
                self.opening_hours
                    .day(day.weekday())
                    .iter()
                    .filter_map(move |interval| {
                        let open = self.local_to_utc(day, interval.start_minute())?;
                        let close = self
                            .local_to_utc(day, interval.end_minute())?
                            .min(SUPPORTED_UNTIL);
                        let open = open.max(at);
                        (close > open).then_some((open, close))
                    })
            })
    }

    /// The UTC instant of a local wall-clock minute of `day` (`24:00` is the next day's
    /// midnight), by the rules of this module's documentation.
    fn local_to_utc(&self, day: NaiveDate, minute_of_day: u16) -> Option<DateTime<Utc>> {
        let local = day.and_hms_opt(0, 0, 0)? + Duration::minutes(i64::from(minute_of_day));
        // A gap is at most a day long (Samoa skipped 30 December 2011): look that far ahead.
        for minutes_later in 0..=(24 * 60 + 1) {
            match self
                .time_zone
                .from_local_datetime(&(local + Duration::minutes(minutes_later)))
            {
                LocalResult::Single(instant) => return Some(instant.with_timezone(&Utc)),
                LocalResult::Ambiguous(earliest, _) => return Some(earliest.with_timezone(&Utc)),
                LocalResult::None => continue,
            }
        }
        None
    }
}

#[cfg(test)]
mod tests;
