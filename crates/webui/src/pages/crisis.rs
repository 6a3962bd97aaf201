//! Crisis mode of an incident (issue #7 §2, issue #5 §4): `/app/incidents/{id}/crisis`.
//! Crisis mode on or off (and what it does), the broadcast composer with one length
//! counter per brand account's channel, the bulk reply and the outage notice: a template
//! becomes a stored preview of every message (`?preview=…`), shown whole — personalised,
//! signed, measured against its channel's limit, people already answered listed as
//! skipped, each channel's rate — and "send" names that preview and its digest, so what
//! goes out is exactly what was shown. Recipients and texts are strangers' words: maud
//! escapes all of it.

use std::collections::BTreeMap;

use domain::Source;
use maud::{html, Markup};
use service::early_warning::{Incident, IncidentStatus};
use service::publishing::{channel_length, BrandAccount, BulkPreview, CrisisView, PostRow, PublishingView};

use crate::layout::{page, Section, Viewer};
use crate::pages::datetime;

/// How the service records a notice previewed without a template of its own.
const DEFAULT_TEMPLATE: &str = "(default)";

/// The template a new bulk reply starts from (the people's names are filled per author).
const BULK_TEMPLATE_HINT: &str = "{name}, {handle}";

/// What the crisis page shows.
pub struct CrisisPageView<'a> {
    pub incident: &'a Incident,
    pub crisis: &'a CrisisView,
    pub publishing: &'a PublishingView,
    /// The preview named in the address (`?preview=…`), if any.
    pub preview: Option<&'a BulkPreview>,
    /// The preview is older than the service's limit: sending it would be refused.
    pub preview_expired: bool,
    /// May change the incident (mark it as an outage, resolve it).
    pub may_manage_incident: bool,
}

fn incident_path(incident: &Incident) -> String {
    format!("/app/incidents/{}/crisis", incident.id)
}

fn api_path(incident: &Incident, rest: &str) -> String {
    format!("/api/v1/incidents/{}/{rest}", incident.id)
}

/// Every channel the brand publishes on, once, in the configured order.
pub fn account_channels(accounts: &[BrandAccount]) -> Vec<Source> {
    let mut channels: Vec<Source> = Vec::new();
    for account in accounts {
        if !channels.contains(&account.channel) {
            channels.push(account.channel);
        }
    }
    channels
}

/// One length counter per channel under a composer (`app.js` fills them as one types).
pub fn channel_counters(viewer: &Viewer, id_prefix: &str, channels: &[Source]) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    html! {
        ul.counters {
            @for channel in channels {
                @let (_, limit) = channel_length(*channel, "");
                li {
                    span.source { (channel.as_str()) } " "
                    output id={(id_prefix) "-" (channel.as_str())} data-channel=(channel.as_str()) data-limit=[limit] aria-live="polite" { "0" }
                    @if let Some(limit) = limit { " / " (limit) " " (t("case_characters")) }
                }
            }
        }
    }
}

pub fn counter_ids(id_prefix: &str, channels: &[Source]) -> String {
    channels.iter().map(|channel| format!("{id_prefix}-{}", channel.as_str())).collect::<Vec<_>>().join(" ")
}

fn mode(viewer: &Viewer, view: &CrisisPageView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let crisis = view.crisis;
    let redirect = incident_path(view.incident);
    html! {
        section.card #crisis-state data-active=(crisis.active) aria-labelledby="crisis-state-title" {
            h2 #crisis-state-title { (t("crisis_mode_title")) }
            p #crisis-current { strong { (if crisis.active { t("crisis_on") } else { t("crisis_off") }) } }
            p { (t("crisis_what_it_does")) }
            ul {
                li { (t("crisis_does_pause")) }
                li { (t("crisis_does_ack")) }
            }
            p #crisis-publishing data-paused=(crisis.publishing_paused) {
                (if crisis.publishing_paused { t("crisis_publishing_paused") } else { t("crisis_publishing_running") }) " "
                a href="/app/publishing" { (t("crisis_see_calendar")) }
            }
            @if crisis.active {
                @if let Some(template) = &crisis.ack_template { p { (t("crisis_ack_template")) " " bdi.text { (template) } } }
                form.api-form #crisis-off data-method="POST" data-action=(api_path(view.incident, "crisis")) data-redirect=(redirect) {
                    input type="hidden" name="active" value="false" data-type="json";
                    button type="submit" { (t("crisis_turn_off")) }
                }
            } @else {
                form.api-form #crisis-on data-method="POST" data-action=(api_path(view.incident, "crisis")) data-redirect=(redirect) {
                    input type="hidden" name="active" value="true" data-type="json";
                    label for="ack-template" { (t("crisis_ack_template")) }
                    textarea #ack-template name="ack_template" rows="2" maxlength="2000" aria-describedby="ack-template-hint" {}
                    p.hint #ack-template-hint { (t("crisis_ack_template_hint")) }
                    button.danger type="submit" { (t("crisis_turn_on")) }
                }
            }
        }
    }
}

fn broadcast(viewer: &Viewer, view: &CrisisPageView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let accounts = &view.publishing.accounts;
    let channels = account_channels(accounts);
    html! {
        section aria-labelledby="broadcast-title" {
            h2 #broadcast-title { (t("crisis_broadcast_title")) }
            p.hint { (t("crisis_broadcast_what")) }
            @if accounts.is_empty() {
                p.notice #broadcast-no-accounts { (t("crisis_no_accounts")) }
            } @else {
                p { (t("crisis_broadcast_accounts")) " "
                    @for (index, account) in accounts.iter().enumerate() {
                        @if index > 0 { ", " }
                        span.source { (account.channel.as_str()) } " @" bdi { (account.handle) }
                    }
                }
                form.api-form.composer #broadcast data-method="POST" data-action=(api_path(view.incident, "broadcast")) data-redirect=(incident_path(view.incident)) {
                    label for="broadcast-text" { (t("crisis_broadcast_text")) }
                    textarea #broadcast-text name="text" rows="3" maxlength="5000" required
                        data-counters=(counter_ids("broadcast-count", &channels)) aria-describedby="broadcast-counters" {}
                    div #broadcast-counters { (channel_counters(viewer, "broadcast-count", &channels)) }
                    button type="submit" { (t("crisis_broadcast_send")) }
                }
            }
            @if !view.crisis.broadcasts.is_empty() {
                h3 { (t("crisis_broadcasts_sent")) }
                ul.list #broadcasts {
                    @for post in &view.crisis.broadcasts { (post_line(viewer, post)) }
                }
            }
        }
    }
}

fn post_line(viewer: &Viewer, post: &PostRow) -> Markup {
    html! {
        li.item data-post-id=(post.id) data-status=(post.status) {
            div.meta { span.source { (post.channel.as_str()) } " @" bdi { (post.account) } " · "
                span.post-status data-status=(post.status) { (viewer.t(&format!("publishing_status_{}", post.status))) }
                @if let Some(at) = post.published_at { " · " (datetime(viewer, at)) } }
            p.text dir="auto" { bdi { (post.text) } }
        }
    }
}

fn bulk_form(viewer: &Viewer, view: &CrisisPageView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let redirect = format!("{}?preview={{preview_id}}#preview", incident_path(view.incident));
    html! {
        section aria-labelledby="bulk-title" {
            h2 #bulk-title { (t("crisis_bulk_title")) }
            p.hint { (t("crisis_bulk_what")) }
            form.api-form.composer #bulk-reply data-method="POST" data-action=(api_path(view.incident, "bulk-reply/preview")) data-redirect=(redirect) {
                label for="bulk-template" { (t("crisis_bulk_template")) }
                textarea #bulk-template name="template" rows="3" maxlength="5000" required aria-describedby="bulk-template-hint" {
                    @if let Some(preview) = view.preview.filter(|preview| preview.kind == "bulk_reply") { (preview.template) }
                }
                p.hint #bulk-template-hint { (t("crisis_bulk_template_hint")) " " code { (BULK_TEMPLATE_HINT) } }
                button type="submit" #bulk-preview-button { (t("crisis_bulk_preview")) }
            }
        }
    }
}

fn notify(viewer: &Viewer, view: &CrisisPageView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let incident = view.incident;
    let notifiable = incident.outage && incident.status == IncidentStatus::Resolved;
    let redirect = format!("{}?preview={{preview_id}}#preview", incident_path(incident));
    html! {
        section aria-labelledby="notify-title" #notify data-ready=(notifiable) {
            h2 #notify-title { (t("crisis_notify_title")) }
            p.hint { (t("crisis_notify_what")) }
            @if notifiable {
                form.api-form.composer #notify-form data-method="POST" data-action=(api_path(incident, "notify/preview")) data-redirect=(redirect) {
                    label for="notify-template" { (t("crisis_notify_template")) }
                    textarea #notify-template name="template" rows="2" maxlength="5000" aria-describedby="notify-template-hint" {}
                    p.hint #notify-template-hint { (t("crisis_notify_template_hint")) }
                    button type="submit" { (t("crisis_notify_preview")) }
                }
            } @else {
                p #notify-not-yet { (t("crisis_notify_not_yet")) }
                @if view.may_manage_incident {
                    form.api-form #mark-outage data-method="PATCH" data-action={"/api/v1/incidents/" (incident.id)} data-redirect=(incident_path(incident)) {
                        input type="hidden" name="outage" value="true" data-type="json";
                        input type="hidden" name="status" value="resolved";
                        button type="submit" { (t("crisis_mark_outage_resolved")) }
                    }
                }
            }
        }
    }
}

/// Ready messages per channel, the channel's rate and the minutes the queue will take.
fn rates(viewer: &Viewer, preview: &BulkPreview, publishing: &PublishingView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let mut ready: BTreeMap<&'static str, usize> = BTreeMap::new();
    for message in preview.messages.iter().filter(|message| message.status != "skipped") {
        *ready.entry(message.channel.as_str()).or_default() += 1;
    }
    html! {
        table.data #preview-rates {
            caption { (t("crisis_rates")) }
            thead { tr { th scope="col" { (t("crisis_channel")) } th scope="col" { (t("crisis_messages")) }
                th scope="col" { (t("crisis_rate")) } th scope="col" { (t("crisis_minutes")) } } }
            tbody {
                @for (channel, count) in &ready {
                    @let rate = publishing.messages_per_minute.get(*channel).copied().unwrap_or(1).max(1) as usize;
                    tr data-channel=(channel) data-rate=(rate) {
                        th scope="row" { (channel) } td { (count) } td { (rate) " / min" } td { (count.div_ceil(rate)) }
                    }
                }
            }
        }
    }
}

fn messages(viewer: &Viewer, preview: &BulkPreview) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    html! {
        table.data #preview-messages {
            caption { (if preview.sent_at.is_some() { t("crisis_sent_messages") } else { t("crisis_preview_messages") }) }
            thead { tr {
                th scope="col" { (t("crisis_recipient")) } th scope="col" { (t("crisis_channel")) } th scope="col" { (t("crisis_message")) }
                th scope="col" { (t("crisis_length")) } th scope="col" { (t("crisis_message_status")) }
            } }
            tbody {
                @for message in &preview.messages {
                    @let (length, limit) = channel_length(message.channel, &message.text);
                    tr.preview-message data-status=(message.status) data-mention-id=(message.mention_id) {
                        td { bdi.recipient { (message.recipient) }
                            @if let Some(case_id) = message.case_id { " " a href={"/app/cases/" (case_id)} { "#" (case_id) } } }
                        td { (message.channel.as_str()) }
                        td { p.text dir="auto" { bdi.message-text { (message.text) } } }
                        td.length data-length=(length) data-limit=[limit] {
                            (length) @if let Some(limit) = limit { " / " (limit) }
                        }
                        td {
                            span.message-status data-status=(message.status) { (t(&format!("crisis_message_{}", message.status))) }
                            @if let Some(reason) = &message.reason { br; span.reason { bdi { (reason) } } }
                        }
                    }
                }
            }
        }
    }
}

/// The same template previewed again: what a refused send (someone answered meanwhile,
/// too old) needs, in one click.
fn preview_again(viewer: &Viewer, incident: &Incident, preview: &BulkPreview) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let preview_path = if preview.kind == "notify" { "notify/preview" } else { "bulk-reply/preview" };
    html! {
        form.api-form #preview-again-form data-method="POST" data-action=(api_path(incident, preview_path))
            data-redirect={(incident_path(incident)) "?preview={preview_id}#preview"} {
            @if preview.template != DEFAULT_TEMPLATE { input type="hidden" name="template" value=(preview.template); }
            button type="submit" #preview-again { (t("crisis_preview_again")) }
        }
    }
}

fn preview_section(viewer: &Viewer, view: &CrisisPageView, preview: &BulkPreview) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let incident = view.incident;
    let send_path = if preview.kind == "notify" { "notify" } else { "bulk-reply" };
    let with_status = |status: &str| preview.messages.iter().filter(|message| message.status == status).count();
    html! {
        section #preview aria-labelledby="preview-title" data-preview-id=(preview.preview_id) data-kind=(preview.kind)
            data-ready=(preview.ready) data-skipped=(preview.skipped) data-sent=(preview.sent_at.is_some()) {
            h2 #preview-title { (t(&format!("crisis_preview_{}", preview.kind))) " #" (preview.preview_id) }
            p { (t("crisis_preview_made")) " " (datetime(viewer, preview.created_at)) " · "
                (t("crisis_digest")) " " code #preview-digest { (preview.digest.get(..12).unwrap_or(&preview.digest)) } }
            ul.figures {
                li { strong #preview-ready { (preview.ready) } (t("crisis_ready")) }
                li { strong #preview-skipped { (preview.skipped) } (t("crisis_skipped")) }
            }
            (rates(viewer, preview, view.publishing))
            @match preview.sent_at {
                Some(sent_at) => {
                    div.notice #send-result role="status" {
                        p { strong { (t("crisis_sent_at")) } " " (datetime(viewer, sent_at)) }
                        ul #send-progress {
                            li data-status="sent" { (t("crisis_message_sent")) ": " strong { (with_status("sent")) } }
                            li data-status="queued" { (t("crisis_message_queued")) ": " strong { (with_status("queued")) } }
                            li data-status="skipped" { (t("crisis_message_skipped")) ": " strong { (with_status("skipped")) } }
                        }
                        @if with_status("queued") > 0 { p { (t("crisis_queue_drains")) " " a href={(incident_path(incident)) "?preview=" (preview.preview_id) "#preview"} { (t("crisis_refresh")) } } }
                    }
                }
                None if !matches!(preview.kind.as_str(), "bulk_reply" | "notify") => {}
                None if view.preview_expired => {
                    p.notice #preview-expired role="alert" { (t("crisis_preview_expired")) }
                    (preview_again(viewer, incident, preview))
                }
                None if preview.ready == 0 => {
                    p.notice #preview-nothing { (t("crisis_nothing_to_send")) }
                }
                None => {
                    form.api-form #send-preview data-method="POST" data-action=(api_path(incident, send_path))
                        data-redirect={(incident_path(incident)) "?preview={preview_id}&sent=1#send-result"} {
                        input type="hidden" name="preview_id" value=(preview.preview_id) data-type="number";
                        input type="hidden" name="digest" value=(preview.digest);
                        p.hint { (t("crisis_send_exactly")) }
                        button.danger type="submit" #send-button { (t("crisis_send")) " (" (preview.ready) ")" }
                    }
                    (preview_again(viewer, incident, preview))
                }
            }
            (messages(viewer, preview))
        }
    }
}

/// `/app/incidents/{id}/crisis`.
pub fn show(viewer: &Viewer, view: &CrisisPageView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let incident = view.incident;
    let title = format!("{} · {} #{}", t("incident_crisis_mode"), t("incident"), incident.id);
    let body = html! {
        p { a href={"/app/incidents/" (incident.id)} { (t("crisis_back")) } " · " bdi { (incident.slice) } " · "
            (t("incident_size")) " " strong #crisis-incident-size { (incident.mention_count) } }
        (mode(viewer, view))
        @if let Some(preview) = view.preview { (preview_section(viewer, view, preview)) }
        (bulk_form(viewer, view))
        (broadcast(viewer, view))
        (notify(viewer, view))
    };
    page(viewer, Section::Incidents, &title, body)
}
