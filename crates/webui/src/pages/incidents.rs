//! Incidents (issue #7 §2): the list (`/app/incidents`) and one incident
//! (`/app/incidents/{id}`): its chart with the anomaly marked, what drives it, the related
//! mentions and cases, its timeline, and the owner and status forms (PATCH through
//! `app.js`). Drivers and mentions are strangers' text: maud escapes all of it.

use domain::StoredMention;
use maud::{html, Markup};
use serde::Serialize;
use service::cases::CasePage;
use service::early_warning::{Incident, Page};

use crate::charts::{format_number, line_chart, ChartText, Series, TimeChart};
use crate::layout::{page, Section, Viewer};
use crate::pages::{datetime, mention_row};

/// The driver kinds in the order the page shows them.
const DRIVER_KINDS: [&str; 4] = ["term", "place", "source", "author"];
/// How a bucket is labelled on the chart.
const BUCKET_LABEL: &str = "%d %H:%M";
/// Incident statuses in their order.
const INCIDENT_STATUSES: [&str; 3] = ["open", "acknowledged", "resolved"];

fn name_of(value: impl Serialize) -> String {
    serde_json::to_value(value).ok().and_then(|value| value.as_str().map(str::to_string)).unwrap_or_default()
}

/// The few strongest drivers, for the list: `panne, réseau, Lyon`.
fn top_drivers(incident: &Incident, count: usize) -> String {
    let mut drivers: Vec<_> = incident.drivers.iter().collect();
    drivers.sort_by(|a, b| b.score.total_cmp(&a.score));
    drivers.iter().take(count).map(|driver| driver.value.as_str()).collect::<Vec<_>>().join(", ")
}

fn status_label(viewer: &Viewer, status: &str) -> &'static str {
    viewer.t(&format!("incident_status_{status}"))
}

/// `/app/incidents`.
pub fn list(viewer: &Viewer, incidents: &Page<Incident>) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let body = html! {
        p.hint { (t("incidents_what")) }
        table.data #incidents {
            caption.visually-hidden { (t("nav_incidents")) }
            thead { tr {
                th scope="col" { (t("incident")) } th scope="col" { (t("incident_status")) } th scope="col" { (t("incident_owner")) }
                th scope="col" { (t("incident_opened")) } th scope="col" { (t("incident_size")) } th scope="col" { (t("incident_drivers")) }
            } }
            tbody {
                @for incident in &incidents.items {
                    tr data-incident-id=(incident.id) data-status=(incident.status.as_str()) {
                        td { a href={"/app/incidents/" (incident.id)} { "#" (incident.id) " " bdi { (incident.slice) } } }
                        td { span.incident-status data-status=(incident.status.as_str()) { (status_label(viewer, incident.status.as_str())) } }
                        td { @match &incident.owner { Some(owner) => bdi { (owner) }, None => (t("incident_no_owner")) } }
                        td { (datetime(viewer, incident.started_at)) }
                        td { (incident.mention_count) }
                        td { bdi { (top_drivers(incident, 4)) } }
                    }
                }
            }
        }
        @if incidents.items.is_empty() { p #incidents-empty { (t("incidents_empty")) } }
        @if let Some(cursor) = &incidents.next_cursor {
            p { a rel="next" href={"/app/incidents?cursor=" (cursor)} { (t("next_page")) } }
        }
    };
    page(viewer, Section::Incidents, t("nav_incidents"), body)
}

/// What one incident's page shows.
pub struct IncidentView<'a> {
    pub incident: &'a Incident,
    pub mentions: &'a [StoredMention],
    /// `None` when the caller may not read cases.
    pub cases: Option<&'a CasePage>,
    pub may_manage: bool,
}

fn chart(viewer: &Viewer, incident: &Incident) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let buckets = &incident.buckets;
    let hot = |at: chrono::DateTime<chrono::Utc>| at >= incident.started_at && incident.ended_at.is_none_or(|end| at <= end);
    let chart = TimeChart {
        text: ChartText {
            title: format!("{} #{}", t("incident_chart"), incident.id),
            description: t("incident_chart_desc").to_string(),
            x_label: t("incident_bucket_axis").to_string(),
            y_label: t("incident_count_axis").to_string(),
            table_summary: t("chart_data").to_string(),
        },
        buckets: buckets.iter().map(|bucket| bucket.at.format(BUCKET_LABEL).to_string()).collect(),
        series: vec![Series { name: t("incident_count_axis").to_string(), values: buckets.iter().map(|bucket| bucket.count as f64).collect() }],
        anomalies: buckets.iter().enumerate().filter(|(_, bucket)| hot(bucket.at)).map(|(index, _)| index).collect(),
        hrefs: vec![],
    };
    line_chart(&chart)
}

fn drivers(viewer: &Viewer, incident: &Incident) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    html! {
        @if incident.drivers.is_empty() { p { (t("incident_no_drivers")) } }
        div.columns #incident-drivers {
            @for kind in DRIVER_KINDS {
                @let of_kind: Vec<_> = incident.drivers.iter().filter(|driver| name_of(driver.kind) == kind).collect();
                @if !of_kind.is_empty() {
                    table.data data-kind=(kind) {
                        caption { (t(&format!("driver_kind_{kind}"))) }
                        thead { tr { th scope="col" { (t("driver_value")) } th scope="col" { (t("driver_count")) } th scope="col" { (t("driver_lift")) } } }
                        tbody {
                            @for driver in of_kind {
                                tr { th scope="row" { bdi.driver { (driver.value) } } td { (driver.window_count) } td { "×" (format_number(driver.lift)) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn manage(viewer: &Viewer, incident: &Incident) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let action = format!("/api/v1/incidents/{}", incident.id);
    let redirect = format!("/app/incidents/{}", incident.id);
    let current = incident.status.as_str();
    html! {
        div.actions #incident-actions {
            form.api-form.inline data-method="PATCH" data-action=(action) data-redirect=(redirect) {
                label for="incident-status" { (t("incident_status")) }
                select #incident-status name="status" {
                    @for status in INCIDENT_STATUSES { option value=(status) selected[status == current] { (status_label(viewer, status)) } }
                }
                button type="submit" #incident-status-save { (t("save")) }
            }
            form.api-form.inline data-method="PATCH" data-action=(action) data-redirect=(redirect) {
                label for="incident-owner" { (t("incident_owner")) }
                input #incident-owner name="owner" maxlength="200" value=(incident.owner.as_deref().unwrap_or(""));
                button type="submit" #incident-owner-save { (t("save")) }
            }
        }
    }
}

/// `/app/incidents/{id}`.
pub fn show(viewer: &Viewer, view: &IncidentView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let incident = view.incident;
    let title = format!("{} #{}", t("incident"), incident.id);
    let body = html! {
        dl.profile.case-facts #incident-facts {
            dt { (t("incident_slice")) } dd { bdi { (incident.slice) } }
            dt { (t("incident_status")) } dd #incident-current-status data-status=(incident.status.as_str()) { (status_label(viewer, incident.status.as_str())) }
            dt { (t("incident_owner")) } dd { @match &incident.owner { Some(owner) => bdi { (owner) }, None => (t("incident_no_owner")) } }
            dt { (t("incident_opened")) } dd { (datetime(viewer, incident.started_at)) }
            dt { (t("incident_ended")) } dd { @match incident.ended_at { Some(end) => (datetime(viewer, end)), None => (t("incident_ongoing")) } }
            dt { (t("incident_size")) } dd #incident-size { (incident.mention_count) }
            dt { (t("incident_peak")) } dd { (format_number(incident.peak)) }
        }
        // The crisis-mode page (broadcast, bulk reply with previews) lives at this address.
        p.crisis-slot { a.button #crisis-mode href={"/app/incidents/" (incident.id) "/crisis"} { (t("incident_crisis_mode")) } }
        @if view.may_manage { (manage(viewer, incident)) }
        section aria-labelledby="explain-title" {
            h2 #explain-title { (t("incident_explanation")) }
            p.hint #incident-summary { (t("incident_driven_by")) " " bdi { (top_drivers(incident, 5)) } }
            (chart(viewer, incident))
            (drivers(viewer, incident))
        }
        div.columns {
            section aria-labelledby="mentions-title" {
                h2 #mentions-title { (t("incident_mentions")) }
                ol.list #incident-mentions { @for stored in view.mentions { (mention_row(viewer, stored)) } }
                @if view.mentions.is_empty() { p { (t("incident_no_mentions")) } }
            }
            section aria-labelledby="cases-title" {
                h2 #cases-title { (t("incident_cases")) }
                @match view.cases {
                    Some(cases) => {
                        ul #incident-cases {
                            @for summary in &cases.items {
                                li { a href={"/app/cases/" (summary.case.id)} { "#" (summary.case.id) " " bdi dir="auto" { (summary.case.subject) } }
                                    " · " (t(&format!("status_{}", summary.case.status))) }
                            }
                        }
                        @if cases.items.is_empty() { p { (t("incident_no_cases")) } }
                    }
                    None => p { (t("incident_cases_hidden")) },
                }
            }
        }
        section aria-labelledby="timeline-title" {
            h2 #timeline-title { (t("incident_timeline")) }
            ol.list #incident-timeline {
                @for event in incident.timeline.iter().rev() {
                    li.item data-event=(event.event) {
                        div.meta { span.source { (t(&format!("incident_event_{}", event.event))) } " " (datetime(viewer, event.at)) }
                        p.text { bdi { (event.detail) } }
                    }
                }
            }
        }
    };
    page(viewer, Section::Incidents, &title, body)
}
