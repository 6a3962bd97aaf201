//! The care pages: the inbox (queues, filters, SLA clock on every row, live arrivals) and
//! one case (the conversation with its enrichment, the contact panel, the composer with
//! the channel's counter, notes, callback, status and assignment). Every change is a
//! call to the cases API made by `app.js`; the server's refusal is what gets shown.

use domain::{Contact, StoredMention};
use maud::{html, Markup};
use serde::Serialize;
use service::cases::{CasePage, CaseSummary, CaseView, ConversationEntry};

use crate::layout::{page, Section, Viewer};
use crate::pages::datetime;

/// The inbox's queues, in the order of the tabs.
pub const QUEUES: [&str; 5] = ["mine", "team", "unassigned", "breaching", "all"];
/// The statuses the status filter offers.
pub const STATUSES: [&str; 6] = ["new", "open", "pending_customer", "on_hold", "resolved", "closed"];
const PRIORITIES: [&str; 4] = ["urgent", "high", "normal", "low"];
const SLA_STATES: [&str; 4] = ["pending", "warning", "met", "breached"];

/// A serialisable enum's name (`SlaState::Warning` → `warning`).
fn name_of(value: impl Serialize) -> String {
    serde_json::to_value(value).ok().and_then(|value| value.as_str().map(str::to_string)).unwrap_or_default()
}

/// The inbox's filters as the page got them (already checked by the service).
#[derive(Debug, Clone, Default)]
pub struct InboxFilters {
    pub source: Option<String>,
    pub language: Option<String>,
    pub sentiment: Option<String>,
    pub intent: Option<String>,
    pub reason: Option<String>,
    pub priority: Option<String>,
    pub topic: Option<String>,
    pub vip: bool,
    pub tag: Option<String>,
    /// `sla`, `priority`, `newest` or `oldest`.
    pub sort: String,
}

impl InboxFilters {
    fn pairs(&self) -> Vec<(&'static str, &str)> {
        let mut pairs = Vec::new();
        for (name, value) in [
            ("source", &self.source),
            ("language", &self.language),
            ("sentiment", &self.sentiment),
            ("intent", &self.intent),
            ("reason", &self.reason),
            ("priority", &self.priority),
            ("topic", &self.topic),
            ("tag", &self.tag),
        ] {
            if let Some(value) = value.as_deref() {
                pairs.push((name, value));
            }
        }
        if self.vip {
            pairs.push(("vip", "true"));
        }
        if self.sort != "sla" {
            pairs.push(("sort", self.sort.as_str()));
        }
        pairs
    }
}

/// What the inbox page shows.
pub struct InboxView<'a> {
    pub queue: &'a str,
    pub status: Option<&'a str>,
    pub filters: &'a InboxFilters,
    pub cases: &'a CasePage,
    /// Users by id, for the assignee column and the bulk assignment.
    pub users: &'a [(i64, String)],
    /// The author handle of each case's first message (`case id`, `handle`).
    pub authors: &'a [(i64, String)],
    pub me: Option<i64>,
    /// Whether the viewer may change cases (checkboxes and the bulk action bar).
    pub may_work: bool,
}

fn user_name<'a>(users: &'a [(i64, String)], id: Option<i64>) -> Option<&'a str> {
    let id = id?;
    users.iter().find(|(user, _)| *user == id).map(|(_, name)| name.as_str())
}

/// `/app/inbox?…` with every value URL-encoded.
fn inbox_link(queue: &str, status: Option<&str>, filters: &InboxFilters, cursor: Option<&str>) -> String {
    let mut pairs = vec![("queue", queue)];
    if let Some(status) = status {
        pairs.push(("status", status));
    }
    pairs.extend(filters.pairs());
    if let Some(cursor) = cursor {
        pairs.push(("cursor", cursor));
    }
    format!("/app/inbox?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
}

/// The labels the live script needs to build a row like the server's.
fn live_labels(viewer: &Viewer, users: &[(i64, String)]) -> String {
    let mut labels = serde_json::Map::new();
    for (id, name) in users {
        labels.insert(format!("user_{id}"), name.clone().into());
    }
    for key in STATUSES.iter().map(|status| format!("status_{status}"))
        .chain(PRIORITIES.iter().map(|priority| format!("priority_{priority}")))
        .chain(SLA_STATES.iter().map(|state| format!("sla_{state}")))
        .chain(["unassigned", "contact", "presence_viewing", "presence_typing", "inbox_select_case", "bulk_done", "bulk_refused", "bulk_none_selected"].map(str::to_string))
    {
        labels.insert(key.clone(), viewer.t(&key).into());
    }
    serde_json::Value::Object(labels).to_string()
}

/// A `select` of fixed values with their translated labels (`prefix` + value), "any" first.
fn choice(viewer: &Viewer, name: &str, label_key: &str, prefix: &str, values: &[&str], chosen: Option<&str>) -> Markup {
    let id = format!("filter-{name}");
    html! {
        span.field {
            label for=(id) { (viewer.t(label_key)) }
            select id=(id) name=(name) {
                option value="" { (viewer.t("any")) }
                @for value in values {
                    option value=(value) selected[chosen == Some(*value)] { (viewer.t(&format!("{prefix}{value}"))) }
                }
            }
        }
    }
}

fn free_filter(viewer: &Viewer, name: &str, label_key: &str, value: Option<&str>) -> Markup {
    let id = format!("filter-{name}");
    html! {
        span.field {
            label for=(id) { (viewer.t(label_key)) }
            input id=(id) name=(name) value=[value] maxlength="100" size="10";
        }
    }
}

fn filter_form(viewer: &Viewer, view: &InboxView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let filters = view.filters;
    let sources: Vec<&str> = domain::Source::ALL.iter().map(|source| source.as_str()).collect();
    let sentiments: Vec<&str> = domain::SentimentLabel::ALL.iter().map(|sentiment| sentiment.as_str()).collect();
    let intents: Vec<&str> = domain::Intent::ALL.iter().map(|intent| intent.as_str()).collect();
    html! {
        form.inline.filters #inbox-filters method="get" action="/app/inbox" aria-label=(t("inbox_filters")) {
            input type="hidden" name="queue" value=(view.queue);
            (choice(viewer, "status", "case_status", "status_", &STATUSES, view.status))
            (choice(viewer, "source", "case_source", "source_", &sources, filters.source.as_deref()))
            (free_filter(viewer, "language", "filter_language", filters.language.as_deref()))
            (choice(viewer, "sentiment", "filter_sentiment", "sentiment_", &sentiments, filters.sentiment.as_deref()))
            (choice(viewer, "intent", "filter_intent", "intent_", &intents, filters.intent.as_deref()))
            (free_filter(viewer, "reason", "filter_reason", filters.reason.as_deref()))
            (choice(viewer, "priority", "case_priority", "priority_", &PRIORITIES, filters.priority.as_deref()))
            (free_filter(viewer, "topic", "filter_topic", filters.topic.as_deref()))
            (free_filter(viewer, "tag", "filter_tag", filters.tag.as_deref()))
            span.field { label.check { input type="checkbox" name="vip" value="true" checked[filters.vip]; " " (t("filter_vip")) } }
            span.field {
                label for="filter-sort" { (t("inbox_sort")) }
                select #filter-sort name="sort" {
                    @for sort in SORTS { option value=(sort) selected[filters.sort == sort] { (t(&format!("sort_{sort}"))) } }
                }
            }
            button type="submit" #apply-filters { (t("filter")) }
            a href=(inbox_link(view.queue, None, &InboxFilters { sort: "sla".into(), ..InboxFilters::default() }, None)) { (t("inbox_clear_filters")) }
        }
    }
}

/// The action bar: one action on the checked rows (`app.js` posts to `/api/v1/cases/bulk`
/// and shows each case's result).
fn bulk_bar(viewer: &Viewer, view: &InboxView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    html! {
        form.inline.bulk #bulk data-action="/api/v1/cases/bulk" aria-label=(t("bulk_title")) {
            span #bulk-count aria-live="polite" data-template=(t("bulk_selected")) { }
            label for="bulk-action" { (t("bulk_action")) }
            select #bulk-action name="action" {
                @for action in BULK_ACTIONS { option value=(action) { (t(&format!("bulk_{action}"))) } }
            }
            label for="bulk-assignee" { (t("case_assignee")) }
            select #bulk-assignee name="assignee_id" data-type="number" {
                option value="" { (t("unassigned")) }
                @for (id, name) in view.users { option value=(id) selected[view.me == Some(*id)] { (name) } }
            }
            label for="bulk-tag" { (t("filter_tag")) }
            input #bulk-tag name="tag" maxlength="64" size="10";
            label for="bulk-status" { (t("case_status")) }
            select #bulk-status name="status" {
                @for status in STATUSES { option value=(status) { (t(&format!("status_{status}"))) } }
            }
            button type="submit" #bulk-apply { (t("bulk_apply")) }
            div #bulk-results role="status" aria-live="polite" {}
        }
    }
}

/// The inbox's orders, in the order of the sort menu.
pub const SORTS: [&str; 4] = ["sla", "priority", "newest", "oldest"];
const BULK_ACTIONS: [&str; 5] = ["assign", "tag", "untag", "resolve", "status"];

/// `/app/inbox?queue=…&status=…&source=…&sort=…&cursor=…`.
pub fn inbox(viewer: &Viewer, view: &InboxView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let body = html! {
        nav.tabs aria-label=(t("inbox_queues")) {
            ul {
                @for queue in QUEUES {
                    li { a href=(inbox_link(queue, view.status, view.filters, None)) aria-current=[(queue == view.queue).then_some("page")] { (t(&format!("queue_{queue}"))) } }
                }
            }
        }
        (filter_form(viewer, view))
        @if view.may_work { (bulk_bar(viewer, view)) }
        p.hint { span #live-state data-connected=(t("inbox_live_connected")) data-disconnected=(t("live_disconnected")) aria-live="polite" {} }
        table.data.inbox {
            caption.visually-hidden { (t("nav_inbox")) }
            thead { tr {
                @if view.may_work { th scope="col" { input type="checkbox" #select-all aria-label=(t("inbox_select_all")); } }
                th scope="col" { (t("case_subject")) } th scope="col" { (t("case_contact")) } th scope="col" { (t("case_source")) }
                th scope="col" { (t("case_priority")) } th scope="col" { (t("case_status")) } th scope="col" { (t("case_assignee")) }
                th scope="col" { (t("case_sla")) }
            } }
            tbody data-list data-case-events="/app/case-events" data-queue=(view.queue) data-status=[view.status] data-me=[view.me]
                data-filtered=(!view.filters.pairs().iter().all(|(name, _)| *name == "sort")) data-sort=(view.filters.sort)
                data-selectable=(view.may_work) data-labels=(live_labels(viewer, view.users)) {
                @for summary in &view.cases.items { (inbox_row(viewer, view, summary)) }
            }
        }
        @if view.cases.items.is_empty() { p #inbox-empty { (t("inbox_empty")) } }
        @if let Some(cursor) = view.cases.next_cursor.as_deref() {
            p { a rel="next" href=(inbox_link(view.queue, view.status, view.filters, Some(cursor))) { (t("next_page")) } }
        }
    };
    page(viewer, Section::Inbox, t("nav_inbox"), body)
}

fn sla_cell(viewer: &Viewer, summary: &CaseSummary) -> Markup {
    let case = &summary.case;
    let (state, due_at) = if case.first_response_at.is_none() {
        (name_of(summary.first_response_state), case.first_response_due_at)
    } else {
        (name_of(summary.resolution_state), case.resolution_due_at)
    };
    html! { span.sla data-sla=(state) { (viewer.t(&format!("sla_{state}"))) } " " (datetime(viewer, due_at)) }
}

fn inbox_row(viewer: &Viewer, view: &InboxView, summary: &CaseSummary) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let case = &summary.case;
    let author = view.authors.iter().find(|(id, _)| *id == case.id).map(|(_, handle)| handle.as_str());
    html! {
        tr.item tabindex="-1" data-case-id=(case.id) {
            @if view.may_work {
                td { input type="checkbox" name="case" value=(case.id) aria-label={(t("inbox_select_case")) " #" (case.id)}; }
            }
            td {
                a href={"/app/cases/" (case.id)} { "#" (case.id) " " bdi dir="auto" { (case.subject) } }
                " " span.row-presence aria-live="polite" {}
            }
            td {
                @if let Some(handle) = author { "@" bdi { (handle) } " " }
                @if let Some(contact) = case.contact_id { a href={"/app/contacts/" (contact)} { (t("contact")) " " (contact) } }
            }
            td.source { (case.source.as_str()) }
            td { span.priority data-priority=(case.priority) { (t(&format!("priority_{}", case.priority))) } }
            td.status { (t(&format!("status_{}", case.status))) }
            td.assignee { @match user_name(view.users, case.assignee_id) { Some(name) => bdi { (name) }, None => (t("unassigned")) } }
            td { (sla_cell(viewer, summary)) }
        }
    }
}

/// What a case page shows besides the case itself.
pub struct CasePageView<'a> {
    pub case: &'a CaseView,
    pub contact: Option<&'a Contact>,
    /// The contact's other cases: `(id, status, subject)`.
    pub past_cases: &'a [(i64, String, String)],
    pub users: &'a [(i64, String)],
    /// The signature appended to the caller's public replies, if any.
    pub signature: Option<&'a str>,
    pub canned: &'a [(i64, String)],
    pub me: Option<i64>,
    pub may_work: bool,
    /// Whether the viewer may correct the enrichment, and the name a correction is signed with.
    pub may_correct: bool,
    pub corrected_by: &'a str,
}

/// `/app/cases/{id}`.
pub fn case(viewer: &Viewer, view: &CasePageView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let case = &view.case.case;
    let title = format!("{} #{}", t("case"), case.id);
    let body = html! {
        div hidden data-case-live=(case.id) {}
        dl.profile.case-facts {
            dt { (t("case_status")) } dd #case-status data-status=(case.status) { (t(&format!("status_{}", case.status))) }
            dt { (t("case_priority")) } dd { (t(&format!("priority_{}", case.priority))) }
            dt { (t("case_source")) } dd { (case.source.as_str()) }
            dt { (t("case_assignee")) } dd { @match user_name(view.users, case.assignee_id) { Some(name) => bdi { (name) }, None => (t("unassigned")) } }
            dt { (t("sla_first_response")) } dd { span.sla data-sla=(name_of(view.case.sla.first_response.state)) { (t(&format!("sla_{}", name_of(view.case.sla.first_response.state)))) } " " (datetime(viewer, view.case.sla.first_response.due_at)) }
            dt { (t("sla_resolution")) } dd { span.sla data-sla=(name_of(view.case.sla.resolution.state)) { (t(&format!("sla_{}", name_of(view.case.sla.resolution.state)))) } " " (datetime(viewer, view.case.sla.resolution.due_at)) }
        }
        @if view.may_work { (presence(viewer, view)) (case_actions(viewer, view)) }
        div.columns {
            section aria-labelledby="conversation-title" {
                h2 #conversation-title { (t("case_conversation")) }
                ol.list.conversation data-list {
                    @for entry in &view.case.conversation { (conversation_entry(viewer, view, entry)) }
                }
                @if view.may_work { (composer(viewer, view)) }
            }
            section aria-labelledby="contact-title" {
                h2 #contact-title { (t("case_contact")) }
                (contact_panel(viewer, view))
                @if view.may_work { (note_form(viewer, case.id)) (callback_form(viewer, case.id)) }
                @if !view.case.callbacks.is_empty() {
                    h3 { (t("case_callbacks")) }
                    ul.callbacks { @for callback in &view.case.callbacks { li.callback { (callback.phone) " · " bdi { (callback.note) } " · " (callback.status) } } }
                }
            }
        }
    };
    page(viewer, Section::Inbox, &title, body)
}

/// Who else is on the case (collision warning); `app.js` signals ours every few seconds
/// and shows the answer.
fn presence(viewer: &Viewer, view: &CasePageView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let mut labels = serde_json::Map::new();
    for (id, name) in view.users {
        labels.insert(format!("user_{id}"), name.clone().into());
    }
    for key in ["presence_viewing", "presence_typing", "presence_alone"] {
        labels.insert(key.into(), t(key).into());
    }
    let others: Vec<_> = view.case.presence.iter().filter(|present| Some(present.user_id) != view.me).collect();
    html! {
        p.hint #presence role="status" data-presence=(format!("/api/v1/cases/{}/presence", view.case.case.id))
            data-me=[view.me] data-labels=(serde_json::Value::Object(labels).to_string()) {
            @if others.is_empty() { (t("presence_alone")) }
            @for (index, present) in others.iter().enumerate() {
                @if index > 0 { ", " }
                bdi { (user_name(view.users, Some(present.user_id)).unwrap_or("?")) }
                " " (t(&format!("presence_{}", present.state)))
            }
        }
    }
}

fn case_actions(viewer: &Viewer, view: &CasePageView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let case = &view.case.case;
    let action = format!("/api/v1/cases/{}", case.id);
    let redirect = format!("/app/cases/{}", case.id);
    html! {
        div.actions {
            @for status in &view.case.next_statuses {
                form.api-form.inline data-method="PATCH" data-action=(action) data-redirect=(redirect) {
                    input type="hidden" name="status" value=(status.as_str());
                    @if status.as_str() == "resolved" {
                        button type="submit" #resolve data-shortcut="e" aria-keyshortcuts="e" { (t("case_resolve")) }
                    } @else {
                        button type="submit" data-status-to=(status.as_str()) { (t(&format!("case_to_{}", status.as_str()))) }
                    }
                }
            }
            @if let Some(me) = view.me.filter(|me| case.assignee_id != Some(*me)) {
                form.api-form.inline data-method="PATCH" data-action=(action) data-redirect=(redirect) {
                    input type="hidden" name="assignee_id" value=(me) data-type="number";
                    button type="submit" #take { (t("case_take")) }
                }
            }
        }
    }
}

fn conversation_entry(viewer: &Viewer, view: &CasePageView, entry: &ConversationEntry) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let event = &entry.event;
    let kind_label = match event.kind.as_str() {
        "customer_message" | "opened" => t("case_customer"),
        "reply" => t("case_reply"),
        "note" => t("note"),
        "status" => t("case_status_change"),
        "callback" => t("case_callback"),
        "auto_reply" => t("case_auto_reply"),
        "reply_pending" => t("case_reply_pending"),
        "reply_rejected" => t("case_reply_rejected"),
        "assignment" => t("case_assignment"),
        kind if kind.starts_with("sla_warning") => t("case_sla_warning"),
        kind if kind.starts_with("sla_breach") => t("case_sla_breach"),
        _ => t("timeline_activity"),
    };
    html! {
        li.item tabindex="-1" data-kind=(event.kind) data-visibility=[event.visibility.as_deref()] {
            div.meta {
                span.source { (kind_label) }
                @if let Some(name) = user_name(view.users, event.user_id) { " · " bdi { (name) } }
                @if let Some(visibility) = event.visibility.as_deref() { " · " (t(&format!("visibility_{visibility}"))) }
                " " (datetime(viewer, event.at))
            }
            @if let Some(stored) = &entry.mention { (customer_message(viewer, stored, view.may_correct, view.corrected_by)) }
            @else if let Some(text) = &event.text {
                @if event.kind == "status" { p.text { (t(&format!("status_{text}"))) } }
                @else { p.text dir="auto" { bdi { (text) } } }
            }
        }
    }
}

fn customer_message(viewer: &Viewer, stored: &StoredMention, may_correct: bool, corrected_by: &str) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let mention = &stored.mention;
    html! {
        div.meta {
            span.author {
                @if let Some(name) = &mention.author.display_name { bdi { (name) } " " }
                span.handle { "@" bdi { (mention.author.handle) } }
            }
            @if let Some(enrichment) = &stored.enrichment {
                " " span.sentiment data-sentiment=(enrichment.sentiment.as_str()) { (t(&format!("sentiment_{}", enrichment.sentiment.as_str()))) }
                " · " span.intent data-intent=(enrichment.intent.as_str()) { (t("case_intent")) " " (t(&format!("intent_{}", enrichment.intent.as_str()))) }
                @if let Some(reason) = &enrichment.reason { " · " span.reason { (t("case_reason")) " " bdi { (reason) } } }
                " · " span.author-type data-author-type=(enrichment.author_type.as_str()) { (t("case_author_type")) " " (t(&format!("author_type_{}", enrichment.author_type.as_str()))) }
            }
        }
        p.text dir="auto" { bdi { (mention.text) } }
        @if may_correct { (correction_form(viewer, stored, corrected_by)) }
    }
}

/// An agent's correction of the models' sentiment and reason for one message (sent to
/// `PUT /api/v1/mentions/{id}/enrichment`, kept as training data).
fn correction_form(viewer: &Viewer, stored: &StoredMention, corrected_by: &str) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let id = stored.id.0;
    let current = stored.enrichment.as_ref();
    html! {
        details.correction {
            summary { (t("correction_title")) }
            form.api-form.inline data-method="PUT" data-action={"/api/v1/mentions/" (id) "/enrichment"} {
                input type="hidden" name="corrected_by" value=(corrected_by);
                label for={"correct-sentiment-" (id)} { (t("filter_sentiment")) }
                select id={"correct-sentiment-" (id)} name="sentiment" {
                    option value="" { (t("correction_keep")) }
                    @for sentiment in domain::SentimentLabel::ALL {
                        option value=(sentiment.as_str()) selected[current.is_some_and(|enrichment| enrichment.sentiment == sentiment)] {
                            (t(&format!("sentiment_{}", sentiment.as_str())))
                        }
                    }
                }
                label for={"correct-reason-" (id)} { (t("filter_reason")) }
                input id={"correct-reason-" (id)} name="reason" maxlength="100" size="16" value=[current.and_then(|enrichment| enrichment.reason.as_deref())];
                button type="submit" data-correct=(id) { (t("correction_save")) }
            }
        }
    }
}

fn contact_panel(viewer: &Viewer, view: &CasePageView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let Some(contact) = view.contact else { return html! { p { (t("case_no_contact")) } } };
    html! {
        p { a href={"/app/contacts/" (contact.id)} {
            @match &contact.display_name { Some(name) => bdi { (name) }, None => { (t("contact")) " " (contact.id) } }
        } @if contact.vip { " " strong.vip { "VIP" } } }
        ul.identities {
            @for identity in &contact.identities {
                li { span.source { (identity.source) } " " bdi { (identity.value) } }
            }
        }
        h3 { (t("case_past")) }
        @if view.past_cases.is_empty() { p { (t("case_past_none")) } }
        ul.past-cases {
            @for (id, status, subject) in view.past_cases {
                li { a href={"/app/cases/" (id)} { "#" (id) " " bdi dir="auto" { (subject) } } " · " (t(&format!("status_{status}"))) }
            }
        }
    }
}

fn composer(viewer: &Viewer, view: &CasePageView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let case = &view.case.case;
    let limit = care_limit(case.source.as_str());
    html! {
        form.api-form.composer data-method="POST" data-action={"/api/v1/cases/" (case.id) "/replies"} data-redirect={"/app/cases/" (case.id)} {
            label for="reply" { (t("case_reply_label")) }
            textarea #reply name="text" rows="4" maxlength="20000" data-counter="reply-count" data-channel=(case.source.as_str())
                data-signature=[view.signature] aria-describedby="reply-count" {}
            p.hint {
                output #reply-count data-limit=[limit] aria-live="polite" { }
                @if let Some(limit) = limit { " / " (limit) " " (t("case_characters")) }
            }
            @if let Some(signature) = view.signature { p.hint { (t("case_signature")) " " bdi #signature-preview { (signature) } } }
            fieldset.inline {
                legend { (t("case_visibility")) }
                label.check { input type="radio" name="visibility" value="public" checked; " " (t("visibility_public")) }
                label.check { input type="radio" name="visibility" value="private"; " " (t("visibility_private")) }
            }
            @if limit.is_some() {
                label.check { input type="checkbox" name="split" #reply-split; " " (t("case_split")) }
            }
            @if !view.canned.is_empty() {
                label for="canned" { (t("case_canned")) }
                select #canned name="canned_id" data-type="number" {
                    option value="" { (t("none")) }
                    @for (id, title) in view.canned { option value=(id) { (title) } }
                }
            }
            button type="submit" #send-reply { (t("case_send")) }
            button type="button" hidden data-shortcut="r" data-focus="reply" aria-keyshortcuts="r" tabindex="-1" { (t("case_reply_label")) }
        }
    }
}

/// The channel's visible limit, as care's rules count it (mirrored in `app.js`).
fn care_limit(source: &str) -> Option<usize> {
    match source {
        "x" => Some(280),
        "bluesky" => Some(300),
        "mastodon" => Some(500),
        "facebook" => Some(8000),
        "instagram" => Some(2200),
        "messenger" => Some(2000),
        _ => None,
    }
}

fn note_form(viewer: &Viewer, id: i64) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    html! {
        form.api-form data-method="POST" data-action={"/api/v1/cases/" (id) "/notes"} data-redirect={"/app/cases/" (id)} {
            label for="case-note" { (t("note_label")) }
            textarea #case-note name="text" required maxlength="10000" rows="2" {}
            button type="submit" { (t("note_add")) }
        }
    }
}

fn callback_form(viewer: &Viewer, id: i64) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    html! {
        details.callback-form {
            summary { (t("case_callback_request")) }
            form.api-form data-method="POST" data-action={"/api/v1/cases/" (id) "/callback"} data-redirect={"/app/cases/" (id)} {
                label for="callback-phone" { (t("case_phone")) }
                input #callback-phone name="phone" type="tel" required maxlength="40" autocomplete="off";
                label for="callback-slot" { (t("case_slot")) }
                input #callback-slot name="slot" maxlength="200";
                label for="callback-note" { (t("case_callback_note")) }
                textarea #callback-note name="note" maxlength="2000" rows="2" {}
                button type="submit" #request-callback { (t("case_callback_request")) }
            }
        }
    }
}
