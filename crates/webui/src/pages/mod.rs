//! The pages, one module per area, and the pieces they share.

pub mod admin;
pub mod care_admin;
pub mod alerting;
pub mod cases;
pub mod contacts;
pub mod crisis;
pub mod general;
pub mod incidents;
pub mod publishing;
pub mod reports;
pub mod listening;

use chrono::{DateTime, Utc};
use domain::StoredMention;
use maud::{html, Markup};

use crate::layout::Viewer;

/// A UTC instant, machine-readable in `datetime` and short for people.
pub fn datetime(_viewer: &Viewer, at: DateTime<Utc>) -> Markup {
    html! { time datetime=(at.to_rfc3339()) { (at.format("%Y-%m-%d %H:%M UTC")) } }
}

/// A link target taken from a stranger's data: only `http(s)` URLs become links (no
/// `javascript:`, `data:` or relative tricks).
pub fn safe_url(url: &str) -> Option<&str> {
    let lower = url.trim_start().get(..8).unwrap_or(url).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then_some(url.trim_start())
}

/// One mention in a list (overview, live stream); the live page's script builds the
/// same structure for new ones.
pub fn mention_row(viewer: &Viewer, stored: &StoredMention) -> Markup {
    let mention = &stored.mention;
    let sentiment = stored.enrichment.as_ref().map(|enrichment| enrichment.sentiment.as_str());
    html! {
        li.item tabindex="-1" data-mention-id=(stored.id.0) {
            div.meta {
                span.source { (mention.source.as_str()) }
                " "
                span.author {
                    @if let Some(name) = &mention.author.display_name { bdi { (name) } " " }
                    span.handle { "@" bdi { (mention.author.handle) } }
                }
                " "
                (datetime(viewer, mention.created_at))
                @if let Some(sentiment) = sentiment { " " span.sentiment data-sentiment=(sentiment) { (viewer.t(&format!("sentiment_{sentiment}"))) } }
            }
            p.text dir="auto" { bdi { (mention.text) } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_urls_become_links() {
        assert_eq!(safe_url("https://example.org/a"), Some("https://example.org/a"));
        assert_eq!(safe_url("HTTP://example.org"), Some("HTTP://example.org"));
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url(" JaVaScRiPt:alert(1)"), None);
        assert_eq!(safe_url("data:text/html,<script>"), None);
        assert_eq!(safe_url("//evil.example"), None);
        assert_eq!(safe_url("é"), None);
    }
}
