//! The two catalogues of UI strings (`i18n/en.toml`, `i18n/fr.toml`, flat `key = "text"`)
//! and the choice of a language: the signed-in user's stored preference, else the
//! visitor's `comptoir_lang` cookie, else the browser's `Accept-Language`, else English.

use std::collections::BTreeMap;
use std::sync::LazyLock;

pub use domain::Language;

const ENGLISH: &str = include_str!("../i18n/en.toml");
const FRENCH: &str = include_str!("../i18n/fr.toml");
/// Shown for a key missing from a catalogue.
const MISSING_TEXT: &str = "[?]";

fn parse(name: &str, text: &str) -> BTreeMap<String, String> {
    toml::from_str(text).unwrap_or_else(|error| panic!("the {name} catalogue is not flat TOML: {error}"))
}

static CATALOGUES: LazyLock<(BTreeMap<String, String>, BTreeMap<String, String>)> =
    LazyLock::new(|| (parse("English", ENGLISH), parse("French", FRENCH)));

/// Translates keys into one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr(pub Language);

impl Tr {
    /// The text for `key`; a visible marker when missing (tests keep both catalogues
    /// complete and every key used in the templates present).
    pub fn t(self, key: &str) -> &'static str {
        let (english, french) = &*CATALOGUES;
        let catalogue = match self.0 {
            Language::En => english,
            Language::Fr => french,
        };
        catalogue.get(key).map_or(MISSING_TEXT, String::as_str)
    }

    /// The `lang` attribute value.
    pub fn code(self) -> &'static str {
        self.0.as_str()
    }
}

/// The language a visitor gets before signing in: the cookie's choice, else the first
/// of French or English in `Accept-Language` by quality, else English.
pub fn visitor_language(cookie_choice: Option<&str>, accept_language: Option<&str>) -> Language {
    match cookie_choice {
        Some("fr") => return Language::Fr,
        Some("en") => return Language::En,
        _ => {}
    }
    let Some(header) = accept_language else { return Language::En };
    let mut best: Option<(f32, Language)> = None;
    for item in header.split(',').take(20) {
        let mut parts = item.trim().split(';');
        let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let quality = parts
            .find_map(|parameter| parameter.trim().strip_prefix("q="))
            .and_then(|value| value.parse::<f32>().ok())
            .unwrap_or(1.0);
        let language = match tag.split('-').next() {
            Some("fr") => Language::Fr,
            Some("en") => Language::En,
            _ => continue,
        };
        if best.is_none_or(|(best_quality, _)| quality > best_quality) {
            best = Some((quality, language));
        }
    }
    best.map_or(Language::En, |(_, language)| language)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_have_the_same_keys_and_no_empty_text() {
        let english = parse("English", ENGLISH);
        let french = parse("French", FRENCH);
        let only_english: Vec<_> = english.keys().filter(|key| !french.contains_key(*key)).collect();
        let only_french: Vec<_> = french.keys().filter(|key| !english.contains_key(*key)).collect();
        assert!(only_english.is_empty() && only_french.is_empty(), "only in en: {only_english:?}; only in fr: {only_french:?}");
        for (key, text) in english.iter().chain(french.iter()) {
            assert!(!text.trim().is_empty(), "{key} is empty");
        }
    }

    #[test]
    fn every_key_used_in_the_templates_is_in_the_catalogues() {
        let sources = [
            include_str!("layout.rs"),
            include_str!("pages/contacts.rs"),
            include_str!("pages/admin.rs"),
            include_str!("pages/general.rs"),
            include_str!("pages/cases.rs"),
            include_str!("pages/care_admin.rs"),
            include_str!("pages/reports.rs"),
            include_str!("pages/incidents.rs"),
            include_str!("pages/alerting.rs"),
            include_str!("pages/crisis.rs"),
            include_str!("pages/publishing.rs"),
            include_str!("pages/listening/topics.rs"),
            include_str!("pages/listening/search.rs"),
            include_str!("pages/listening/dashboard.rs"),
        ];
        let english = parse("English", ENGLISH);
        let mut missing = Vec::new();
        for source in sources {
            for piece in source.split("t(\"").skip(1) {
                let key = piece.split('"').next().unwrap_or_default();
                if !english.contains_key(key) {
                    missing.push(key.to_string());
                }
            }
        }
        assert!(missing.is_empty(), "keys used but not in the catalogues: {missing:?}");
    }

    #[test]
    fn translations_differ_by_language() {
        assert_eq!(Tr(Language::En).t("nav_contacts"), "Contacts");
        assert_eq!(Tr(Language::Fr).t("nav_admin"), "Administration");
        assert_eq!(Tr(Language::Fr).t("login_submit"), "Se connecter");
        assert_eq!(Tr(Language::En).t("no_such_key"), MISSING_TEXT);
    }

    #[test]
    fn the_visitor_language_follows_the_cookie_then_the_browser() {
        assert_eq!(visitor_language(Some("fr"), Some("en-GB")), Language::Fr);
        assert_eq!(visitor_language(None, Some("fr-FR,fr;q=0.9,en;q=0.8")), Language::Fr);
        assert_eq!(visitor_language(None, Some("de-DE, en;q=0.5, fr;q=0.4")), Language::En);
        assert_eq!(visitor_language(None, Some("de, es")), Language::En);
        assert_eq!(visitor_language(Some("xx"), None), Language::En);
    }
}
