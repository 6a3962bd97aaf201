//! Administration of the care side (issue #6 §5): SLA policies with their business-hours
//! calendar, routing rules, canned responses, and the agents' expertise tags and capacity.
//! Every change is a call to the care settings API (`/api/v1/sla-policies`,
//! `/routing-rules`, `/canned-responses`, `/agents`), which checks and audits it; nested
//! settings (targets, calendar, routing conditions) are form fields with dotted names
//! (`calendar.opening_hours.monday`) that `app.js` nests into the API's JSON.

use maud::{html, Markup};
use serde_json::Value;
use service::cases::AgentView;

use crate::layout::Viewer;
use crate::pages::admin::{admin_page, Tab};

const PRIORITIES: [&str; 4] = ["urgent", "high", "normal", "low"];
/// A policy's three targets and their column titles.
const TARGET_FIELDS: [(&str, &str); 3] = [("first_response_minutes", "sla_first_response"), ("next_response_minutes", "sla_next_response"), ("resolution_minutes", "sla_resolution")];
const WEEKDAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

fn team_name(teams: &[(i64, String)], id: Option<i64>) -> Option<&str> {
    let id = id?;
    teams.iter().find(|(team, _)| *team == id).map(|(_, name)| name.as_str())
}

fn team_select(viewer: &Viewer, id: &str, chosen: Option<i64>, teams: &[(i64, String)], none_key: Option<&str>) -> Markup {
    html! {
        select id=(id) name="team_id" data-type="number" {
            @if let Some(none_key) = none_key { option value="" { (viewer.t(none_key)) } }
            @for (team, name) in teams { option value=(team) selected[chosen == Some(*team)] { (name) } }
        }
    }
}

/// One policy's targets per priority, in minutes, as a table.
fn targets_table(viewer: &Viewer, targets: &Value) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    html! {
        table.data.compact {
            thead { tr {
                th scope="col" { (t("case_priority")) } th scope="col" { (t("sla_first_response")) }
                th scope="col" { (t("sla_next_response")) } th scope="col" { (t("sla_resolution")) }
            } }
            tbody { @for priority in PRIORITIES {
                tr {
                    th scope="row" { (t(&format!("priority_{priority}"))) }
                    @for field in ["first_response_minutes", "next_response_minutes", "resolution_minutes"] {
                        td { (targets[priority][field].as_u64().unwrap_or_default()) " min" }
                    }
                }
            } }
        }
    }
}

/// The business-hours calendar: time zone, opening hours per weekday, holidays.
fn calendar_table(viewer: &Viewer, calendar: &Value) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let hours = &calendar["opening_hours"];
    let holidays: Vec<&str> = calendar["holidays"].as_array().map(|days| days.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    html! {
        p { (t("calendar_time_zone")) " " code { (calendar["time_zone"].as_str().unwrap_or_default()) } }
        table.data.compact {
            caption { (t("calendar_hours")) }
            tbody { @for day in WEEKDAYS {
                tr {
                    th scope="row" { (t(&format!("weekday_{day}"))) }
                    td {
                        @let intervals: Vec<&str> = hours[day].as_array().map(|list| list.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
                        @if intervals.is_empty() { (t("calendar_closed")) } @else { (intervals.join(", ")) }
                    }
                }
            } }
        }
        p { (t("calendar_holidays")) " "
            @if holidays.is_empty() { (t("none")) } @else { (holidays.join(", ")) } }
    }
}

/// The fields shared by the create and edit forms of a policy.
fn policy_fields(viewer: &Viewer, prefix: &str, policy: Option<&Value>, teams: &[(i64, String)], defaults: &Value) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let source = policy.unwrap_or(defaults);
    html! {
        p { label for={(prefix) "-name"} { (t("sla_policy_name")) }
            input id={(prefix) "-name"} name="name" required maxlength="200" value=[policy.and_then(|policy| policy["name"].as_str())]; }
        p { label for={(prefix) "-team"} { (t("sla_policy_team")) }
            (team_select(viewer, &format!("{prefix}-team"), policy.and_then(|policy| policy["team_id"].as_i64()), teams, Some("sla_policy_default"))) }
        (target_fields(viewer, prefix, &source["targets"]))
        (calendar_fields(viewer, prefix, &source["calendar"]))
    }
}

/// The targets as number fields, one per priority and target (`targets.urgent.first_response_minutes`).
fn target_fields(viewer: &Viewer, prefix: &str, targets: &Value) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    html! {
        fieldset.sla-targets {
            legend { (t("sla_targets_legend")) }
            table.data.compact {
                thead { tr {
                    th scope="col" { (t("case_priority")) }
                    @for (_, key) in TARGET_FIELDS { th scope="col" { (t(key)) } }
                } }
                tbody { @for priority in PRIORITIES {
                    tr {
                        th scope="row" { (t(&format!("priority_{priority}"))) }
                        @for (field, key) in TARGET_FIELDS {
                            td { input id={(prefix) "-" (priority) "-" (field)} type="number" min="1" max="525600" required data-type="number"
                                name={"targets." (priority) "." (field)} value=[targets[priority][field].as_u64()]
                                aria-label={(t(&format!("priority_{priority}"))) " · " (t(key)) " (" (t("sla_minutes")) ")"}; }
                        }
                    }
                } }
            }
        }
    }
}

/// The calendar as fields: a time zone select, the opening intervals of each weekday
/// (`09:00-12:00, 14:00-18:00`; empty is closed), the holidays (`2026-12-25, …`).
fn calendar_fields(viewer: &Viewer, prefix: &str, calendar: &Value) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let zone = calendar["time_zone"].as_str().unwrap_or("Europe/Paris");
    let strings = |value: &Value| -> String { value.as_array().map(|list| list.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")).unwrap_or_default() };
    let hint = format!("{prefix}-hours-hint");
    html! {
        fieldset.sla-calendar {
            legend { (t("sla_calendar_legend")) }
            p { label for={(prefix) "-zone"} { (t("sla_time_zone")) }
                select id={(prefix) "-zone"} name="calendar.time_zone" {
                    @for name in chrono_tz::TZ_VARIANTS.iter().map(|zone| zone.name()) { option selected[name == zone] { (name) } }
                } }
            table.data.compact {
                caption { (t("calendar_hours")) }
                tbody { @for day in WEEKDAYS {
                    tr {
                        th scope="row" { label for={(prefix) "-" (day)} { (t(&format!("weekday_{day}"))) } }
                        td { input id={(prefix) "-" (day)} name={"calendar.opening_hours." (day)} data-split="," maxlength="200"
                            placeholder=(t("calendar_closed")) value=(strings(&calendar["opening_hours"][day])) aria-describedby=(hint); }
                    }
                } }
            }
            p.hint id=(hint) { (t("sla_hours_hint")) }
            p { label for={(prefix) "-holidays"} { (t("sla_holidays")) }
                input id={(prefix) "-holidays"} name="calendar.holidays" data-split="," maxlength="4000" placeholder="2026-12-25, 2027-01-01"
                    value=(strings(&calendar["holidays"])); }
        }
    }
}

/// `/app/admin/sla`: every policy with its targets and calendar, and their forms.
pub fn sla_policies(viewer: &Viewer, policies: &[Value], teams: &[(i64, String)]) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let defaults = policies.first().cloned().unwrap_or(Value::Null);
    let body = html! {
        p { (t("sla_intro")) }
        @for policy in policies {
            @let id = policy["id"].as_i64().unwrap_or_default();
            section.card.policy data-policy-id=(id) aria-labelledby={"policy-" (id)} {
                h2 id={"policy-" (id)} { bdi { (policy["name"].as_str().unwrap_or_default()) } " · "
                    @match team_name(teams, policy["team_id"].as_i64()) { Some(name) => bdi { (name) }, None => (t("sla_policy_default")) } }
                (targets_table(viewer, &policy["targets"]))
                (calendar_table(viewer, &policy["calendar"]))
                @if id > 0 {
                    details {
                        summary { (t("edit")) }
                        form.api-form data-method="PUT" data-action={"/api/v1/sla-policies/" (id)} data-redirect="/app/admin/sla" {
                            (policy_fields(viewer, &format!("policy-{id}"), Some(policy), teams, &defaults))
                            button type="submit" { (t("save")) }
                        }
                    }
                    form.api-form.inline data-method="DELETE" data-action={"/api/v1/sla-policies/" (id)} data-redirect="/app/admin/sla" {
                        button type="submit" { (t("delete")) }
                    }
                }
            }
        }
        h2 { (t("sla_policy_create")) }
        form.api-form.card #new-policy data-method="POST" data-action="/api/v1/sla-policies" data-redirect="/app/admin/sla" {
            (policy_fields(viewer, "new-policy", None, teams, &defaults))
            button type="submit" { (t("sla_policy_create")) }
        }
    };
    admin_page(viewer, Tab::Sla, "admin_sla", body)
}

/// A rule's conditions in words: each non-empty list, and VIP when set.
fn conditions_text(viewer: &Viewer, conditions: &Value) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let mut parts: Vec<(&str, String)> = Vec::new();
    for (field, key) in [("languages", "filter_language"), ("intents", "filter_intent"), ("reasons", "filter_reason"), ("sources", "case_source"), ("topics", "filter_topic")] {
        let values: Vec<String> = conditions[field]
            .as_array()
            .map(|list| list.iter().map(|value| value.as_str().map_or_else(|| value.to_string(), str::to_string)).collect())
            .unwrap_or_default();
        if !values.is_empty() {
            parts.push((key, values.join(", ")));
        }
    }
    if let Some(vip) = conditions["vip"].as_bool() {
        parts.push(("filter_vip", if vip { t("yes") } else { t("no") }.to_string()));
    }
    html! {
        @if parts.is_empty() { (t("routing_always")) }
        @for (index, (key, values)) in parts.iter().enumerate() {
            @if index > 0 { "; " }
            (t(key)) " " bdi { (values) }
        }
    }
}

/// A new rule's conditions as fields (`when.languages`…): an empty field matches anything.
fn condition_fields(viewer: &Viewer, topics: &[(i64, String)]) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    html! {
        fieldset #rule-when aria-describedby="rule-when-hint" {
            legend { (t("routing_when")) }
            p.hint #rule-when-hint { (t("routing_fields_hint")) }
            p { label for="rule-languages" { (t("filter_language")) }
                input #rule-languages name="when.languages" data-split="," maxlength="200" placeholder="fr, en"; }
            fieldset.inline { legend { (t("filter_intent")) }
                @for intent in domain::Intent::ALL {
                    label.check { input type="checkbox" name="when.intents" data-array value=(intent.as_str()); " " (t(&format!("intent_{}", intent.as_str()))) }
                } }
            p { label for="rule-reasons" { (t("filter_reason")) }
                input #rule-reasons name="when.reasons" data-split="," maxlength="500" placeholder="delay, refund"; }
            fieldset.inline { legend { (t("case_source")) }
                @for source in domain::Source::ALL {
                    label.check { input type="checkbox" name="when.sources" data-array value=(source.as_str()); " " (source.as_str()) }
                } }
            @if !topics.is_empty() {
                fieldset.inline { legend { (t("filter_topic")) }
                    @for (id, name) in topics {
                        label.check { input type="checkbox" name="when.topics" data-array data-type="number" value=(id); " " bdi { (name) } }
                    } }
            }
            p { label for="rule-vip" { (t("routing_vip")) }
                select #rule-vip name="when.vip" data-type="json" {
                    option value="" { (t("routing_vip_any")) }
                    option value="true" { (t("routing_vip_only")) }
                    option value="false" { (t("routing_vip_not")) }
                } }
        }
    }
}

/// `/app/admin/routing`: the rules in the order they are tried, and a form for a new one.
pub fn routing_rules(viewer: &Viewer, rules: &[(i64, i64, String, Value, i64)], teams: &[(i64, String)], topics: &[(i64, String)]) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let body = html! {
        p { (t("routing_intro")) }
        table.data {
            caption.visually-hidden { (t("admin_routing")) }
            thead { tr {
                th scope="col" { (t("routing_position")) } th scope="col" { (t("routing_name")) }
                th scope="col" { (t("routing_when")) } th scope="col" { (t("routing_team")) } th scope="col" { (t("actions")) }
            } }
            tbody data-list { @for (id, position, name, conditions, team) in rules {
                tr.item data-rule-id=(id) {
                    td { (position) }
                    td { bdi { (name) } }
                    td { (conditions_text(viewer, conditions)) }
                    td { @match team_name(teams, Some(*team)) { Some(name) => bdi { (name) }, None => { "#" (team) } } }
                    td { form.api-form.inline data-method="DELETE" data-action={"/api/v1/routing-rules/" (id)} data-redirect="/app/admin/routing" {
                        button type="submit" aria-label={(t("delete")) " " (name)} { (t("delete")) }
                    } }
                }
            } }
        }
        @if rules.is_empty() { p { (t("routing_none")) } }
        h2 { (t("routing_create")) }
        @if teams.is_empty() { p { (t("routing_needs_team")) } } @else {
            form.api-form.card #new-rule data-method="POST" data-action="/api/v1/routing-rules" data-redirect="/app/admin/routing" {
                p { label for="rule-name" { (t("routing_name")) } input #rule-name name="name" required maxlength="200"; }
                p { label for="rule-position" { (t("routing_position")) } input #rule-position name="position" type="number" value="0" data-type="number"; }
                p { label for="rule-team" { (t("routing_team")) } (team_select(viewer, "rule-team", None, teams, None)) }
                (condition_fields(viewer, topics))
                button type="submit" { (t("routing_create")) }
            }
        }
    };
    admin_page(viewer, Tab::Routing, "admin_routing", body)
}

/// `/app/admin/canned`: canned responses with their variables, and a form for a new one.
pub fn canned_responses(viewer: &Viewer, canned: &[(i64, String, String)]) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let body = html! {
        p { (t("canned_intro")) " " code { "{customer_name}" } ", " code { "{case_number}" } ", " code { "{opening_hours}" } }
        table.data {
            caption.visually-hidden { (t("admin_canned")) }
            thead { tr { th scope="col" { (t("canned_title")) } th scope="col" { (t("canned_template")) } th scope="col" { (t("actions")) } } }
            tbody data-list { @for (id, title, template) in canned {
                tr.item data-canned-id=(id) {
                    td { bdi { (title) } }
                    td { p.text dir="auto" { bdi { (template) } } }
                    td { form.api-form.inline data-method="DELETE" data-action={"/api/v1/canned-responses/" (id)} data-redirect="/app/admin/canned" {
                        button type="submit" aria-label={(t("delete")) " " (title)} { (t("delete")) }
                    } }
                }
            } }
        }
        h2 { (t("canned_create")) }
        form.api-form.card #new-canned data-method="POST" data-action="/api/v1/canned-responses" data-redirect="/app/admin/canned" {
            p { label for="canned-title" { (t("canned_title")) } input #canned-title name="title" required maxlength="200"; }
            p { label for="canned-template" { (t("canned_template")) } textarea #canned-template name="template" required maxlength="8192" rows="4" {} }
            button type="submit" { (t("canned_create")) }
        }
    };
    admin_page(viewer, Tab::Canned, "admin_canned", body)
}

/// `/app/admin/agents`: presence, open cases, capacity and expertise tags of each agent.
pub fn agents(viewer: &Viewer, agents: &[AgentView]) -> Markup {
    let t = |key: &str| -> &'static str { viewer.t(key) };
    let body = html! {
        p { (t("agents_intro")) }
        table.data {
            caption.visually-hidden { (t("admin_agents")) }
            thead { tr {
                th scope="col" { (t("user_name")) } th scope="col" { (t("user_role")) } th scope="col" { (t("agent_presence")) }
                th scope="col" { (t("agent_open_cases")) } th scope="col" { (t("agent_settings")) }
            } }
            tbody data-list { @for agent in agents {
                tr.item data-agent-id=(agent.user_id) {
                    td { bdi { (agent.display_name) } }
                    td { (t(&format!("role_{}", agent.role.as_str()))) }
                    td { (agent.presence) }
                    td { (agent.open_cases) }
                    td {
                        form.api-form.inline data-method="PATCH" data-action={"/api/v1/agents/" (agent.user_id)} data-redirect="/app/admin/agents" {
                            label for={"capacity-" (agent.user_id)} { (t("agent_capacity")) }
                            input id={"capacity-" (agent.user_id)} name="capacity" type="number" min="0" max="1000" value=(agent.capacity) data-type="number";
                            label for={"expertise-" (agent.user_id)} { (t("agent_expertise")) }
                            input id={"expertise-" (agent.user_id)} name="expertise" data-type="list" maxlength="1000" value=(agent.expertise.join(", "));
                            button type="submit" aria-label={(t("save")) " " (agent.display_name)} { (t("save")) }
                        }
                    }
                }
            } }
        }
    };
    admin_page(viewer, Tab::Agents, "admin_agents", body)
}
