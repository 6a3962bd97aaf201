//! Customer 360 pages: the contact search, a contact with identities and timeline,
//! merge with a preview (and undo), GDPR export and erasure behind a confirmation.

use domain::{Contact, MergeSuggestion, TimelineItem};
use maud::{html, Markup};

use crate::layout::{page, Section, Viewer};
use crate::pages::{datetime, safe_url};

fn contact_name(viewer: &Viewer, contact: &Contact) -> String {
    match &contact.display_name {
        Some(name) if !name.trim().is_empty() => name.clone(),
        _ => contact
            .identities
            .first()
            .map(|identity| identity.value.clone())
            .unwrap_or_else(|| format!("{} {}", viewer.t("contact"), contact.id)),
    }
}

/// `/app/contacts?q=…`: search by name or identity, keyset pages.
pub fn list(viewer: &Viewer, query: &str, contacts: &[Contact], next_cursor: Option<&str>) -> Markup {
    let t = |key| viewer.t(key);
    let body = html! {
        form.search role="search" method="get" action="/app/contacts" {
            label for="q" { (t("contacts_search_label")) }
            input #q name="q" type="search" value=(query) maxlength="200" data-search-box;
            button type="submit" { (t("search")) }
        }
        @if contacts.is_empty() {
            p { (t("contacts_none")) }
        } @else {
            table.data {
                caption.visually-hidden { (t("nav_contacts")) }
                thead { tr { th scope="col" { (t("contact_name")) } th scope="col" { (t("contact_identities")) } th scope="col" { "VIP" } } }
                tbody data-list {
                    @for contact in contacts {
                        tr.item {
                            td { a href={"/app/contacts/" (contact.id)} { bdi { (contact_name(viewer, contact)) } } }
                            td { @for identity in &contact.identities { span.identity { bdi { (identity.value) } } " " } }
                            td { @if contact.vip { (t("yes")) } }
                        }
                    }
                }
            }
        }
        @if let Some(cursor) = next_cursor {
            p { a rel="next" href={"/app/contacts?q=" (urlencode(query)) "&cursor=" (cursor)} { (t("next_page")) } }
        }
    };
    page(viewer, Section::Contacts, t("nav_contacts"), body)
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

fn identities(viewer: &Viewer, contact: &Contact) -> Markup {
    html! {
        ul.identities {
            @for identity in &contact.identities {
                li {
                    span.kind { (viewer.t(&format!("identity_{}", identity.kind.as_str()))) }
                    " "
                    @if !identity.source.is_empty() { span.source { (identity.source) } " " }
                    bdi { (identity.value) }
                }
            }
        }
    }
}

/// What a contact page shows.
pub struct ContactView<'a> {
    pub contact: &'a Contact,
    pub timeline: &'a [TimelineItem],
    pub suggestions: &'a [MergeSuggestion],
    /// Just merged: the merge's id, to offer the undo.
    pub merged: Option<i64>,
    pub may_write: bool,
    pub may_export: bool,
    pub may_erase: bool,
}

pub fn contact(viewer: &Viewer, view: &ContactView) -> Markup {
    let t = |key| viewer.t(key);
    let contact = view.contact;
    let id = contact.id;
    let body = html! {
        @if let Some(merge_id) = view.merged {
            div.notice role="status" {
                p { (t("merge_done")) }
                form.api-form data-method="POST" data-action={"/api/v1/contacts/merges/" (merge_id) "/undo"} data-redirect={"/app/contacts/" (id)} {
                    button type="submit" #undo-merge { (t("merge_undo")) }
                }
            }
        }
        @if let Some(survivor) = contact.merged_into {
            p.notice { (t("contact_merged_into")) " " a href={"/app/contacts/" (survivor)} { (t("contact")) " " (survivor) } }
        }
        div.columns {
            section aria-labelledby="profile-title" {
                h2 #profile-title { (t("contact_profile")) }
                dl.profile {
                    dt { (t("contact_name")) } dd { bdi { (contact_name(viewer, contact)) } }
                    @if let Some(bio) = &contact.bio { dt { (t("contact_bio")) } dd dir="auto" { bdi { (bio) } } }
                    @if let Some(number) = &contact.customer_number { dt { (t("contact_customer_number")) } dd { (number) } }
                    @if let Some(segment) = &contact.segment { dt { (t("contact_segment")) } dd { (segment) } }
                    dt { "VIP" } dd { (if contact.vip { t("yes") } else { t("no") }) }
                    dt { (t("contact_since")) } dd { (datetime(viewer, contact.created_at)) }
                }
                h2 { (t("contact_identities")) }
                (identities(viewer, contact))
                @if view.may_write && contact.merged_into.is_none() { (merge_section(viewer, view)) }
                @if view.may_export || view.may_erase { (gdpr_section(viewer, view)) }
            }
            section aria-labelledby="timeline-title" {
                h2 #timeline-title { (t("contact_timeline")) }
                @if view.may_write && contact.merged_into.is_none() {
                    form.api-form.inline data-method="POST" data-action={"/api/v1/contacts/" (id) "/notes"} data-redirect={"/app/contacts/" (id)} {
                        label for="note" { (t("note_label")) }
                        textarea #note name="text" required maxlength="10000" rows="2" {}
                        button type="submit" { (t("note_add")) }
                    }
                }
                @if view.timeline.is_empty() { p { (t("timeline_empty")) } }
                ol.list.timeline data-list {
                    @for item in view.timeline { (timeline_item(viewer, item)) }
                }
            }
        }
    };
    page(viewer, Section::Contacts, &contact_name(viewer, contact), body)
}

fn timeline_item(viewer: &Viewer, item: &TimelineItem) -> Markup {
    let t = |key| viewer.t(key);
    match item {
        TimelineItem::Mention { at, mention_id, source, text, url } => html! {
            li.item tabindex="-1" data-mention-id=(mention_id.0) {
                div.meta { span.source { (source.as_str()) } " " (datetime(viewer, *at))
                    @if let Some(url) = url.as_deref().and_then(safe_url) { " " a href=(url) rel="noopener noreferrer nofollow" { (t("open_at_source")) } } }
                p.text dir="auto" { bdi { (text) } }
            }
        },
        TimelineItem::Note { at, text, .. } => html! {
            li.item.note tabindex="-1" {
                div.meta { span.source { (t("note")) } " " (datetime(viewer, *at)) }
                p.text dir="auto" { bdi { (text) } }
            }
        },
        TimelineItem::Case { at, case_id, status, subject } => html! {
            li.item.case tabindex="-1" data-case-id=(case_id) {
                div.meta { span.source { (t("timeline_case")) " #" (case_id) } " " (datetime(viewer, *at)) " · " span.status { (status) } }
                p.text dir="auto" { bdi { (subject) } }
            }
        },
        TimelineItem::CaseActivity { at, case_id, activity, text, .. } => {
            let label = match activity.as_str() {
                "reply" => t("timeline_reply"),
                "callback" => t("timeline_callback"),
                "call" => t("timeline_call"),
                "csat" => t("timeline_csat"),
                _ => t("timeline_activity"),
            };
            html! {
                li.item.case-activity tabindex="-1" data-case-id=(case_id) {
                    div.meta { span.source { (label) } " · " (t("timeline_case")) " #" (case_id) " " (datetime(viewer, *at)) }
                    @if let Some(text) = text { p.text dir="auto" { bdi { (text) } } }
                }
            }
        }
    }
}

fn merge_section(viewer: &Viewer, view: &ContactView) -> Markup {
    let t = |key| viewer.t(key);
    let id = view.contact.id;
    html! {
        h2 { (t("merge_title")) }
        @if !view.suggestions.is_empty() {
            p { (t("merge_suggested")) }
            ul {
                @for suggestion in view.suggestions {
                    li { a href={"/app/contacts/" (id) "/merge?other=" (suggestion.contact_id)} { (t("merge_preview_with")) " " (suggestion.contact_id) }
                        " — " span.reason { (suggestion.reason) } }
                }
            }
        }
        form.inline method="get" action={"/app/contacts/" (id) "/merge"} {
            label for="other" { (t("merge_other_label")) }
            input #other name="other" type="number" min="1" required;
            button type="submit" { (t("merge_preview")) }
        }
    }
}

fn gdpr_section(viewer: &Viewer, view: &ContactView) -> Markup {
    let t = |key| viewer.t(key);
    let id = view.contact.id;
    html! {
        h2 { (t("gdpr_title")) }
        @if view.may_export {
            p { a.button href={"/api/v1/contacts/" (id) "/export"} download={"contact-" (id) ".json"} { (t("gdpr_export")) } }
        }
        @if view.may_erase {
            details.danger {
                summary { (t("gdpr_erase")) }
                form.api-form data-method="DELETE" data-action={"/api/v1/contacts/" (id)} data-redirect="/app/contacts" {
                    p { (t("gdpr_erase_warning")) }
                    p { input #erase-confirm type="checkbox" required data-skip; " " label for="erase-confirm" { (t("gdpr_erase_confirm")) } }
                    button.danger type="submit" { (t("gdpr_erase_button")) }
                }
            }
        }
    }
}

/// `/app/contacts/{id}/merge?other=…`: both contacts side by side and what the merge
/// keeps, before anything changes.
pub fn merge_preview(viewer: &Viewer, survivor: (&Contact, &[TimelineItem]), absorbed: (&Contact, &[TimelineItem])) -> Markup {
    let t = |key| viewer.t(key);
    let ((survivor, survivor_timeline), (absorbed, absorbed_timeline)) = (survivor, absorbed);
    let body = html! {
        p { (t("merge_preview_intro")) }
        div.columns {
            @for (heading, contact, timeline) in [(t("merge_keeps"), survivor, survivor_timeline), (t("merge_absorbs"), absorbed, absorbed_timeline)] {
                section {
                    h2 { (heading) ": " bdi { (contact_name(viewer, contact)) } " (" (contact.id) ")" }
                    (identities(viewer, contact))
                    @if let Some(bio) = &contact.bio { p dir="auto" { bdi { (bio) } } }
                    h3 { (t("merge_recent")) }
                    @if timeline.is_empty() { p { (t("timeline_empty")) } }
                    ol.list { @for item in timeline { (timeline_item(viewer, item)) } }
                }
            }
        }
        p { (t("merge_result")) " " strong { (survivor.identities.len() + absorbed.identities.len()) } " " (t("merge_result_identities")) }
        form.api-form data-method="POST" data-action={"/api/v1/contacts/" (survivor.id) "/merge"}
            data-redirect={"/app/contacts/" (survivor.id) "?merged={id}"} {
            input type="hidden" name="other_id" value=(absorbed.id) data-type="number";
            button type="submit" #confirm-merge { (t("merge_confirm")) }
            " "
            a href={"/app/contacts/" (survivor.id)} { (t("cancel")) }
        }
    };
    page(viewer, Section::Contacts, t("merge_title"), body)
}
