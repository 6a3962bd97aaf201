//! Administration: users and roles, teams and members, API tokens, the audit log, and
//! the sources with their health and the quarantine. The care settings (SLA policies and
//! calendars, routing rules, canned responses, agents) are `care_admin`'s tabs.

use domain::{Role, Scope, Team, User};
use maud::{html, Markup};
use service::feed::SourceHealth;
use service::{AuditEntry, QuarantinedRecord, TokenView};

use crate::layout::{page, Section, Viewer};
use crate::pages::datetime;

/// The administration tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Users,
    Teams,
    Tokens,
    Audit,
    Sources,
    Sla,
    Routing,
    Canned,
    Agents,
}

fn tabs(viewer: &Viewer, current: Tab) -> Markup {
    let t = |key| viewer.t(key);
    let entries = [
        (Tab::Users, "/app/admin/users", "admin_users"),
        (Tab::Teams, "/app/admin/teams", "admin_teams"),
        (Tab::Tokens, "/app/admin/tokens", "admin_tokens"),
        (Tab::Audit, "/app/admin/audit", "admin_audit"),
        (Tab::Sources, "/app/admin/sources", "admin_sources"),
        (Tab::Sla, "/app/admin/sla", "admin_sla"),
        (Tab::Routing, "/app/admin/routing", "admin_routing"),
        (Tab::Canned, "/app/admin/canned", "admin_canned"),
        (Tab::Agents, "/app/admin/agents", "admin_agents"),
    ];
    html! {
        nav.tabs aria-label=(t("admin_sections")) {
            ul { @for (tab, href, key) in entries {
                li { a href=(href) aria-current=[(tab == current).then_some("page")] { (t(key)) } }
            } }
        }
    }
}

pub(crate) fn admin_page(viewer: &Viewer, tab: Tab, title_key: &str, body: Markup) -> Markup {
    let body = html! { (tabs(viewer, tab)) (body) };
    page(viewer, Section::Admin, viewer.t(title_key), body)
}

fn role_options(viewer: &Viewer, selected: Role) -> Markup {
    html! { @for role in Role::ALL {
        option value=(role.as_str()) selected[role == selected] { (viewer.t(&format!("role_{}", role.as_str()))) }
    } }
}

pub fn users(viewer: &Viewer, users: &[User]) -> Markup {
    let t = |key| viewer.t(key);
    let body = html! {
        table.data {
            caption.visually-hidden { (t("admin_users")) }
            thead { tr { th scope="col" { (t("user_name")) } th scope="col" { (t("user_email")) } th scope="col" { (t("user_role")) } th scope="col" { (t("user_status")) } th scope="col" { (t("actions")) } } }
            tbody data-list { @for user in users {
                tr.item {
                    td { bdi { (user.display_name) } }
                    td { (user.email) }
                    td {
                        form.api-form.inline data-method="PATCH" data-action={"/api/v1/users/" (user.id)} data-redirect="/app/admin/users" {
                            label.visually-hidden for={"role-" (user.id)} { (t("user_role")) " " (user.email) }
                            select id={"role-" (user.id)} name="role" { (role_options(viewer, user.role)) }
                            button type="submit" { (t("save")) }
                        }
                    }
                    td { (if user.active { t("user_active") } else { t("user_inactive") }) }
                    td { @if user.active {
                        form.api-form.inline data-method="DELETE" data-action={"/api/v1/users/" (user.id)} data-redirect="/app/admin/users" {
                            button type="submit" { (t("user_deactivate")) }
                        }
                    } }
                }
            } }
        }
        h2 { (t("user_create")) }
        form.api-form.card data-method="POST" data-action="/api/v1/users" data-redirect="/app/admin/users" {
            p { label for="new-email" { (t("user_email")) } input #new-email name="email" type="email" required maxlength="200"; }
            p { label for="new-name" { (t("user_name")) } input #new-name name="display_name" maxlength="200"; }
            p { label for="new-password" { (t("login_password")) } input #new-password name="password" type="password" required autocomplete="new-password"; }
            p { label for="new-role" { (t("user_role")) } select #new-role name="role" { (role_options(viewer, Role::Agent)) } }
            p { label for="new-language" { (t("language_label")) }
                select #new-language name="language" { option value="fr" { "Français" } option value="en" { "English" } } }
            p { button type="submit" { (t("user_create")) } }
        }
    };
    admin_page(viewer, Tab::Users, "admin_users", body)
}

pub fn teams(viewer: &Viewer, teams: &[Team], users: &[User]) -> Markup {
    let t = |key| viewer.t(key);
    let name_of = |id: domain::UserId| users.iter().find(|user| user.id == id).map_or_else(|| id.to_string(), |user| user.display_name.clone());
    let body = html! {
        @if teams.is_empty() { p { (t("teams_none")) } }
        ul.list data-list { @for team in teams {
            li.item tabindex="-1" {
                h2 { bdi { (team.name) } }
                p { (t("team_members")) ": " @for (position, member) in team.members.iter().enumerate() {
                    @if position > 0 { ", " } bdi { (name_of(*member)) } } }
                form.api-form.inline data-method="DELETE" data-action={"/api/v1/teams/" (team.id)} data-redirect="/app/admin/teams" {
                    button type="submit" { (t("team_delete")) " " (team.name) }
                }
            }
        } }
        h2 { (t("team_create")) }
        form.api-form.card data-method="POST" data-action="/api/v1/teams" data-redirect="/app/admin/teams" {
            p { label for="team-name" { (t("team_name")) } input #team-name name="name" required maxlength="200"; }
            fieldset { legend { (t("team_members")) }
                @for user in users.iter().filter(|user| user.active) {
                    label.check { input type="checkbox" name="members" value=(user.id) data-array data-type="number"; " " bdi { (user.display_name) } }
                }
            }
            p { button type="submit" { (t("team_create")) } }
        }
    };
    admin_page(viewer, Tab::Teams, "admin_teams", body)
}

/// Tokens are listed from the audit log (their secrets are stored hashed, shown once).
pub fn tokens(viewer: &Viewer, users: &[User], tokens: &[TokenView]) -> Markup {
    let t = |key| viewer.t(key);
    let owner = |id: Option<i64>| users.iter().find(|user| Some(user.id.0) == id).map(|user| user.email.as_str());
    let body = html! {
        p { (t("tokens_intro")) }
        form.api-form.card data-method="POST" data-action="/api/v1/tokens" data-show="token" {
            p { label for="token-user" { (t("token_owner")) }
                select #token-user name="email" { @for user in users.iter().filter(|user| user.active) { option value=(user.email) { (user.email) } } } }
            p { label for="token-label" { (t("token_label")) } input #token-label name="label" required maxlength="200"; }
            fieldset { legend { (t("token_scopes")) }
                @for scope in Scope::ALL {
                    label.check { input type="checkbox" name="scopes" value=(scope.as_str()) data-array; " " code { (scope.as_str()) } }
                }
            }
            p { button type="submit" { (t("token_create")) } }
            p.shown-once hidden { (t("token_shown_once")) " " output #token-secret {} }
        }
        h2 { (t("tokens_created")) }
        table.data {
            thead { tr {
                th scope="col" { (t("audit_at")) } th scope="col" { (t("token_owner")) } th scope="col" { (t("token_label")) }
                th scope="col" { (t("token_scopes")) } th scope="col" { (t("actions")) }
            } }
            tbody data-list { @for token in tokens {
                tr.item data-token-id=(token.id) {
                    td { (datetime(viewer, token.created_at)) }
                    td { (owner(token.user_id).unwrap_or("—")) }
                    td { bdi { (token.label) } }
                    td { @if token.scopes.is_empty() { (t("token_all_rights")) } @else { code { (token.scopes.join(", ")) } } }
                    td { form.api-form.inline data-method="DELETE" data-action={"/api/v1/tokens/" (token.id)} data-redirect="/app/admin/tokens" {
                        button type="submit" aria-label={(t("token_revoke")) " " (token.label)} { (t("token_revoke")) }
                    } }
                }
            } }
        }
    };
    admin_page(viewer, Tab::Tokens, "admin_tokens", body)
}

pub fn audit(viewer: &Viewer, entries: &[AuditEntry], next_cursor: Option<i64>) -> Markup {
    let t = |key| viewer.t(key);
    let body = html! {
        table.data {
            caption.visually-hidden { (t("admin_audit")) }
            thead { tr { th scope="col" { (t("audit_at")) } th scope="col" { (t("audit_actor")) } th scope="col" { (t("audit_action")) } th scope="col" { (t("audit_entity")) } } }
            tbody data-list { @for entry in entries {
                tr.item {
                    td { (datetime(viewer, entry.at)) }
                    td { bdi { (entry.actor) } }
                    td { code { (entry.action) } }
                    td { (entry.entity) " " (entry.entity_id) }
                }
            } }
        }
        @if let Some(cursor) = next_cursor { p { a rel="next" href={"/app/admin/audit?cursor=" (cursor)} { (t("next_page")) } } }
    };
    admin_page(viewer, Tab::Audit, "admin_audit", body)
}

pub fn sources(viewer: &Viewer, health: &[(String, SourceHealth)], quarantined: u64, quarantine: &[QuarantinedRecord]) -> Markup {
    let t = |key| viewer.t(key);
    let body = html! {
        p { (t("sources_intro")) }
        table.data {
            caption { (t("sources_health")) }
            thead { tr { th scope="col" { (t("source")) } th scope="col" { (t("sources_received")) } th scope="col" { (t("sources_last_item")) }
                th scope="col" { (t("sources_errors")) } th scope="col" { (t("sources_last_error")) } } }
            tbody data-list { @for (name, entry) in health {
                tr.item {
                    td { (name) }
                    td { (entry.items_received) }
                    td { @if let Some(at) = entry.last_item_at { (datetime(viewer, at)) } @else { "—" } }
                    td { (entry.errors) }
                    td { @if let Some(error) = &entry.last_error { bdi { (error) } } }
                }
            } }
        }
        h2 { (t("quarantine_title")) " (" (quarantined) ")" }
        @if quarantine.is_empty() { p { (t("quarantine_empty")) } }
        ol.list data-list { @for record in quarantine {
            li.item tabindex="-1" {
                div.meta { span.source { (record.record.format) } " " (datetime(viewer, record.record.received_at)) " " bdi { (record.record.origin) } " " (record.record.position) }
                p { strong { (t("quarantine_reason")) } " " bdi { (record.record.reason) } }
                details { summary { (t("quarantine_raw")) } pre { (record.record.raw) } }
            }
        } }
    };
    admin_page(viewer, Tab::Sources, "admin_sources", body)
}
