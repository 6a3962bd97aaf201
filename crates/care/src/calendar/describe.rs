//! Opening hours in words, for the automatic acknowledgement sent outside opening hours:
//! "Monday to Friday, 9:00–19:00 (Europe/Paris)" or
//! "du lundi au vendredi, 9h00–19h00 (Europe/Paris)".

use chrono::Weekday;

use super::{BusinessCalendar, OpeningInterval, WEEK};

/// The languages opening hours can be described in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Language {
    English,
    French,
}

impl Language {
    /// `fr`, `fr-FR`, `fr_CA`… are French; anything else falls back to English.
    fn from_tag(tag: &str) -> Language {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("fr") {
            Language::French
        } else {
            Language::English
        }
    }

    fn day_name(self, day: Weekday) -> &'static str {
        const ENGLISH: [&str; 7] = [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ];
        const FRENCH: [&str; 7] = [
            "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
        ];
        let index = day.num_days_from_monday() as usize;
        match self {
            Language::English => ENGLISH[index],
            Language::French => FRENCH[index],
        }
    }

    fn days(self, first: Weekday, last: Weekday, count: usize) -> String {
        let (first_name, last_name) = (self.day_name(first), self.day_name(last));
        match (self, count) {
            (Language::English, 7) => "every day".to_string(),
            (Language::French, 7) => "tous les jours".to_string(),
            (Language::English, 1) => first_name.to_string(),
            (Language::French, 1) => format!("le {first_name}"),
            (Language::English, 2) => format!("{first_name} and {last_name}"),
            (Language::French, 2) => format!("le {first_name} et le {last_name}"),
            (Language::English, _) => format!("{first_name} to {last_name}"),
            (Language::French, _) => format!("du {first_name} au {last_name}"),
        }
    }

    fn time(self, minute_of_day: u16) -> String {
        let (hour, minute) = (minute_of_day / 60, minute_of_day % 60);
        match self {
            Language::English => format!("{hour}:{minute:02}"),
            Language::French => format!("{hour}h{minute:02}"),
        }
    }

    fn intervals(self, intervals: &[OpeningInterval]) -> String {
        if intervals == [OpeningInterval::WHOLE_DAY] {
            return match self {
                Language::English => "around the clock".to_string(),
                Language::French => "24 h/24".to_string(),
            };
        }
        let texts: Vec<String> = intervals
            .iter()
            .map(|interval| {
                format!(
                    "{}–{}",
                    self.time(interval.start_minute()),
                    self.time(interval.end_minute())
                )
            })
            .collect();
        let and = match self {
            Language::English => " and ",
            Language::French => " et ",
        };
        match texts.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{}{and}{last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

impl BusinessCalendar {
    /// The opening hours in plain words, in French for `lang` `fr` (or `fr-…`), in English
    /// otherwise. Consecutive days with the same hours are grouped; closed days are left
    /// out; holidays, if any are configured, are mentioned; the time zone closes the text.
    pub fn describe_opening_hours(&self, lang: &str) -> String {
        let language = Language::from_tag(lang);
        let mut groups: Vec<(Weekday, Weekday, usize, &[OpeningInterval])> = Vec::new();
        for day in WEEK {
            let intervals = self.opening_hours.day(day);
            match groups.last_mut() {
                Some((_, last, count, same)) if *same == intervals && last.succ() == day => {
                    *last = day;
                    *count += 1;
                }
                _ => groups.push((day, day, 1, intervals)),
            }
        }
        let parts: Vec<String> = groups
            .into_iter()
            .filter(|(_, _, _, intervals)| !intervals.is_empty())
            .map(|(first, last, count, intervals)| {
                format!(
                    "{}, {}",
                    language.days(first, last, count),
                    language.intervals(intervals)
                )
            })
            .collect();
        let holidays = match (self.holidays.is_empty(), language) {
            (true, _) => "",
            (false, Language::English) => ", except public holidays",
            (false, Language::French) => ", sauf jours fériés",
        };
        format!("{}{holidays} ({})", parts.join("; "), self.time_zone.name())
    }
}
