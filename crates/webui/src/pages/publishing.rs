//! The publishing calendar (issue #7 §2, issue #5 §4): `/app/publishing`. The pause and
//! who or what holds it (a person, incidents in crisis mode), the coming weeks day by day
//! (scheduled and published posts), every recent post with the step its role may take
//! (submit, approve, reject, publish now), the composer, and amplifying a customer's
//! post (repost or quote). Post texts and notes are people's words: maud escapes them.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use domain::StoredMention;
use maud::{html, Markup};
use service::publishing::{PostRow, PublishingView};

use crate::layout::{page, Section, Viewer};
use crate::pages::crisis::{account_channels, channel_counters, counter_ids};
use crate::pages::{datetime, mention_row};

/// Weeks the calendar shows, from the Monday of this week.
pub const CALENDAR_WEEKS: i64 = 4;
/// The catalogue's day names, Monday first.
const WEEKDAYS: [&str; 7] = ["weekday_monday", "weekday_tuesday", "weekday_wednesday", "weekday_thursday", "weekday_friday", "weekday_saturday", "weekday_sunday"];
/// How a calendar day and a post's time are written.
const DAY_FORMAT: &str = "%d/%m";
const TIME_FORMAT: &str = "%H:%M";
/// Characters of a post shown in a calendar day.
const EXCERPT_CHARS: usize = 80;

/// What the publishing page shows.
pub struct PublishingPageView<'a> {
    pub publishing: &'a PublishingView,
    /// Recent posts of every status, newest first, and the scheduled ones.
    pub posts: &'a [PostRow],
    pub now: DateTime<Utc>,
    pub may_propose: bool,
    pub may_approve: bool,
    /// The customer's mention to amplify (`?mention=…`).
    pub amplify: Option<&'a StoredMention>,
    /// People's names for audit actors (`user:3`); others are shown as they are.
    pub names: &'a BTreeMap<String, String>,
}

impl PublishingPageView<'_> {
    fn who<'a>(&'a self, actor: &'a str) -> &'a str {
        self.names.get(actor).map_or(actor, String::as_str)
    }
}

/// The day a post belongs to in the calendar: when it is (or was) due, else when it went out.
fn calendar_day(post: &PostRow) -> Option<NaiveDate> {
    post.scheduled_at.or(post.published_at).map(|at| at.date_naive())
}

fn excerpt(text: &str) -> String {
    let mut characters = text.chars();
    let head: String = characters.by_ref().take(EXCERPT_CHARS).collect();
    if characters.next().is_some() { format!("{head}…") } else { head }
}

fn status_badge(viewer: &Viewer, status: &str) -> Markup {
    html! { span.post-status data-status=(status) { (viewer.t(&format!("publishing_status_{status}"))) } }
}

fn pause(viewer: &Viewer, view: &PublishingPageView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let pause = &view.publishing.pause;
    html! {
        section.card #publishing-pause data-paused=(view.publishing.paused) aria-labelledby="pause-title" {
            h2 #pause-title { (if view.publishing.paused { t("publishing_paused") } else { t("publishing_running") }) }
            @if view.publishing.paused {
                ul #pause-reasons {
                    @if pause.manual { li data-reason="manual" { (t("publishing_paused_by_hand")) } }
                    @for incident in &pause.crisis_incidents {
                        li data-reason="crisis" data-incident-id=(incident) {
                            (t("publishing_paused_by_crisis")) " " a href={"/app/incidents/" (incident) "/crisis"} { (t("incident")) " #" (incident) }
                        }
                    }
                }
            }
            @if let (Some(by), Some(at)) = (&pause.changed_by, pause.changed_at) {
                p.hint #pause-changed { (t("publishing_changed_by")) " " bdi { (view.who(by)) } " · " (datetime(viewer, at)) }
            }
            p.hint { (t("publishing_pause_what")) }
            @if view.may_approve {
                @if view.publishing.paused {
                    form.api-form #resume data-method="POST" data-action="/api/v1/publishing/resume" data-redirect="/app/publishing" {
                        button type="submit" { (t("publishing_resume")) }
                    }
                } @else {
                    form.api-form #pause data-method="POST" data-action="/api/v1/publishing/pause" data-redirect="/app/publishing" {
                        button.danger type="submit" { (t("publishing_pause")) }
                    }
                }
            }
        }
    }
}

fn calendar(viewer: &Viewer, view: &PublishingPageView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let today = view.now.date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let weeks: Vec<Vec<NaiveDate>> = (0..CALENDAR_WEEKS).map(|week| (0..7).map(|day| monday + Duration::days(week * 7 + day)).collect()).collect();
    html! {
        table.data.calendar #calendar {
            caption { (t("publishing_calendar")) }
            thead { tr { @for day in &weeks[0] { th scope="col" { (t(WEEKDAYS[day.weekday().num_days_from_monday() as usize])) } } } }
            tbody {
                @for week in &weeks {
                    tr {
                        @for day in week {
                            @let posts: Vec<&PostRow> = view.posts.iter().filter(|post| calendar_day(post) == Some(*day)).collect();
                            td.today[*day == today].past[*day < today] data-day=(day.to_string()) {
                                span.day { (day.format(DAY_FORMAT)) }
                                @if !posts.is_empty() {
                                    ul.day-posts {
                                        @for post in posts {
                                            li data-post-id=(post.id) data-status=(post.status) {
                                                @let at = post.scheduled_at.or(post.published_at);
                                                @if let Some(at) = at { time datetime=(at.to_rfc3339()) { (at.format(TIME_FORMAT)) } " " }
                                                span.source { (post.channel.as_str()) } " " (status_badge(viewer, &post.status)) br;
                                                bdi dir="auto" { (excerpt(&post.text)) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        p.hint { (t("publishing_calendar_hint")) }
    }
}

fn review_actions(viewer: &Viewer, view: &PublishingPageView, post: &PostRow) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let action = |step: &str| format!("/api/v1/posts/{}/{step}", post.id);
    let status = post.status.as_str();
    html! {
        @if view.may_propose && status == "draft" {
            form.api-form.inline data-method="POST" data-action=(action("submit")) data-redirect="/app/publishing" {
                button type="submit" data-submit-post=(post.id) { (t("publishing_submit")) }
            }
        }
        @if view.may_approve && status == "pending_approval" {
            form.api-form.inline data-method="POST" data-action=(action("approve")) data-redirect="/app/publishing" {
                button type="submit" data-approve-post=(post.id) { (t("publishing_approve")) }
            }
            form.api-form.inline data-method="POST" data-action=(action("reject")) data-redirect="/app/publishing" {
                label for={"reject-note-" (post.id)} { (t("publishing_reject_note")) }
                input id={"reject-note-" (post.id)} name="note" maxlength="1000";
                button.danger type="submit" data-reject-post=(post.id) { (t("publishing_reject")) }
            }
        }
        @if view.may_approve && status == "approved" {
            form.api-form.inline data-method="POST" data-action=(action("publish")) data-redirect="/app/publishing" {
                button type="submit" data-publish-post=(post.id) { (t("publishing_publish_now")) }
            }
        }
    }
}

fn posts(viewer: &Viewer, view: &PublishingPageView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    html! {
        table.data #posts {
            caption { (t("publishing_posts")) }
            thead { tr {
                th scope="col" { (t("publishing_post")) } th scope="col" { (t("publishing_status")) } th scope="col" { (t("publishing_when")) }
                th scope="col" { (t("publishing_review")) } th scope="col" { (t("publishing_actions")) }
            } }
            tbody {
                @for post in view.posts {
                    tr data-post-id=(post.id) data-status=(post.status) {
                        td {
                            div.meta { "#" (post.id) " · " span.source { (post.channel.as_str()) } " @" bdi { (post.account) } " · " bdi.author { (view.who(&post.created_by)) }
                                @if post.kind != "post" { " · " (t(&format!("publishing_kind_{}", post.kind))) }
                                @if let Some(incident) = post.incident_id { " · " a href={"/app/incidents/" (incident) "/crisis"} { (t("incident")) " #" (incident) } } }
                            p.text dir="auto" { bdi { (post.text) } }
                        }
                        td { (status_badge(viewer, &post.status)) }
                        td {
                            @if let Some(at) = post.published_at { (t("publishing_published_at")) " " (datetime(viewer, at)) }
                            @else if let Some(at) = post.scheduled_at { (t("publishing_scheduled_for")) " " (datetime(viewer, at)) }
                            @else { (t("publishing_unscheduled")) }
                        }
                        td {
                            @if let Some(by) = &post.reviewed_by { bdi { (view.who(by)) } }
                            @if let Some(note) = &post.review_note { br; bdi.review-note { (note) } }
                        }
                        td.actions { (review_actions(viewer, view, post)) }
                    }
                }
            }
        }
        @if view.posts.is_empty() { p #posts-empty { (t("publishing_no_posts")) } }
    }
}

fn compose(viewer: &Viewer, view: &PublishingPageView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let accounts = &view.publishing.accounts;
    let channels = account_channels(accounts);
    html! {
        section aria-labelledby="compose-title" {
            h2 #compose-title { (t("publishing_compose")) }
            @if accounts.is_empty() {
                p.notice { (t("crisis_no_accounts")) }
            } @else {
                form.api-form.composer.card #compose data-method="POST" data-action="/api/v1/posts" data-redirect="/app/publishing" {
                    label for="post-channel" { (t("crisis_channel")) }
                    select #post-channel name="channel" {
                        @for account in accounts { option value=(account.channel.as_str()) { (account.channel.as_str()) " @" (account.handle) } }
                    }
                    label for="post-text" { (t("publishing_text")) }
                    textarea #post-text name="text" rows="3" maxlength="5000" required data-counters=(counter_ids("post-count", &channels)) aria-describedby="post-counters" {}
                    div #post-counters { (channel_counters(viewer, "post-count", &channels)) }
                    label for="post-when" { (t("publishing_schedule_at")) }
                    input #post-when type="datetime-local" name="scheduled_at" data-type="datetime" aria-describedby="post-when-hint";
                    p.hint #post-when-hint { (t("publishing_schedule_hint")) }
                    label.check { input type="checkbox" name="submit" checked; " " (t("publishing_submit_now")) }
                    button type="submit" #compose-button { (t("publishing_create")) }
                }
            }
        }
    }
}

fn amplify(viewer: &Viewer, view: &PublishingPageView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    html! {
        section aria-labelledby="amplify-title" {
            h2 #amplify-title { (t("publishing_amplify")) }
            p.hint { (t("publishing_amplify_what")) }
            form.inline #amplify-find method="get" action="/app/publishing" {
                label for="amplify-mention" { (t("publishing_mention_id")) }
                input #amplify-mention name="mention" type="number" min="1" value=[view.amplify.map(|stored| stored.id.0)];
                button type="submit" { (t("publishing_show_mention")) }
            }
            @if let Some(stored) = view.amplify {
                ol.list #amplify-source { (mention_row(viewer, stored)) }
                form.api-form.composer.card #amplify data-method="POST" data-action={"/api/v1/mentions/" (stored.id.0) "/amplify"} data-redirect="/app/publishing" {
                    fieldset.inline {
                        legend { (t("publishing_amplify_kind")) }
                        label.check { input type="radio" name="kind" value="repost" checked; " " (t("publishing_kind_repost")) }
                        label.check { input type="radio" name="kind" value="quote"; " " (t("publishing_kind_quote")) }
                    }
                    label for="amplify-text" { (t("publishing_quote_text")) }
                    textarea #amplify-text name="text" rows="2" maxlength="5000" {}
                    button type="submit" { (t("publishing_amplify_send")) }
                }
            }
        }
    }
}

/// `/app/publishing`.
pub fn show(viewer: &Viewer, view: &PublishingPageView) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let body = html! {
        (pause(viewer, view))
        (calendar(viewer, view))
        @if view.may_propose { (compose(viewer, view)) }
        (posts(viewer, view))
        @if view.may_propose { (amplify(viewer, view)) }
    };
    page(viewer, Section::Publishing, t("nav_publishing"), body)
}
