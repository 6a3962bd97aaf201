//! `/app/topics`: the listening topics, and the editor whose query previews its matches
//! as it is typed (the script fetches `/api/v1/topics/preview`) and explains errors in
//! plain words. Saving goes through the topic API, which checks the caller's role.

use domain::ListeningTopic;
use maud::{html, Markup};

use super::SearchLink;
use crate::layout::{page, Section, Viewer};

/// Languages offered as checkboxes in the editor.
const LANGUAGES: [(&str, &str); 2] = [("fr", "Français"), ("en", "English")];

pub struct TopicsView<'a> {
    pub topics: &'a [ListeningTopic],
    /// The topic being edited (`?edit=ID`), else the editor creates one.
    pub editing: Option<&'a ListeningTopic>,
    pub may_manage: bool,
}

fn topic_rows(viewer: &Viewer, view: &TopicsView) -> Markup {
    let t = |key| viewer.t(key);
    html! {
        table.data {
            caption.visually-hidden { (t("topics_title")) }
            thead { tr {
                th scope="col" { (t("topic_name")) }
                th scope="col" { (t("topic_query")) }
                th scope="col" { (t("topic_languages")) }
                th scope="col" { (t("topic_owner")) }
                th scope="col" { (t("topic_actions")) }
            } }
            tbody data-list {
                @for topic in view.topics {
                    tr.item {
                        th scope="row" { bdi { (topic.topic.name) } }
                        td { code { bdi { (topic.topic.query) } } }
                        td { (topic.topic.languages.join(", ")) }
                        td { bdi { (topic.topic.owner) } }
                        td.actions {
                            a href={"/app/listening?topic=" (topic.id.0)} { (t("topic_open_dashboard")) }
                            " · "
                            a href=(SearchLink { topic: Some(topic.id), ..SearchLink::default() }.href()) { (t("topic_open_mentions")) }
                            @if view.may_manage {
                                " · "
                                a href={"/app/topics?edit=" (topic.id.0) "#editor"} { (t("topic_edit")) }
                                form.api-form.inline data-method="DELETE" data-action={"/api/v1/topics/" (topic.id.0)} data-redirect="/app/topics" {
                                    button.danger type="submit" aria-label={(t("topic_delete")) " " (topic.topic.name)} { (t("topic_delete")) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn editor(viewer: &Viewer, editing: Option<&ListeningTopic>) -> Markup {
    let t = |key| viewer.t(key);
    let (method, action) = match editing {
        Some(topic) => ("PUT", format!("/api/v1/topics/{}", topic.id.0)),
        None => ("POST", "/api/v1/topics".to_string()),
    };
    let value = |pick: fn(&ListeningTopic) -> &str| editing.map(pick).unwrap_or_default().to_owned();
    let has_language = |code: &str| editing.is_some_and(|topic| topic.topic.languages.iter().any(|l| l == code));
    html! {
        section #editor aria-labelledby="editor-title" {
            h2 #editor-title { @if editing.is_some() { (t("topic_edit_title")) } @else { (t("topic_new_title")) } }
            form.api-form.topic-editor data-method=(method) data-action=(action) data-redirect="/app/topics" {
                p {
                    label for="topic-name" { (t("topic_name")) }
                    br;
                    input #topic-name name="name" type="text" required maxlength="200" value=(value(|t| &t.topic.name));
                }
                p {
                    label for="topic-query" { (t("topic_query")) }
                    br;
                    textarea #topic-query name="query" rows="3" cols="60" required maxlength="4096" spellcheck="false"
                        aria-describedby="topic-query-help query-problem" data-query-preview="query-preview" { (value(|t| &t.topic.query)) }
                    br;
                    span #topic-query-help .hint { (t("topic_query_help")) }
                }
                fieldset {
                    legend { (t("topic_languages")) }
                    @for (code, name) in LANGUAGES {
                        label lang=(code) {
                            input type="checkbox" name="languages" value=(code) data-array checked[has_language(code)];
                            " " (name)
                        }
                        " "
                    }
                    span.hint { (t("topic_languages_help")) }
                }
                p {
                    label for="topic-owner" { (t("topic_owner")) }
                    br;
                    input #topic-owner name="owner" type="text" maxlength="200" value=(value(|t| &t.topic.owner));
                }
                p #query-problem .error role="alert" hidden {}
                div #query-preview .preview aria-live="polite"
                    data-count-one=(t("preview_count_one")) data-count-many=(t("preview_count_many"))
                    data-empty=(t("preview_empty")) data-failed=(t("preview_failed")) {
                    p.preview-count { (t("preview_start")) }
                    ul.preview-list {}
                }
                p { button type="submit" { (t("topic_save")) } " " @if editing.is_some() { a href="/app/topics" { (t("topic_cancel")) } } }
            }
        }
    }
}

/// `/app/topics`.
pub fn topics(viewer: &Viewer, view: &TopicsView) -> Markup {
    let t = |key| viewer.t(key);
    let body = html! {
        p.hint { (t("topics_intro")) }
        p { a href="/app/listening" { (t("nav_listening")) } " · " a href="/app/search" { (t("search_title")) } }
        @if view.topics.is_empty() { p { (t("topics_none")) } } @else { (topic_rows(viewer, view)) }
        @if view.may_manage { (editor(viewer, view.editing)) } @else { p.notice { (t("topics_read_only")) } }
    };
    page(viewer, Section::Insights, t("topics_title"), body)
}
