//! `/app/listening?topic=&range=`: volume over time by source and by sentiment with the
//! incidents marked, share of voice between topics, complaint reasons, intents, top
//! authors by real influence and emerging terms. Each chart (webui::charts) links every
//! bucket or bar to the mentions behind it and exports its table as CSV. The charts sit
//! in one region the script refreshes from `/app/listening/charts` while the page is open.

use chrono::{DateTime, Duration, Utc};
use domain::ListeningTopic;
use maud::{html, Markup};
use service::listening::{BucketSeries, ListeningDashboard, Range};

use super::{encode, field_value, SearchLink};
use crate::charts::{self, Bar, ChartText, Series, TimeChart};
use crate::layout::{page, Section, Viewer};
use crate::pages::datetime;

/// Seconds between two refreshes of the charts.
pub const REFRESH_SECONDS: u32 = 15;

pub struct DashboardView<'a> {
    pub dashboard: &'a ListeningDashboard,
    pub topics: &'a [ListeningTopic],
}

impl DashboardView<'_> {
    fn topic_param(&self) -> String {
        self.dashboard.topic.as_ref().map(|topic| topic.id.0.to_string()).unwrap_or_default()
    }

    fn window(&self) -> SearchLink {
        let dashboard = self.dashboard;
        SearchLink { query: "*".into(), topic: dashboard.topic.as_ref().map(|t| t.id), from: Some(dashboard.from), to: Some(dashboard.to) }
    }

    fn export_href(&self, chart: &str) -> String {
        format!(
            "/api/v1/dashboards/listening?topic={}&range={}&until={}&format=csv&chart={chart}",
            self.topic_param(),
            self.dashboard.range.as_str(),
            encode(&self.dashboard.to.to_rfc3339()),
        )
    }
}

fn text(viewer: &Viewer, key: &str, x_key: &str, y_key: &str) -> ChartText {
    ChartText {
        title: viewer.t(&format!("chart_{key}")).to_owned(),
        description: viewer.t(&format!("chart_{key}_desc")).to_owned(),
        x_label: viewer.t(x_key).to_owned(),
        y_label: viewer.t(y_key).to_owned(),
        table_summary: viewer.t("chart_table").to_owned(),
    }
}

fn bucket_label(bucket_seconds: i64, start: DateTime<Utc>) -> String {
    let format = match bucket_seconds {
        ..=3_600 => "%H:%M",
        ..86_400 => "%d/%m %Hh",
        ..=2_592_000 => "%d/%m/%Y",
        _ => "%m/%Y",
    };
    start.format(format).to_string()
}

fn time_chart(viewer: &Viewer, view: &DashboardView, key: &str, series: &[BucketSeries], name: impl Fn(&str) -> String) -> TimeChart {
    let dashboard = view.dashboard;
    let step = Duration::seconds(dashboard.bucket_seconds);
    let window = view.window();
    TimeChart {
        text: text(viewer, key, "chart_axis_time", "chart_axis_mentions"),
        buckets: dashboard.buckets.iter().map(|start| bucket_label(dashboard.bucket_seconds, *start)).collect(),
        series: series.iter().map(|s| Series { name: name(&s.name), values: s.counts.iter().map(|c| *c as f64).collect() }).collect(),
        anomalies: dashboard.anomalies.clone(),
        hrefs: dashboard.buckets.iter().map(|start| SearchLink { from: Some(*start), to: Some(*start + step), ..window.clone() }.href()).collect(),
    }
}

fn card(viewer: &Viewer, view: &DashboardView, chart: &str, figure: Markup) -> Markup {
    html! {
        div.dash-card data-chart=(chart) {
            (figure)
            p.export { a href=(view.export_href(chart)) download { (viewer.t("chart_export_csv")) span.visually-hidden { " — " (viewer.t(&format!("chart_{chart}"))) } } }
        }
    }
}

fn incidents(viewer: &Viewer, dashboard: &ListeningDashboard) -> Markup {
    html! {
        @if !dashboard.incidents.is_empty() {
            section.incidents aria-labelledby="dash-incidents" {
                h3 #dash-incidents { (viewer.t("dashboard_incidents")) }
                ul {
                    @for incident in &dashboard.incidents {
                        li {
                            a href={"/app/incidents/" (incident.id)} { (viewer.t("dashboard_incident")) " #" (incident.id) }
                            " — " bdi { (incident.slice) } " · " (incident.status) " · " (datetime(viewer, incident.started_at))
                        }
                    }
                }
            }
        }
    }
}

/// The charts region: what the page shows and what the refresh replaces.
pub fn dashboard_charts(viewer: &Viewer, view: &DashboardView) -> Markup {
    let t = |key| viewer.t(key);
    let dashboard = view.dashboard;
    let window = view.window();
    let sentiment = |value: &str| viewer.t(&format!("sentiment_{value}")).to_owned();
    let by_source = time_chart(viewer, view, "volume_by_source", &dashboard.by_source, str::to_owned);
    let by_sentiment = time_chart(viewer, view, "volume_by_sentiment", &dashboard.by_sentiment, sentiment);
    let share: Vec<Bar> = dashboard
        .share_of_voice
        .iter()
        .map(|s| Bar {
            label: format!("{} ({:.0} %)", s.name, s.share * 100.0),
            value: s.mentions as f64,
            href: Some(SearchLink { topic: Some(s.topic_id), ..window.clone() }.href()),
        })
        .collect();
    let value_bars = |values: &[service::listening::ValueCount], field: &str, label: &dyn Fn(&str) -> String| -> Vec<Bar> {
        values
            .iter()
            .map(|v| Bar {
                label: label(&v.value),
                value: v.mentions as f64,
                href: field_value(&v.value).map(|value| window.refined(&format!("{field}:{value}")).href()),
            })
            .collect()
    };
    let reasons = value_bars(&dashboard.reasons, "reason", &|value| value.replace('_', " "));
    let intents = value_bars(&dashboard.intents, "intent", &|value| viewer.t(&format!("intent_{value}")).to_owned());
    let authors: Vec<Bar> = dashboard
        .top_authors
        .iter()
        .map(|a| Bar {
            label: format!("@{} ({})", a.handle, a.source.as_str()),
            value: a.influence,
            href: field_value(&a.handle).map(|handle| {
                SearchLink { query: format!("author:@{handle} source:{}", a.source.as_str()), ..window.clone() }.href()
            }),
        })
        .collect();
    let topic_of = |name: &str| view.topics.iter().find(|topic| topic.topic.name == name).map(|topic| topic.id);
    let terms: Vec<Bar> = dashboard
        .emerging_terms
        .iter()
        .map(|term| Bar {
            label: format!("{} — {}", term.term, term.topic),
            value: term.count as f64,
            href: field_value(&term.term)
                .filter(|word| word.chars().all(char::is_alphanumeric))
                .map(|word| SearchLink { query: word.to_owned(), topic: topic_of(&term.topic), from: None, to: None }.href()),
        })
        .collect();
    html! {
        p.dash-summary role="status" {
            strong { (dashboard.total) } " " (t("dashboard_mentions_between")) " "
            (datetime(viewer, dashboard.from)) " " (t("dashboard_and")) " " (datetime(viewer, dashboard.to))
            " · " a href=(window.href()) { (t("dashboard_see_mentions")) }
        }
        div.dash-grid {
            (card(viewer, view, "volume_by_source", html! { (charts::stacked_bars(&by_source)) (incidents(viewer, dashboard)) }))
            (card(viewer, view, "volume_by_sentiment", charts::line_chart(&by_sentiment)))
            (card(viewer, view, "share_of_voice", charts::bar_chart(&text(viewer, "share_of_voice", "chart_axis_mentions", "chart_axis_topic"), &share)))
            (card(viewer, view, "reasons", charts::bar_chart(&text(viewer, "reasons", "chart_axis_mentions", "chart_axis_reason"), &reasons)))
            (card(viewer, view, "intents", charts::bar_chart(&text(viewer, "intents", "chart_axis_mentions", "chart_axis_intent"), &intents)))
            (card(viewer, view, "top_authors", charts::bar_chart(&text(viewer, "top_authors", "chart_axis_influence", "chart_axis_author"), &authors)))
            (card(viewer, view, "emerging_terms", charts::bar_chart(&text(viewer, "emerging_terms", "chart_axis_term_count", "chart_axis_term"), &terms)))
        }
    }
}

fn controls(viewer: &Viewer, view: &DashboardView) -> Markup {
    let t = |key| viewer.t(key);
    let dashboard = view.dashboard;
    let selected_topic = dashboard.topic.as_ref().map(|topic| topic.id);
    html! {
        form.dash-controls method="get" action="/app/listening" {
            label for="dash-topic" { (t("dashboard_topic")) }
            " "
            select #dash-topic name="topic" {
                option value="" selected[selected_topic.is_none()] { (t("dashboard_all_mentions")) }
                @for topic in view.topics {
                    option value=(topic.id.0) selected[selected_topic == Some(topic.id)] { (topic.topic.name) }
                }
            }
            " "
            label for="dash-range" { (t("dashboard_range")) }
            " "
            select #dash-range name="range" {
                @for range in [Range::Day, Range::Week, Range::Month, Range::All] {
                    option value=(range.as_str()) selected[dashboard.range == range] { (viewer.t(&format!("dashboard_range_{}", range.as_str()))) }
                }
            }
            " "
            button type="submit" { (t("dashboard_show")) }
        }
    }
}

/// `/app/listening`.
pub fn dashboard(viewer: &Viewer, view: &DashboardView) -> Markup {
    let t = |key| viewer.t(key);
    let refresh = format!("/app/listening/charts?topic={}&range={}", view.topic_param(), view.dashboard.range.as_str());
    let body = html! {
        p { a href="/app/topics" { (t("topics_title")) } " · " a href="/app/search" { (t("search_title")) } }
        (controls(viewer, view))
        p.hint #dash-live data-connected=(t("dashboard_live")) { (t("dashboard_live")) }
        div #listening-charts data-refresh=(refresh) data-refresh-seconds=(REFRESH_SECONDS) {
            (dashboard_charts(viewer, view))
        }
    };
    page(viewer, Section::Insights, t("nav_listening"), body)
}
