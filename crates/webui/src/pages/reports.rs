//! The supervisor's pages: the care report (`/app/reports`: response and resolution times,
//! SLA compliance by hour, day, team and agent, backlog, CSAT, customers served, each
//! chart drilling down to the inbox and each table exported as CSV) and the staffing
//! forecast (`/app/staffing`: next week's arrivals per hour beside the roster and the
//! agents Erlang C recommends). Numbers come from the same service calls as the API.

use maud::{html, Markup};
use service::cases::{CareReport, Compliance, DurationStats, ReportLine, StaffingReport};

use crate::charts::{bar_chart, histogram, line_chart, stacked_bars, Bar, Bin, ChartText, Marker, Series, TimeChart};
use crate::layout::{page, Section, Viewer};
use crate::pages::datetime;

/// The filters the report page was asked for, as typed (kept in the form and the links).
#[derive(Debug, Clone, Default)]
pub struct ReportFilters {
    pub from: String,
    pub to: String,
    pub team: Option<i64>,
    pub agent: Option<i64>,
}

impl ReportFilters {
    /// `from=…&to=…&team=…&agent=…` with the report's resolved period (RFC 3339 instants).
    fn query(&self, report: &CareReport) -> String {
        let mut query = format!("from={}&to={}", encode(&report.from.to_rfc3339()), encode(&report.to.to_rfc3339()));
        if let Some(team) = self.team {
            query.push_str(&format!("&team={team}"));
        }
        if let Some(agent) = self.agent {
            query.push_str(&format!("&agent={agent}"));
        }
        query
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// What the report page shows.
pub struct ReportView<'a> {
    pub report: &'a CareReport,
    pub filters: &'a ReportFilters,
    /// Teams and agents for the filters: `(id, name)`.
    pub teams: &'a [(i64, String)],
    pub agents: &'a [(i64, String)],
}

fn percent(rate: Option<f64>) -> String {
    match rate {
        Some(rate) => format!("{} %", crate::charts::format_number((rate * 1000.0).round() / 10.0)),
        None => "–".to_string(),
    }
}

fn minutes(value: Option<u64>, viewer: &Viewer) -> String {
    match value {
        Some(minutes) if minutes >= 120 => format!("{} {}", crate::charts::format_number(minutes as f64 / 60.0), viewer.t("unit_hours")),
        Some(minutes) => format!("{minutes} {}", viewer.t("unit_minutes")),
        None => "–".to_string(),
    }
}

/// Where a chart's bar or point leads: the inbox, filtered to the cases behind it (the
/// period, the report's team and agent unless `extra` names its own).
fn inbox_link(view: &ReportView, extra: &str) -> String {
    let report = view.report;
    let queue = if extra.contains("queue=") { "" } else { "queue=all&" };
    let mut link = format!("/app/inbox?{queue}from={}&to={}", encode(&report.from.to_rfc3339()), encode(&report.to.to_rfc3339()));
    if let Some(team) = view.filters.team.filter(|_| !extra.contains("team=")) {
        link.push_str(&format!("&team={team}"));
    }
    if let Some(agent) = view.filters.agent.filter(|_| !extra.contains("assignee=") && !extra.contains("queue=")) {
        link.push_str(&format!("&assignee={agent}"));
    }
    link.push_str(extra);
    link
}

fn figure(id: &str, label: &str, value: String, href: Option<String>) -> Markup {
    html! {
        li {
            strong #(id) data-value=(value) {
                @if let Some(href) = href { a href=(href) { (value) } } @else { (value) }
            }
            (label)
        }
    }
}

fn filters_form(viewer: &Viewer, view: &ReportView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    html! {
        form.inline.report-filters method="get" action="/app/reports" {
            div { label for="report-from" { (t("report_from")) } input #report-from type="date" name="from" value=(view.filters.from); }
            div { label for="report-to" { (t("report_to")) } input #report-to type="date" name="to" value=(view.filters.to); }
            div {
                label for="report-team" { (t("report_team")) }
                select #report-team name="team" {
                    option value="" { (t("any")) }
                    @for (id, name) in view.teams { option value=(id) selected[view.filters.team == Some(*id)] { (name) } }
                }
            }
            div {
                label for="report-agent" { (t("report_agent")) }
                select #report-agent name="agent" {
                    option value="" { (t("any")) }
                    @for (id, name) in view.agents { option value=(id) selected[view.filters.agent == Some(*id)] { (name) } }
                }
            }
            button type="submit" { (t("filter")) }
        }
    }
}

fn csv_link(viewer: &Viewer, view: &ReportView, table: &str) -> Markup {
    let href = format!("/api/v1/reports/care.csv?table={table}&{}", view.filters.query(view.report));
    html! { p { a.csv href=(href) download { (viewer.t("report_csv")) } } }
}

fn line_name(viewer: &Viewer, line: &ReportLine, unassigned_key: &str) -> String {
    match &line.name {
        Some(name) => name.clone(),
        None if line.key.is_empty() => viewer.t(unassigned_key).to_string(),
        None => format!("#{}", line.key),
    }
}

fn breakdown_table(viewer: &Viewer, id: &str, caption: &str, lines: &[(String, Option<String>, &ReportLine)]) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    html! {
        table.data #(id) {
            caption { (caption) }
            thead { tr {
                th scope="col" { (t("report_line")) } th scope="col" { (t("report_received")) }
                th scope="col" { (t("report_first_response_compliance")) } th scope="col" { (t("report_resolution_compliance")) }
                th scope="col" { (t("report_backlog")) }
            } }
            tbody {
                @for (label, href, line) in lines {
                    tr data-key=(line.key) {
                        th scope="row" { @if let Some(href) = href { a href=(href) { bdi { (label) } } } @else { bdi { (label) } } }
                        td { (line.received) }
                        td { (percent(line.first_response.rate)) " (" (line.first_response.met) "/" (line.first_response.met + line.first_response.breached) ")" }
                        td { (percent(line.resolution.rate)) " (" (line.resolution.met) "/" (line.resolution.met + line.resolution.breached) ")" }
                        td { (line.backlog) }
                    }
                }
            }
        }
    }
}

fn duration_chart(viewer: &Viewer, view: &ReportView, title_key: &str, stats: &DurationStats) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let last = stats.histogram.last().map_or(0, |bin| bin.low_minutes);
    let bins: Vec<Bin> = stats
        .histogram
        .iter()
        .map(|bin| Bin {
            low: bin.low_minutes as f64,
            high: bin.high_minutes.unwrap_or(last * 2) as f64,
            count: bin.cases,
            href: Some(inbox_link(view, "")),
        })
        .collect();
    let mut markers = Vec::new();
    if let Some(median) = stats.median_minutes {
        markers.push(Marker { label: format!("{} {}", t("report_median"), minutes(Some(median), viewer)), value: median as f64 });
    }
    if let Some(p90) = stats.p90_minutes {
        markers.push(Marker { label: format!("p90 {}", minutes(Some(p90), viewer)), value: p90 as f64 });
    }
    let text = ChartText {
        title: t(title_key).to_string(),
        description: format!("{} {} · {} {} · p90 {}", t("report_histogram_desc"), stats.cases, t("report_median"), minutes(stats.median_minutes, viewer), minutes(stats.p90_minutes, viewer)),
        x_label: t("report_minutes_axis").to_string(),
        y_label: t("report_cases_axis").to_string(),
        table_summary: t("chart_data").to_string(),
    };
    histogram(&text, &bins, &markers)
}

/// The two supervisor pages, as tabs.
fn tabs(viewer: &Viewer, current: &str) -> Markup {
    html! {
        nav.tabs aria-label=(viewer.t("nav_reports")) {
            ul {
                li { a href="/app/reports" aria-current=[(current == "reports").then_some("page")] { (viewer.t("nav_reports")) } }
                li { a href="/app/staffing" aria-current=[(current == "staffing").then_some("page")] { (viewer.t("nav_staffing")) } }
            }
        }
    }
}

/// `/app/reports`.
pub fn care_report(viewer: &Viewer, view: &ReportView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let report = view.report;
    let totals = &report.totals;
    let rate_of = |compliance: &Compliance| compliance.rate.map_or(0.0, |rate| rate * 100.0);
    let days: Vec<String> = report.by_day.iter().map(|line| line.key.clone()).collect();
    let day_links: Vec<String> = days.iter().map(|day| format!("/app/inbox?queue=all&from={day}&to={day}{}{}",
        view.filters.team.map(|team| format!("&team={team}")).unwrap_or_default(),
        view.filters.agent.map(|agent| format!("&assignee={agent}")).unwrap_or_default())).collect();
    let by_day = TimeChart {
        text: ChartText {
            title: t("report_by_day").to_string(),
            description: t("report_by_day_desc").to_string(),
            x_label: t("report_day_axis").to_string(),
            y_label: t("report_percent_axis").to_string(),
            table_summary: t("chart_data").to_string(),
        },
        buckets: days,
        series: vec![
            Series { name: t("report_first_response_compliance").to_string(), values: report.by_day.iter().map(|line| rate_of(&line.first_response)).collect() },
            Series { name: t("report_resolution_compliance").to_string(), values: report.by_day.iter().map(|line| rate_of(&line.resolution)).collect() },
        ],
        anomalies: vec![],
        hrefs: day_links,
    };
    let by_hour = TimeChart {
        text: ChartText {
            title: t("report_by_hour").to_string(),
            description: t("report_by_hour_desc").to_string(),
            x_label: format!("{} ({})", t("report_hour_axis"), report.time_zone),
            y_label: t("report_cases_axis").to_string(),
            table_summary: t("chart_data").to_string(),
        },
        buckets: report.by_hour.iter().map(|line| format!("{}h", line.key)).collect(),
        series: vec![
            Series { name: t("report_met").to_string(), values: report.by_hour.iter().map(|line| line.first_response.met as f64).collect() },
            Series { name: t("report_breached").to_string(), values: report.by_hour.iter().map(|line| line.first_response.breached as f64).collect() },
            Series {
                name: t("report_undecided").to_string(),
                values: report.by_hour.iter().map(|line| line.received.saturating_sub(line.first_response.met + line.first_response.breached) as f64).collect(),
            },
        ],
        anomalies: vec![],
        hrefs: report.by_hour.iter().map(|line| inbox_link(view, &format!("&hour={}", line.key))).collect(),
    };
    let team_lines: Vec<(String, Option<String>, &ReportLine)> = report
        .by_team
        .iter()
        .map(|line| (line_name(viewer, line, "report_no_team"), (!line.key.is_empty()).then(|| inbox_link(view, &format!("&team={}", line.key))), line))
        .collect();
    let agent_lines: Vec<(String, Option<String>, &ReportLine)> = report
        .by_agent
        .iter()
        .map(|line| {
            let extra = if line.key.is_empty() { "&queue=unassigned".to_string() } else { format!("&assignee={}", line.key) };
            (line_name(viewer, line, "unassigned"), Some(inbox_link(view, &extra)), line)
        })
        .collect();
    let bars = |lines: &[(String, Option<String>, &ReportLine)]| -> Vec<Bar> {
        lines.iter().map(|(label, href, line)| Bar { label: label.clone(), value: rate_of(&line.first_response), href: href.clone() }).collect()
    };
    let compliance_text = |title: &str| ChartText {
        title: title.to_string(),
        description: t("report_compliance_desc").to_string(),
        x_label: t("report_percent_axis").to_string(),
        y_label: t("report_line").to_string(),
        table_summary: t("chart_data").to_string(),
    };
    let backlog_href = inbox_link(view, "&status=open");
    let body = html! {
        (tabs(viewer, "reports"))
        (filters_form(viewer, view))
        p.hint #report-period data-from=(report.from.to_rfc3339()) data-to=(report.to.to_rfc3339()) {
            (t("report_period")) " " (datetime(viewer, report.from)) " → " (datetime(viewer, report.to)) " · " (report.time_zone)
        }
        ul.figures #report-totals {
            (figure("total-received", t("report_received"), totals.received.to_string(), Some(inbox_link(view, ""))))
            (figure("total-customers", t("report_customers_served"), if totals.customers_served_estimated { format!("≈ {}", totals.customers_served) } else { totals.customers_served.to_string() }, None))
            (figure("total-first-response", t("report_first_response_compliance"), percent(totals.first_response.rate), None))
            (figure("total-resolution", t("report_resolution_compliance"), percent(totals.resolution.rate), None))
            (figure("total-median", t("report_first_response_median"), minutes(report.first_response_time.median_minutes, viewer), None))
            (figure("total-p90", t("report_first_response_p90"), minutes(report.first_response_time.p90_minutes, viewer), None))
            (figure("total-backlog", t("report_backlog"), totals.backlog.to_string(), Some(backlog_href)))
            (figure("total-out-of-hours", t("report_out_of_hours_backlog"), totals.out_of_hours_backlog.to_string(), None))
            (figure("total-csat", t("report_csat"), report.csat.average.map(crate::charts::format_number).unwrap_or_else(|| "–".into()), None))
        }
        p.hint { (t("report_backlog_hint")) }
        section aria-labelledby="times-title" {
            h2 #times-title { (t("report_times")) }
            div.columns {
                div { (duration_chart(viewer, view, "report_first_response_time", &report.first_response_time)) (csv_link(viewer, view, "first_response_time")) }
                div { (duration_chart(viewer, view, "report_resolution_time", &report.resolution_time)) (csv_link(viewer, view, "resolution_time")) }
            }
        }
        section aria-labelledby="sla-title" {
            h2 #sla-title { (t("report_sla")) }
            (stacked_bars(&by_hour))
            (csv_link(viewer, view, "by_hour"))
            (line_chart(&by_day))
            (csv_link(viewer, view, "by_day"))
            (bar_chart(&compliance_text(t("report_by_team")), &bars(&team_lines)))
            (breakdown_table(viewer, "report-by-team", t("report_by_team"), &team_lines))
            (csv_link(viewer, view, "by_team"))
            (bar_chart(&compliance_text(t("report_by_agent")), &bars(&agent_lines)))
            (breakdown_table(viewer, "report-by-agent", t("report_by_agent"), &agent_lines))
            (csv_link(viewer, view, "by_agent"))
        }
        section aria-labelledby="csat-title" {
            h2 #csat-title { (t("report_csat")) }
            p { (t("report_csat_answers")) " " strong #csat-answers { (report.csat.answers) } " · " (t("report_csat_average")) " "
                strong { (report.csat.average.map(crate::charts::format_number).unwrap_or_else(|| "–".into())) } }
            p.hint { (t("report_csat_hint")) }
        }
    };
    page(viewer, Section::Reports, t("nav_reports"), body)
}

/// How an hour of the coming week is labelled on the chart.
const HOUR_LABEL: &str = "%a %d %Hh";

/// What the staffing page was asked for, as typed.
#[derive(Debug, Clone, Default)]
pub struct StaffingFilters {
    pub team: Option<i64>,
    pub handling_minutes: String,
    pub service_level: String,
    pub within_minutes: String,
    pub agents_on_duty: String,
}

/// `/app/staffing`.
pub fn staffing(viewer: &Viewer, staffing: &StaffingReport, filters: &StaffingFilters, teams: &[(i64, String)]) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let plan = &staffing.plan;
    let basis = serde_json::to_value(staffing.basis).ok().and_then(|value| value.as_str().map(str::to_string)).unwrap_or_default();
    let chart = TimeChart {
        text: ChartText {
            title: t("staffing_chart").to_string(),
            description: t("staffing_chart_desc").to_string(),
            x_label: format!("{} ({})", t("staffing_hour_axis"), staffing.time_zone),
            y_label: t("staffing_y_axis").to_string(),
            table_summary: t("chart_data").to_string(),
        },
        buckets: plan.hours.iter().map(|hour| hour.local_hour.format(HOUR_LABEL).to_string()).collect(),
        series: vec![
            Series { name: t("staffing_arrivals").to_string(), values: plan.hours.iter().map(|hour| hour.expected_arrivals).collect() },
            Series { name: t("staffing_recommended").to_string(), values: plan.hours.iter().map(|hour| f64::from(hour.recommended_agents)).collect() },
            Series { name: t("staffing_rostered").to_string(), values: plan.hours.iter().map(|hour| f64::from(hour.rostered_agents)).collect() },
        ],
        // The hours where the roster is short are marked like anomalies.
        anomalies: plan.hours.iter().enumerate().filter(|(_, hour)| hour.rostered_agents < hour.recommended_agents).map(|(index, _)| index).collect(),
        hrefs: vec![],
    };
    let body = html! {
        (tabs(viewer, "staffing"))
        form.inline.staffing-form method="get" action="/app/staffing" {
            div {
                label for="staffing-team" { (t("report_team")) }
                select #staffing-team name="team" {
                    option value="" { (t("any")) }
                    @for (id, name) in teams { option value=(id) selected[filters.team == Some(*id)] { (name) } }
                }
            }
            div { label for="handling" { (t("staffing_handling")) } input #handling type="number" name="handling_minutes" min="0.5" max="1440" step="0.5" value=(filters.handling_minutes); }
            div { label for="within" { (t("staffing_within")) } input #within type="number" name="within_minutes" min="0" max="10080" step="1" value=(filters.within_minutes); }
            div { label for="level" { (t("staffing_level")) } input #level type="number" name="service_level" min="0.01" max="0.99" step="0.01" value=(filters.service_level); }
            div { label for="on-duty" { (t("staffing_on_duty")) } input #on-duty type="number" name="agents_on_duty" min="0" max="10000" step="1" value=(filters.agents_on_duty) placeholder=(staffing.agents_on_duty); }
            button type="submit" { (t("staffing_compute")) }
        }
        ul.figures #staffing-figures {
            (figure("staffing-compliance", t("staffing_expected_compliance"), percent(Some(plan.expected_compliance)), None))
            (figure("staffing-understaffed", t("staffing_understaffed"), plan.understaffed_hours.to_string(), None))
            (figure("staffing-roster", t("staffing_roster"), staffing.agents_on_duty.to_string(), None))
            (figure("staffing-peak", t("staffing_peak"), plan.hours.iter().map(|hour| hour.recommended_agents).max().unwrap_or(0).to_string(), None))
        }
        p.hint #staffing-basis data-basis=(basis) { (t(&format!("staffing_basis_{basis}"))) " · " (t("staffing_history")) " " (staffing.cases_in_history) }
        (line_chart(&chart))
        p.hint { (t("staffing_hint")) }
    };
    page(viewer, Section::Reports, t("nav_staffing"), body)
}
