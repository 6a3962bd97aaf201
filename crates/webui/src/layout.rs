//! The frame every page shares: skip link, banner with the navigation, the language
//! switch and the signed-in user, the main landmark, and the keyboard help dialog.
//! Later pages (inbox, case view, insight pages) slot in as a [`Section`].

use maud::{html, Markup, DOCTYPE};

use crate::i18n::{Language, Tr};

/// The navigation entry a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    None,
    Overview,
    Inbox,
    Live,
    Contacts,
    Insights,
    Admin,
    /// The care report and the staffing forecast.
    Reports,
    Incidents,
    Alerts,
    /// The publishing calendar and its pause.
    Publishing,
}

/// Who is looking, in which language.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub tr: Tr,
    /// `None` before signing in.
    pub signed_in: Option<SignedIn>,
}

#[derive(Debug, Clone)]
pub struct SignedIn {
    pub display_name: String,
    pub email: String,
    /// Sent by the page's script in `X-CSRF-Token` with every change.
    pub csrf_token: String,
    pub may_administer: bool,
}

impl Viewer {
    pub fn t(&self, key: &str) -> &'static str {
        self.tr.t(key)
    }
}

fn nav_link(viewer: &Viewer, current: Section, section: Section, href: &str, key: &str) -> Markup {
    let t = |key| viewer.t(key);
    html! {
        li { a href=(href) aria-current=[(current == section).then_some("page")] { (t(key)) } }
    }
}

fn navigation(viewer: &Viewer, current: Section) -> Markup {
    let t = |key| viewer.t(key);
    let may_administer = viewer.signed_in.as_ref().is_some_and(|signed_in| signed_in.may_administer);
    html! {
        nav aria-label=(t("nav_label")) {
            ul {
                (nav_link(viewer, current, Section::Overview, "/app", "nav_overview"))
                (nav_link(viewer, current, Section::Inbox, "/app/inbox", "nav_inbox"))
                (nav_link(viewer, current, Section::Live, "/app/live", "nav_live"))
                (nav_link(viewer, current, Section::Contacts, "/app/contacts", "nav_contacts"))
                (nav_link(viewer, current, Section::Insights, "/app/insights", "nav_insights"))
                (nav_link(viewer, current, Section::Incidents, "/app/incidents", "nav_incidents"))
                (nav_link(viewer, current, Section::Reports, "/app/reports", "nav_reports"))
                (nav_link(viewer, current, Section::Alerts, "/app/alerts", "nav_alerts"))
                (nav_link(viewer, current, Section::Publishing, "/app/publishing", "nav_publishing"))
                @if may_administer {
                    (nav_link(viewer, current, Section::Admin, "/app/admin/users", "nav_admin"))
                }
            }
        }
    }
}

fn language_switch(viewer: &Viewer) -> Markup {
    let t = |key| viewer.t(key);
    let signed_in = viewer.signed_in.is_some();
    html! {
        div.language-switch role="group" aria-label=(t("language_label")) {
            @for (language, label) in [(Language::Fr, "Français"), (Language::En, "English")] {
                button type="button" data-language=(language.as_str()) data-signed-in=(signed_in)
                    lang=(language.as_str()) aria-pressed=(viewer.tr.0 == language) { (label) }
            }
        }
    }
}

fn help_dialog(viewer: &Viewer) -> Markup {
    let t = |key| viewer.t(key);
    html! {
        dialog #help aria-labelledby="help-title" {
            h2 #help-title { (t("help_title")) }
            dl.shortcuts {
                dt { kbd { "j" } } dd { (t("help_next")) }
                dt { kbd { "k" } } dd { (t("help_previous")) }
                dt { kbd { "Enter" } } dd { (t("help_open")) }
                dt { kbd { "x" } } dd { (t("help_select")) }
                dt { kbd { "/" } } dd { (t("help_search")) }
                dt { kbd { "r" } } dd { (t("help_reply")) }
                dt { kbd { "e" } } dd { (t("help_resolve")) }
                dt { kbd { "?" } } dd { (t("help_toggle")) }
            }
            form method="dialog" { button type="submit" { (t("close")) } }
        }
    }
}

/// A whole page around `body`.
pub fn page(viewer: &Viewer, section: Section, title: &str, body: Markup) -> Markup {
    let t = |key| viewer.t(key);
    html! {
        (DOCTYPE)
        html lang=(viewer.tr.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some(signed_in) = &viewer.signed_in {
                    meta name="csrf-token" content=(signed_in.csrf_token);
                }
                title { (title) " · Comptoir" }
                link rel="stylesheet" href=(crate::assets::STYLE_PATH);
                script src=(crate::assets::SCRIPT_PATH) defer {}
            }
            body {
                a.skip-link href="#main" { (t("skip_to_content")) }
                header.banner {
                    a.brand href="/app" { "Comptoir" }
                    @if viewer.signed_in.is_some() { (navigation(viewer, section)) }
                    div.tools {
                        (language_switch(viewer))
                        @if let Some(signed_in) = &viewer.signed_in {
                            span.who title=(signed_in.email) { (signed_in.display_name) }
                            form.api-form data-method="POST" data-action="/api/v1/auth/logout" data-redirect="/login" {
                                button type="submit" #logout { (t("logout")) }
                            }
                        }
                    }
                }
                main #main tabindex="-1" {
                    h1 { (title) }
                    p.form-status role="status" aria-live="polite" {}
                    (body)
                }
                footer {
                    p { (t("footer_help")) " " kbd { "?" } }
                }
                (help_dialog(viewer))
            }
        }
    }
}
