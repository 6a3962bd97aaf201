//! The listening pages (issue #7 §1): topics with a live query preview, the search with
//! facets, and the listening dashboard. Shared here: links into the search (every chart
//! drills down to it) and the plain-words explanation of a query error.

mod dashboard;
mod search;
mod topics;

use chrono::{DateTime, Utc};
use domain::TopicId;
use service::listening::QueryProblem;
#[cfg(test)]
use service::listening::query_problem;

use crate::i18n::Tr;

pub use dashboard::{dashboard, dashboard_charts, DashboardView};
pub use search::{search, SearchView};
pub use topics::{topics, TopicsView};

/// Percent-encodes a query-string value (everything but unreserved characters).
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// Where a drill-down goes: a query, optionally narrowed to a topic and a window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchLink {
    pub query: String,
    pub topic: Option<TopicId>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl SearchLink {
    pub fn href(&self) -> String {
        let mut href = format!("/app/search?q={}", encode(if self.query.trim().is_empty() { "*" } else { &self.query }));
        if let Some(topic) = self.topic {
            href.push_str(&format!("&topic={}", topic.0));
        }
        if let Some(from) = self.from {
            href.push_str(&format!("&from={}", encode(&from.to_rfc3339())));
        }
        if let Some(to) = self.to {
            href.push_str(&format!("&to={}", encode(&to.to_rfc3339())));
        }
        href
    }

    /// The same search with one more filter (`source:x`, `reason:…`).
    pub fn refined(&self, filter: &str) -> SearchLink {
        SearchLink { query: refine(&self.query, filter), ..self.clone() }
    }
}

/// `query` narrowed by `filter`: parentheses keep an `OR` from swallowing the filter.
pub fn refine(query: &str, filter: &str) -> String {
    let query = query.trim();
    if query.is_empty() || query == "*" {
        return filter.to_owned();
    }
    if query.split_whitespace().any(|word| word == filter) {
        return query.to_owned();
    }
    if query.split_whitespace().any(|word| word == "OR") {
        format!("({query}) {filter}")
    } else {
        format!("{query} {filter}")
    }
}

/// A value usable after `field:` in a query (no spaces, quotes or parentheses).
pub fn field_value(value: &str) -> Option<&str> {
    (!value.is_empty() && !value.chars().any(|c| c.is_whitespace() || matches!(c, '"' | '(' | ')'))).then_some(value)
}

/// A query error in plain words, in the viewer's language.
pub fn explain_problem(tr: Tr, problem: &QueryProblem) -> String {
    let template = tr.t(&format!("query_error_{}", problem.code));
    let template = if template == "[?]" { problem.message.as_str() } else { template };
    template
        .replace("{position}", &problem.position.to_string())
        .replace("{near}", &problem.near)
        .replace("{subject}", problem.subject.as_deref().unwrap_or_default())
        .replace("{known}", problem.known.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Language;

    #[test]
    fn filters_are_added_without_changing_the_meaning() {
        assert_eq!(refine("*", "source:x"), "source:x");
        assert_eq!(refine("retard OR delay", "source:x"), "(retard OR delay) source:x");
        assert_eq!(refine("retard", "source:x"), "retard source:x");
        assert_eq!(refine("retard source:x", "source:x"), "retard source:x");
        for query in ["retard OR delay", "a -b", "\"lost luggage\" OR x"] {
            assert_eq!(query_problem(&refine(query, "lang:fr")), None, "a refined query parses");
        }
        assert_eq!(field_value("delay_or_cancellation"), Some("delay_or_cancellation"));
        assert_eq!(field_value("late flight"), None);
    }

    #[test]
    fn links_encode_every_part() {
        let link = SearchLink { query: "a&b=\"c\"".into(), topic: Some(TopicId(3)), from: DateTime::from_timestamp(0, 0), to: None };
        assert_eq!(link.href(), "/app/search?q=a%26b%3D%22c%22&topic=3&from=1970-01-01T00%3A00%3A00%2B00%3A00");
    }

    #[test]
    fn every_query_error_has_words_in_both_languages() {
        let broken = ["", "(a", "a)", "()", "\"a", "a NEAR/x b", "a NEAR/2 bc*", "a OR", "a NOT", "!!", "colour:red", "lang:1", "r*", "a*b", "~\"a b\""];
        let mut codes = std::collections::BTreeSet::new();
        for query in broken {
            let problem = query_problem(query).unwrap_or_else(|| panic!("{query:?} should not parse"));
            codes.insert(problem.code);
            for language in [Language::En, Language::Fr] {
                let text = explain_problem(Tr(language), &problem);
                assert!(!text.contains('{'), "{query:?} in {language:?}: {text}");
                assert_ne!(text, problem.message, "{query:?} ({}) has no {language:?} text", problem.code);
            }
        }
        assert_eq!(codes.len(), broken.len(), "one query per kind of error: {codes:?}");
    }
}
