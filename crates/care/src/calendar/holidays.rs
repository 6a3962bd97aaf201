//! Public holidays, computed rather than listed, so a calendar can be filled for any year.

use chrono::{Duration, NaiveDate};

/// Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm, also known
/// as Meeus/Jones/Butcher). `None` outside the years chrono can represent.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
}

/// The eleven public holidays of metropolitan France (Code du travail, art. L3133-1):
/// New Year, Easter Monday, 1 May, 8 May, Ascension, Whit Monday, 14 July, 15 August,
/// 1 November, 11 November, Christmas. Sorted. Alsace-Moselle's two extra days are not in.
pub fn french_public_holidays(year: i32) -> Vec<NaiveDate> {
    let fixed = [
        (1, 1),
        (5, 1),
        (5, 8),
        (7, 14),
        (8, 15),
        (11, 1),
        (11, 11),
        (12, 25),
    ];
    let mut holidays: Vec<NaiveDate> = fixed
        .iter()
        .filter_map(|&(month, day)| NaiveDate::from_ymd_opt(year, month, day))
        .collect();
    if let Some(easter) = easter_sunday(year) {
        for days_after_easter in [1, 39, 50] {
            holidays.extend(easter.checked_add_signed(Duration::days(days_after_easter)));
        }
    }
    holidays.sort();
    holidays
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn easter_matches_known_dates() {
        for (year, month, day) in [
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
            (1818, 3, 22),
        ] {
            assert_eq!(easter_sunday(year), Some(date(year, month, day)));
        }
    }

    #[test]
    fn french_holidays_of_2026() {
        let holidays = french_public_holidays(2026);
        assert_eq!(holidays.len(), 11);
        for holiday in [
            date(2026, 4, 6),
            date(2026, 5, 14),
            date(2026, 5, 25),
            date(2026, 12, 25),
        ] {
            assert!(holidays.contains(&holiday), "{holiday}");
        }
        assert!(holidays.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn extreme_years_do_not_panic() {
        for year in [i32::MIN, -1, 0, 262_143, i32::MAX] {
            let _ = french_public_holidays(year);
        }
    }
}
