//! Phone numbers as people write them ("+33 1 23 45 67 89", "01 23 45 67 89",
//! "(415) 555-0100", "+1-415-555-0100", "0033 1 23 45 67 89") turned into E.164
//! ("+33123456789"), for callbacks.
//!
//! A small normaliser rather than libphonenumber: the `phonenumber` crate (0.3.10) brings
//! about 40 crates (two regex-syntax versions, nom, quick-xml, strum, postcard) and a build
//! script that compiles its metadata; it took 1 min 30 s to build alone on the project's
//! 2-core machine, a heavy price for one function. It agreed with this module on every valid
//! number of the tests below (and this module also reads `0033…` and `011 33…` dialled from
//! the United States, which that crate did not). What it
//! checks: only digits and the usual separators; a country calling code that exists (the
//! ITU list, prefix-free); for the countries in [`DEFAULT_COUNTRIES`], the national
//! number's length and trunk prefix; for others, the E.164 bounds (at most 15 digits). It
//! does not check that a number is assigned, nor its type (mobile, fixed).

use std::fmt;
use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use crate::CareError;

/// A phone number in E.164 form: `+`, the country calling code, the national number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How numbers are written in one country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountryNumbering {
    /// ISO 3166-1 alpha-2.
    pub iso_code: &'static str,
    pub calling_code: &'static str,
    /// Dialled before a national number at home and dropped in E.164 (`0` in France).
    pub trunk_prefix: Option<&'static str>,
    /// Digits in the national number, trunk prefix excluded.
    pub national_digits: RangeInclusive<usize>,
    /// How to call abroad from there (`00`, or `011` in North America).
    pub international_prefix: &'static str,
}

const fn country(
    iso_code: &'static str,
    calling_code: &'static str,
    trunk_prefix: Option<&'static str>,
    national_digits: RangeInclusive<usize>,
) -> CountryNumbering {
    let international_prefix = if matches!(calling_code.as_bytes(), b"1") {
        "011"
    } else {
        "00"
    };
    CountryNumbering {
        iso_code,
        calling_code,
        trunk_prefix,
        national_digits,
        international_prefix,
    }
}

/// The countries a number may be written in national form for.
pub const DEFAULT_COUNTRIES: &[CountryNumbering] = &[
    country("FR", "33", Some("0"), 9..=9),
    country("US", "1", Some("1"), 10..=10),
    country("CA", "1", Some("1"), 10..=10),
    country("GB", "44", Some("0"), 9..=10),
    country("DE", "49", Some("0"), 6..=13),
    country("BE", "32", Some("0"), 8..=9),
    country("CH", "41", Some("0"), 9..=9),
    country("NL", "31", Some("0"), 9..=9),
    country("IE", "353", Some("0"), 7..=9),
    country("ES", "34", None, 9..=9),
    country("IT", "39", None, 6..=11),
    country("PT", "351", None, 9..=9),
    country("LU", "352", None, 4..=11),
    country("MA", "212", Some("0"), 9..=9),
];

/// The ITU country calling codes in use (E.164 assignments); they are prefix-free.
fn is_country_calling_code(code: u32) -> bool {
    matches!(
        code,
        1 | 7
            | 20 | 27 | 30..=34 | 36 | 39 | 40 | 41 | 43..=49 | 51..=58 | 60..=66 | 81 | 82 | 84 | 86
            | 90..=95 | 98
            | 211..=213 | 216 | 218 | 220..=258 | 260..=269 | 290 | 291 | 297..=299
            | 350..=359 | 370..=378 | 380..=383 | 385..=387 | 389 | 420 | 421 | 423
            | 500..=509 | 590..=599 | 670 | 672..=683 | 685..=692 | 800 | 808 | 850 | 852 | 853
            | 855 | 856 | 870 | 878 | 880..=883 | 886 | 888 | 960..=968 | 970..=977 | 979
            | 992..=998
    )
}

fn invalid(input: &str, reason: impl Into<String>) -> CareError {
    CareError::InvalidPhone {
        input: input.to_string(),
        reason: reason.into(),
    }
}

/// Normalises `input` to E.164. `default_country` (ISO code, such as `FR`) says how to read
/// a number written without its country code; without one, such a number is refused.
pub fn normalise_phone(
    input: &str,
    default_country: Option<&str>,
) -> Result<PhoneNumber, CareError> {
    let home = match default_country {
        Some(iso) => Some(
            DEFAULT_COUNTRIES
                .iter()
                .find(|country| country.iso_code.eq_ignore_ascii_case(iso.trim()))
                .ok_or_else(|| {
                    CareError::config(
                        "default country",
                        format!("{iso:?} is not one of the supported countries"),
                    )
                })?,
        ),
        None => None,
    };
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(invalid(input, "it is empty"));
    }
    // "+33 (0)1 23 45 67 89": the bracketed trunk prefix is a common way to write both forms.
    let without_bracketed_zero = trimmed.replace("(0)", "");
    let (plus, rest) = match without_bracketed_zero.strip_prefix('+') {
        Some(rest) => (true, rest.to_string()),
        None => (false, without_bracketed_zero.clone()),
    };
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '\u{A0}' | '\u{202F}' | '.' | '-' | '–' | '/' | '(' | ')' => {}
            _ => {
                return Err(invalid(
                    input,
                    format!("it contains {c:?}; only digits, spaces, + . - / ( ) are allowed"),
                ));
            }
        }
    }
    if digits.is_empty() {
        return Err(invalid(input, "it has no digits"));
    }

    let international = if plus {
        Some(digits.as_str())
    } else if let Some(rest) =
        digits.strip_prefix(home.map_or("00", |home| home.international_prefix))
    {
        Some(rest)
    } else {
        digits.strip_prefix("00")
    };
    let (calling_code, national) = match international {
        Some(number) => split_calling_code(input, number)?,
        None => {
            let Some(home) = home else {
                return Err(invalid(
                    input,
                    "no country code: write it as +33… or give a default country",
                ));
            };
            (
                home.calling_code.to_string(),
                strip_trunk_prefix(home, &digits).to_string(),
            )
        }
    };
    let known = DEFAULT_COUNTRIES
        .iter()
        .find(|country| country.calling_code == calling_code);
    let national = match known {
        // "+33 0 1 23…": a trunk prefix kept by mistake after the country code.
        Some(country) if !country.national_digits.contains(&national.len()) => {
            strip_trunk_prefix(country, &national).to_string()
        }
        _ => national,
    };
    if let Some(country) = known {
        if !country.national_digits.contains(&national.len()) {
            let (low, high) = (
                country.national_digits.start(),
                country.national_digits.end(),
            );
            let expected = if low == high {
                format!("{low}")
            } else {
                format!("{low} to {high}")
            };
            return Err(invalid(
                input,
                format!(
                    "a number in {} has {expected} digits after +{calling_code}, this one has {}",
                    country.iso_code,
                    national.len()
                ),
            ));
        }
        if calling_code == "1" && !national.starts_with(|c: char| ('2'..='9').contains(&c)) {
            return Err(invalid(
                input,
                "a North American area code cannot start with 0 or 1",
            ));
        }
    }
    if national.len() < 4 {
        return Err(invalid(input, "it is too short"));
    }
    if calling_code.len() + national.len() > 15 {
        return Err(invalid(
            input,
            "it is too long: E.164 numbers have at most 15 digits",
        ));
    }
    Ok(PhoneNumber(format!("+{calling_code}{national}")))
}

fn strip_trunk_prefix<'a>(country: &CountryNumbering, digits: &'a str) -> &'a str {
    match country.trunk_prefix {
        Some(prefix) => digits.strip_prefix(prefix).unwrap_or(digits),
        None => digits,
    }
}

fn split_calling_code(input: &str, number: &str) -> Result<(String, String), CareError> {
    for length in 1..=3 {
        let Some(code) = number.get(..length) else {
            break;
        };
        if code.parse().is_ok_and(is_country_calling_code) {
            return Ok((code.to_string(), number[length..].to_string()));
        }
    }
    let shown = number.get(..3).unwrap_or(number);
    Err(invalid(
        input,
        format!("+{shown}… is not a country calling code"),
    ))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn e164(input: &str, country: Option<&str>) -> String {
        normalise_phone(input, country)
            .unwrap_or_else(|error| panic!("{input:?}: {error}"))
            .to_string()
    }

    #[test]
    fn numbers_as_people_write_them() {
        let cases = [
            ("+33 1 23 45 67 89", None, "+33123456789"),
            ("+33 (0)1 23 45 67 89", None, "+33123456789"),
            ("+33 0 6 12 34 56 78", None, "+33612345678"),
            ("01 23 45 67 89", Some("FR"), "+33123456789"),
            ("01.23.45.67.89", Some("fr"), "+33123456789"),
            ("0033 1 23 45 67 89", Some("US"), "+33123456789"),
            ("0033123456789", None, "+33123456789"),
            ("(415) 555-0100", Some("US"), "+14155550100"),
            ("1-415-555-0100", Some("US"), "+14155550100"),
            ("+1-415-555-0100", None, "+14155550100"),
            ("011 33 1 23 45 67 89", Some("US"), "+33123456789"),
            ("+44 20 7946 0958", None, "+442079460958"),
            ("020 7946 0958", Some("GB"), "+442079460958"),
            (
                "06\u{A0}12\u{A0}34\u{A0}56\u{A0}78",
                Some("FR"),
                "+33612345678",
            ),
            ("+39 06 6982 1234", None, "+390669821234"),
            ("+81 3-1234-5678", None, "+81312345678"),
        ];
        for (input, country, expected) in cases {
            assert_eq!(e164(input, country), expected, "{input:?}");
        }
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        let refused = [
            ("", Some("FR"), "empty"),
            ("call me maybe", Some("FR"), "contains 'c'"),
            ("+", None, "no digits"),
            (
                "01 23 45",
                Some("FR"),
                "has 9 digits after +33, this one has 5",
            ),
            ("01 23 45 67 89 10", Some("FR"), "this one has 11"),
            ("01 23 45 67 89", None, "no country code"),
            (
                "+999 123 456 789",
                None,
                "+999… is not a country calling code",
            ),
            ("(015) 555-0100", Some("US"), "area code"),
            ("+1234567890123456", None, ""),
            ("555-0100 ext. 12", Some("US"), "contains 'e'"),
        ];
        for (input, country, reason) in refused {
            let error = normalise_phone(input, country).unwrap_err();
            assert!(error.to_string().contains(reason), "{input:?}: {error}");
            assert_eq!(error.kind(), domain::ErrorKind::Invalid);
        }
        assert!(matches!(
            normalise_phone("0123456789", Some("XX")),
            Err(CareError::InvalidConfig { .. })
        ));
    }

    proptest! {
        #[test]
        fn any_input_gives_e164_or_an_error(input in any::<String>(), country in prop::sample::select(vec!["FR", "US", "GB", "IT"])) {
            if let Ok(number) = normalise_phone(&input, Some(country)) {
                let digits = &number.as_str()[1..];
                prop_assert!(number.as_str().starts_with('+'));
                prop_assert!(digits.chars().all(|c| c.is_ascii_digit()));
                prop_assert!((5..=15).contains(&digits.len()));
            }
        }

        #[test]
        fn normalising_twice_changes_nothing(national in "[1-9][0-9]{8}") {
            let once = normalise_phone(&format!("0{national}"), Some("FR")).unwrap();
            prop_assert_eq!(normalise_phone(once.as_str(), None).unwrap(), once);
        }
    }
}
