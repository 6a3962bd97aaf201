//! Alert rules (issue #7 §4): `/app/alerts` lists the rules with their test and delete
//! buttons, a form to create one (in-app, webhook or e-mail), and the alert history.
//! Every change is a call to `/api/v1/alert-rules` made by `app.js`.

use maud::{html, Markup};
use serde::Serialize;
use service::early_warning::{Alert, AlertRule};

use crate::layout::{page, Section, Viewer};
use crate::pages::datetime;

/// The kinds a rule may watch, in the form's order.
const ALERT_KINDS: [&str; 5] = ["volume_anomaly", "negative_anomaly", "keyword", "influential_author", "vip_contact"];
/// Where an alert may go.
const CHANNELS: [&str; 3] = ["in_app", "webhook", "email"];

fn name_of(value: impl Serialize) -> String {
    serde_json::to_value(value).ok().and_then(|value| value.as_str().map(str::to_string)).unwrap_or_default()
}

/// What the alerts page shows.
pub struct AlertsView<'a> {
    pub rules: &'a [AlertRule],
    pub alerts: &'a [Alert],
    pub may_manage: bool,
}

fn rule_row(viewer: &Viewer, rule: &AlertRule, may_manage: bool) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let kind = name_of(rule.kind);
    let channel = rule.channel["type"].as_str().unwrap_or("in_app").to_string();
    let action = format!("/api/v1/alert-rules/{}", rule.id);
    html! {
        tr data-rule-id=(rule.id) data-muted=(rule.muted) {
            th scope="row" { bdi { (rule.name) } @if rule.muted { " " span.muted { (t("alert_muted")) } } }
            td { (t(&format!("alert_kind_{kind}"))) }
            td { @if let Some(slice) = &rule.slice { bdi { (slice) } } @if let Some(keyword) = &rule.keyword { "« " bdi { (keyword) } " »" } }
            td { (t(&format!("alert_channel_{}", if CHANNELS.contains(&channel.as_str()) { channel.as_str() } else { "in_app" }))) }
            td { (datetime(viewer, rule.created_at)) }
            td {
                @if may_manage {
                    div.actions {
                        form.api-form.inline data-method="POST" data-action={(action) "/test"} data-redirect="/app/alerts" {
                            button type="submit" data-test-rule=(rule.id) { (t("alert_test")) }
                        }
                        form.api-form.inline data-method="PATCH" data-action=(action) data-redirect="/app/alerts" {
                            // A hidden checkbox sends a boolean: ticked mutes, unticked unmutes.
                            input type="checkbox" name="muted" hidden checked[!rule.muted] tabindex="-1" aria-hidden="true";
                            button type="submit" data-mute-rule=(rule.id) { (t(if rule.muted { "alert_unmute" } else { "alert_mute" })) }
                        }
                        form.api-form.inline data-method="DELETE" data-action=(action) data-redirect="/app/alerts" {
                            button.danger type="submit" data-delete-rule=(rule.id) { (t("delete")) }
                        }
                    }
                }
            }
        }
    }
}

fn create_form(viewer: &Viewer) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    html! {
        details.card #new-rule open {
            summary { (t("alert_new")) }
            form.api-form data-method="POST" data-action="/api/v1/alert-rules" data-redirect="/app/alerts" {
                label for="rule-name" { (t("alert_name")) }
                input #rule-name name="name" required maxlength="200";
                label for="rule-kind" { (t("alert_kind")) }
                select #rule-kind name="kind" {
                    @for kind in ALERT_KINDS { option value=(kind) { (t(&format!("alert_kind_{kind}"))) } }
                }
                label for="rule-slice" { (t("alert_slice")) }
                input #rule-slice name="slice" maxlength="200" placeholder="total, topic:…" aria-describedby="rule-slice-hint";
                p.hint #rule-slice-hint { (t("alert_slice_hint")) }
                label for="rule-keyword" { (t("alert_keyword")) }
                input #rule-keyword name="keyword" maxlength="200";
                label for="rule-influence" { (t("alert_min_influence")) }
                input #rule-influence name="min_influence" type="number" min="0" max="100" step="1" data-type="number";
                label for="rule-channel" { (t("alert_channel")) }
                select #rule-channel name="channel.type" {
                    @for channel in CHANNELS { option value=(channel) { (t(&format!("alert_channel_{channel}"))) } }
                }
                label for="rule-url" { (t("alert_webhook_url")) }
                input #rule-url name="channel.url" type="url" maxlength="2000";
                label for="rule-secret" { (t("alert_webhook_secret")) }
                input #rule-secret name="channel.secret" maxlength="200" autocomplete="off";
                label for="rule-to" { (t("alert_email_to")) }
                input #rule-to name="channel.to" maxlength="2000" data-split="," aria-describedby="rule-to-hint";
                p.hint #rule-to-hint { (t("alert_email_hint")) }
                button type="submit" #create-rule { (t("alert_create")) }
            }
        }
    }
}

/// `/app/alerts`.
pub fn alerts(viewer: &Viewer, view: &AlertsView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let body = html! {
        section aria-labelledby="rules-title" {
            h2 #rules-title { (t("alert_rules")) }
            table.data #alert-rules {
                caption.visually-hidden { (t("alert_rules")) }
                thead { tr {
                    th scope="col" { (t("alert_name")) } th scope="col" { (t("alert_kind")) } th scope="col" { (t("alert_watches")) }
                    th scope="col" { (t("alert_channel")) } th scope="col" { (t("alert_created")) } th scope="col" { (t("alert_actions")) }
                } }
                tbody { @for rule in view.rules { (rule_row(viewer, rule, view.may_manage)) } }
            }
            @if view.rules.is_empty() { p #alert-rules-empty { (t("alert_rules_empty")) } }
            @if view.may_manage { (create_form(viewer)) }
        }
        section aria-labelledby="history-title" {
            h2 #history-title { (t("alert_history")) }
            ol.list #alert-history {
                @for alert in view.alerts {
                    li.item data-alert-id=(alert.id) {
                        div.meta {
                            (datetime(viewer, alert.created_at))
                            @if alert.details["test"].as_bool() == Some(true) { " · " span.source { (t("alert_sample")) } }
                            @if let Some(incident) = alert.incident_id { " · " a href={"/app/incidents/" (incident)} { (t("incident")) " #" (incident) } }
                        }
                        p.text dir="auto" { bdi { (alert.text) } }
                    }
                }
            }
            @if view.alerts.is_empty() { p #alert-history-empty { (t("alert_history_empty")) } }
        }
    };
    page(viewer, Section::Alerts, t("nav_alerts"), body)
}
