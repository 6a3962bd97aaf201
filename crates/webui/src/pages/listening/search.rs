//! `/app/search?q=…&topic=&from=&to=&offset=`: mentions matching a listening query, with
//! facets (source, language, sentiment, intent, reason, topic) that refine the query
//! when clicked, pages, and the case of each hit that is in one. Every hit is a
//! stranger's text: maud escapes it, and only `http(s)` URLs become links.

use chrono::{DateTime, Utc};
use domain::{ListeningTopic, StoredMention};
use maud::{html, Markup};
use service::listening::ListeningSearchOutput;

use super::{field_value, SearchLink};
use crate::layout::{page, Section, Viewer};
use crate::pages::{datetime, safe_url};

pub struct SearchView<'a> {
    pub link: SearchLink,
    /// `None` when the query did not parse (then `problem` says why).
    pub output: Option<&'a ListeningSearchOutput>,
    /// The query error in plain words.
    pub problem: Option<String>,
    pub topic: Option<&'a ListeningTopic>,
    pub offset: usize,
    pub page_size: usize,
    pub may_read_cases: bool,
}

fn facet(viewer: &Viewer, link: &SearchLink, title_key: &str, field: &str, values: &[(String, u64)], label: impl Fn(&str) -> String) -> Markup {
    html! {
        @if !values.is_empty() {
            section.facet {
                h3 { (viewer.t(title_key)) }
                ul {
                    @for (value, count) in values.iter().take(12) {
                        li {
                            @if let Some(value) = field_value(value) {
                                a href=(link.refined(&format!("{field}:{value}")).href()) { bdi { (label(value)) } }
                            } @else {
                                bdi { (label(value)) }
                            }
                            " " span.count { "(" (count) ")" }
                        }
                    }
                }
            }
        }
    }
}

fn facets(viewer: &Viewer, view: &SearchView, output: &ListeningSearchOutput) -> Markup {
    let t = |key| viewer.t(key);
    let found = &output.found.facets;
    let link = &view.link;
    let same = |value: &str| value.to_owned();
    let sentiment = |value: &str| viewer.t(&format!("sentiment_{value}")).to_owned();
    let intent = |value: &str| viewer.t(&format!("intent_{value}")).to_owned();
    html! {
        aside.facets aria-labelledby="facets-title" {
            h2 #facets-title { (t("search_facets")) }
            (facet(viewer, link, "facet_source", "source", &found.by_source, same))
            (facet(viewer, link, "facet_language", "lang", &found.by_language, same))
            (facet(viewer, link, "facet_sentiment", "sentiment", &found.by_sentiment, sentiment))
            (facet(viewer, link, "facet_intent", "intent", &found.by_intent, intent))
            (facet(viewer, link, "facet_reason", "reason", &found.by_reason, |value: &str| value.replace('_', " ")))
            @if !output.by_topic.is_empty() {
                section.facet {
                    h3 { (t("facet_topic")) }
                    ul {
                        @for share in &output.by_topic {
                            li {
                                a href=(SearchLink { topic: Some(share.topic_id), ..link.clone() }.href()) { bdi { (share.name) } }
                                " " span.count { "(" (share.mentions) ")" }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn hit(viewer: &Viewer, stored: &StoredMention, case: Option<i64>) -> Markup {
    let t = |key| viewer.t(key);
    let mention = &stored.mention;
    let enrichment = stored.enrichment.as_ref();
    html! {
        li.item.hit tabindex="-1" data-mention-id=(stored.id.0) {
            div.meta {
                span.source { (mention.source.as_str()) }
                " "
                span.author {
                    @if let Some(name) = &mention.author.display_name { bdi { (name) } " " }
                    span.handle { "@" bdi { (mention.author.handle) } }
                }
                " " (datetime(viewer, mention.created_at))
                @if let Some(language) = &mention.language { " " span.lang { (language) } }
                @if let Some(enrichment) = enrichment {
                    " " span.sentiment data-sentiment=(enrichment.sentiment.as_str()) { (viewer.t(&format!("sentiment_{}", enrichment.sentiment.as_str()))) }
                    " " span.intent { (viewer.t(&format!("intent_{}", enrichment.intent.as_str()))) }
                    @if let Some(reason) = &enrichment.reason { " " span.reason { bdi { (reason) } } }
                }
            }
            @if let Some(title) = &mention.title { p.title dir="auto" { strong { bdi { (title) } } } }
            p.text dir="auto" { bdi { (mention.text) } }
            p.links {
                @if let Some(case) = case { a href={"/app/cases/" (case)} { (t("search_open_case")) " #" (case) } " " }
                @if let Some(url) = mention.url.as_deref().and_then(safe_url) { a href=(url) rel="noopener noreferrer nofollow" { (t("search_original")) } }
                @for topic in &stored.topics { " " span.topic-tag { bdi { (topic) } } }
            }
        }
    }
}

fn window_text(viewer: &Viewer, from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Markup {
    html! {
        @if let Some(from) = from { (viewer.t("search_from")) " " (datetime(viewer, from)) " " }
        @if let Some(to) = to { (viewer.t("search_to")) " " (datetime(viewer, to)) }
    }
}

fn pager(viewer: &Viewer, view: &SearchView, total: usize) -> Markup {
    let page_href = |offset: usize| format!("{}&offset={offset}", view.link.href());
    html! {
        nav.pager aria-label=(viewer.t("search_pages")) {
            @if view.offset > 0 { a rel="prev" href=(page_href(view.offset.saturating_sub(view.page_size))) { (viewer.t("previous_page")) } " " }
            @if view.offset + view.page_size < total { a rel="next" href=(page_href(view.offset + view.page_size)) { (viewer.t("next_page")) } }
        }
    }
}

/// `/app/search`.
pub fn search(viewer: &Viewer, view: &SearchView) -> Markup {
    let t = |key| viewer.t(key);
    let link = &view.link;
    let body = html! {
        form.search role="search" method="get" action="/app/search" {
            label for="q" { (t("search_label")) }
            input #q name="q" type="search" value=(link.query) maxlength="4096" data-search-box aria-describedby="search-help";
            @if let Some(topic) = link.topic { input type="hidden" name="topic" value=(topic.0); }
            @if let Some(from) = link.from { input type="hidden" name="from" value=(from.to_rfc3339()); }
            @if let Some(to) = link.to { input type="hidden" name="to" value=(to.to_rfc3339()); }
            button type="submit" { (t("search")) }
            br;
            span #search-help .hint { (t("topic_query_help")) }
        }
        @if view.topic.is_some() || link.from.is_some() || link.to.is_some() {
            p.filters {
                @if let Some(topic) = view.topic {
                    (t("search_in_topic")) " " strong { bdi { (topic.topic.name) } } " "
                    a href=(SearchLink { topic: None, ..link.clone() }.href()) { (t("search_remove_filter")) } " · "
                }
                @if link.from.is_some() || link.to.is_some() {
                    (window_text(viewer, link.from, link.to)) " "
                    a href=(SearchLink { from: None, to: None, ..link.clone() }.href()) { (t("search_remove_filter")) }
                }
            }
        }
        @if let Some(problem) = &view.problem { p.error role="alert" { (problem) } }
        @if let Some(output) = view.output {
            p.total role="status" { strong { (output.found.total) } " " (t("search_matches")) }
            div.search-layout {
                (facets(viewer, view, output))
                section.hits aria-labelledby="hits-title" {
                    h2 #hits-title .visually-hidden { (t("search_results")) }
                    @if output.found.mentions.is_empty() { p { (t("search_none")) } }
                    ol.mentions data-list start=(view.offset + 1) {
                        @for stored in &output.found.mentions {
                            @let case = output.cases.iter().find(|(id, _)| *id == stored.id).map(|(_, case)| *case).filter(|_| view.may_read_cases);
                            (hit(viewer, stored, case))
                        }
                    }
                    (pager(viewer, view, output.found.total))
                }
            }
        }
    };
    page(viewer, Section::Insights, t("search_title"), body)
}
