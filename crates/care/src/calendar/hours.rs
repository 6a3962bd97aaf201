//! Opening intervals and the weekly opening hours they make up.

use std::fmt;
use std::str::FromStr;

use chrono::Weekday;
use serde::{Deserialize, Serialize};

use crate::CareError;

pub(crate) const MINUTES_PER_DAY: u16 = 24 * 60;

/// One opening interval within a local day, `[start, end)`, to the minute. The end may be
/// `24:00` (midnight at the end of the day). Written `"09:00-12:30"` in configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OpeningInterval {
    start_minute: u16,
    end_minute: u16,
}

impl OpeningInterval {
    /// An interval from `start` to `end`, as (hour, minute) pairs; `(24, 0)` is the end of day.
    pub fn new(start: (u16, u16), end: (u16, u16)) -> Result<OpeningInterval, CareError> {
        let start_minute = minute_of_day(start)?;
        let end_minute = minute_of_day(end)?;
        if start_minute >= end_minute {
            return Err(CareError::config(
                "opening interval",
                "it must end after it starts",
            ));
        }
        Ok(OpeningInterval {
            start_minute,
            end_minute,
        })
    }

    /// Open all day: `00:00-24:00`.
    pub const WHOLE_DAY: OpeningInterval = OpeningInterval {
        start_minute: 0,
        end_minute: MINUTES_PER_DAY,
    };

    pub fn start_minute(self) -> u16 {
        self.start_minute
    }

    pub fn end_minute(self) -> u16 {
        self.end_minute
    }
}

fn minute_of_day((hour, minute): (u16, u16)) -> Result<u16, CareError> {
    let valid = (hour < 24 && minute < 60) || (hour == 24 && minute == 0);
    if !valid {
        return Err(CareError::config(
            "opening interval",
            format!("{hour}:{minute:02} is not a time of day"),
        ));
    }
    Ok(hour * 60 + minute)
}

fn parse_time(text: &str) -> Result<(u16, u16), CareError> {
    let invalid = || {
        CareError::config(
            "opening interval",
            format!("{text:?} is not a time like 09:30"),
        )
    };
    let (hour, minute) = text.trim().split_once([':', 'h']).ok_or_else(invalid)?;
    let hour = hour.parse().map_err(|_| invalid())?;
    let minute = if minute.is_empty() {
        0
    } else {
        minute.parse().map_err(|_| invalid())?
    };
    Ok((hour, minute))
}

impl FromStr for OpeningInterval {
    type Err = CareError;

    /// Reads `09:00-12:30` (an en dash works too, and `9h00` as French write it).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (start, end) = text.split_once(['-', '–']).ok_or_else(|| {
            CareError::config(
                "opening interval",
                format!("{text:?} is not an interval like 09:00-12:30"),
            )
        })?;
        OpeningInterval::new(parse_time(start)?, parse_time(end)?)
    }
}

impl TryFrom<String> for OpeningInterval {
    type Error = CareError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<OpeningInterval> for String {
    fn from(interval: OpeningInterval) -> String {
        let (start, end) = (interval.start_minute, interval.end_minute);
        format!(
            "{:02}:{:02}-{:02}:{:02}",
            start / 60,
            start % 60,
            end / 60,
            end % 60
        )
    }
}

impl fmt::Display for OpeningInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from(*self))
    }
}

/// The opening intervals of each weekday. A day with no interval is closed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeklyHours {
    #[serde(default)]
    pub monday: Vec<OpeningInterval>,
    #[serde(default)]
    pub tuesday: Vec<OpeningInterval>,
    #[serde(default)]
    pub wednesday: Vec<OpeningInterval>,
    #[serde(default)]
    pub thursday: Vec<OpeningInterval>,
    #[serde(default)]
    pub friday: Vec<OpeningInterval>,
    #[serde(default)]
    pub saturday: Vec<OpeningInterval>,
    #[serde(default)]
    pub sunday: Vec<OpeningInterval>,
}

impl WeeklyHours {
    /// The same intervals on each of `days`, closed on the others.
    pub fn on_days(days: &[Weekday], intervals: &[OpeningInterval]) -> WeeklyHours {
        let mut hours = WeeklyHours::default();
        for day in days {
            *hours.day_mut(*day) = intervals.to_vec();
        }
        hours
    }

    /// Monday to Friday, the same intervals each day.
    pub fn weekdays(intervals: &[OpeningInterval]) -> WeeklyHours {
        use Weekday::*;
        WeeklyHours::on_days(&[Mon, Tue, Wed, Thu, Fri], intervals)
    }

    /// Open every day around the clock.
    pub fn always_open() -> WeeklyHours {
        use Weekday::*;
        WeeklyHours::on_days(
            &[Mon, Tue, Wed, Thu, Fri, Sat, Sun],
            &[OpeningInterval::WHOLE_DAY],
        )
    }

    pub fn day(&self, day: Weekday) -> &[OpeningInterval] {
        match day {
            Weekday::Mon => &self.monday,
            Weekday::Tue => &self.tuesday,
            Weekday::Wed => &self.wednesday,
            Weekday::Thu => &self.thursday,
            Weekday::Fri => &self.friday,
            Weekday::Sat => &self.saturday,
            Weekday::Sun => &self.sunday,
        }
    }

    fn day_mut(&mut self, day: Weekday) -> &mut Vec<OpeningInterval> {
        match day {
            Weekday::Mon => &mut self.monday,
            Weekday::Tue => &mut self.tuesday,
            Weekday::Wed => &mut self.wednesday,
            Weekday::Thu => &mut self.thursday,
            Weekday::Fri => &mut self.friday,
            Weekday::Sat => &mut self.saturday,
            Weekday::Sun => &mut self.sunday,
        }
    }

    /// Sorts each day's intervals, merges those that touch, and refuses overlaps and an
    /// empty week (a calendar that never opens would never give a due time).
    pub(crate) fn normalised(mut self) -> Result<WeeklyHours, CareError> {
        let mut any_opening = false;
        for day in super::WEEK {
            let intervals = self.day_mut(day);
            intervals.sort();
            let mut merged: Vec<OpeningInterval> = Vec::with_capacity(intervals.len());
            for interval in intervals.drain(..) {
                match merged.last_mut() {
                    Some(last) if interval.start_minute < last.end_minute => {
                        return Err(CareError::config(
                            "opening hours",
                            format!("{last} and {interval} overlap on {day}"),
                        ));
                    }
                    Some(last) if interval.start_minute == last.end_minute => {
                        last.end_minute = interval.end_minute
                    }
                    _ => merged.push(interval),
                }
            }
            any_opening |= !merged.is_empty();
            *intervals = merged;
        }
        if !any_opening {
            return Err(CareError::config(
                "opening hours",
                "the calendar is never open",
            ));
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse_and_print_back() {
        let interval: OpeningInterval = "9:00-12:30".parse().unwrap();
        assert_eq!(interval, OpeningInterval::new((9, 0), (12, 30)).unwrap());
        assert_eq!(interval.to_string(), "09:00-12:30");
        assert_eq!(
            "13h30–19h".parse::<OpeningInterval>().unwrap().to_string(),
            "13:30-19:00"
        );
        assert_eq!(
            "00:00-24:00".parse::<OpeningInterval>().unwrap(),
            OpeningInterval::WHOLE_DAY
        );
        for bad in [
            "",
            "9-",
            "19:00-09:00",
            "10:00-10:00",
            "24:30-25:00",
            "nine-ten",
            "09:60-10:00",
        ] {
            assert!(bad.parse::<OpeningInterval>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn weeks_are_sorted_merged_and_checked() {
        let morning: OpeningInterval = "09:00-12:00".parse().unwrap();
        let noon: OpeningInterval = "12:00-14:00".parse().unwrap();
        let hours = WeeklyHours::weekdays(&[noon, morning])
            .normalised()
            .unwrap();
        assert_eq!(hours.monday, ["09:00-14:00".parse().unwrap()]);
        let overlap: OpeningInterval = "11:00-13:00".parse().unwrap();
        assert!(
            WeeklyHours::weekdays(&[morning, overlap])
                .normalised()
                .is_err()
        );
        assert!(WeeklyHours::default().normalised().is_err());
    }
}
