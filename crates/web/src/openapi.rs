//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 description of the REST API, built from one
//! table of operations. A test reads the router's source and fails when a route is missing
//! here, so the document cannot drift from the API.

use axum::Json;
use serde_json::{Map, Value, json};

/// `(method, path, tag, summary)` of every operation under `/api/v1`.
pub const OPERATIONS: &[(&str, &str, &str, &str)] = &[
    ("post", "/api/v1/mentions", "listening", "Ingest mentions (NDJSON, one mention per line; a JSON array or object too)"),
    ("get", "/api/v1/mentions/{id}", "listening", "One stored mention with its enrichment"),
    ("put", "/api/v1/mentions/{id}/enrichment", "understanding", "Correct a mention's sentiment or reason (kept as training data)"),
    ("get", "/api/v1/search", "listening", "Search mentions with the listening query language (q, sort, limit, offset, facets)"),
    ("get", "/api/v1/authors", "understanding", "Authors by real influence"),
    ("get", "/api/v1/authors/{source}/{handle}", "understanding", "One author's influence and counts"),
    ("get", "/api/v1/topics", "listening", "Listening topics"),
    ("post", "/api/v1/topics", "listening", "Create a listening topic (its query is checked)"),
    ("delete", "/api/v1/topics/{id}", "listening", "Delete a listening topic"),
    ("put", "/api/v1/topics/{id}", "listening", "Change a listening topic's name, query, languages or owner (its query is checked)"),
    ("get", "/api/v1/topics/preview", "listening", "Preview a query as it is typed: count and newest matches, or its error explained (q, languages, lang=fr|en)"),
    ("get", "/api/v1/dashboards/listening", "listening", "The listening dashboard (topic, range=24h|7d|30d, until): volume by source and sentiment with incidents, share of voice, reasons, intents, top authors, emerging terms; format=csv&chart= exports one chart"),
    ("get", "/api/v1/topics/{id}/weak-signals", "early warning", "Terms rising against their own baseline in a topic, with examples"),
    ("get", "/api/v1/quarantine", "listening", "Rejected records with where and why"),
    ("post", "/api/v1/auth/login", "access", "Sign in with e-mail and password (sets the session cookie, returns the CSRF token)"),
    ("post", "/api/v1/auth/logout", "access", "Sign out"),
    ("get", "/api/v1/me", "access", "Who is calling, with role and rights"),
    ("put", "/api/v1/me/language", "access", "Set the caller's interface language (fr or en)"),
    ("post", "/api/v1/tokens", "access", "Create an API token (optionally narrowed by scopes)"),
    ("get", "/api/v1/tokens", "access", "API tokens: label, owner, scopes, creation time (never the secret)"),
    ("delete", "/api/v1/tokens/{id}", "access", "Revoke an API token at once"),
    ("get", "/api/v1/users", "access", "Users"),
    ("post", "/api/v1/users", "access", "Create a user"),
    ("get", "/api/v1/users/{id}", "access", "One user"),
    ("patch", "/api/v1/users/{id}", "access", "Change a user's role, name, signature, expertise or capacity"),
    ("delete", "/api/v1/users/{id}", "access", "Deactivate a user"),
    ("get", "/api/v1/teams", "access", "Teams with their members"),
    ("post", "/api/v1/teams", "access", "Create a team"),
    ("get", "/api/v1/teams/{id}", "access", "One team"),
    ("put", "/api/v1/teams/{id}", "access", "Rename a team and replace its members"),
    ("delete", "/api/v1/teams/{id}", "access", "Delete a team"),
    ("get", "/api/v1/teams/{id}/care-settings", "care settings", "A team's signature, assignment and crowd settings"),
    ("put", "/api/v1/teams/{id}/care-settings", "care settings", "Set a team's signature, assignment and crowd settings"),
    ("get", "/api/v1/audit", "access", "The audit log (who, what, when, before and after)"),
    ("get", "/api/v1/contacts", "contacts", "Contacts, searched by name or identity"),
    ("get", "/api/v1/contacts/{id}", "contacts", "One contact with identities and CRM fields"),
    ("patch", "/api/v1/contacts/{id}", "contacts", "Change a contact's CRM fields (advisor, customer number, segment, VIP)"),
    ("delete", "/api/v1/contacts/{id}", "contacts", "Erase a contact's personal data (GDPR)"),
    ("post", "/api/v1/contacts/{id}/identities", "contacts", "Add an identity (handle, e-mail, phone)"),
    ("post", "/api/v1/contacts/{id}/notes", "contacts", "Add a note to a contact"),
    ("post", "/api/v1/contacts/{id}/merge", "contacts", "Merge another contact into this one"),
    ("get", "/api/v1/contacts/{id}/merge-suggestions", "contacts", "Merge suggestions on strong evidence"),
    ("get", "/api/v1/contacts/{id}/timeline", "contacts", "One timeline across channels: mentions, cases, replies, calls, notes, CSAT"),
    ("get", "/api/v1/contacts/{id}/export", "contacts", "Everything about a contact as JSON (GDPR)"),
    ("post", "/api/v1/contacts/merges/{merge_id}/undo", "contacts", "Undo a merge"),
    ("get", "/api/v1/incidents", "early warning", "Incidents, newest first"),
    ("get", "/api/v1/incidents/{id}", "early warning", "One incident with its drivers and timeline"),
    ("patch", "/api/v1/incidents/{id}", "early warning", "Change an incident's owner, status or title"),
    ("get", "/api/v1/incidents/{id}/mentions", "early warning", "The mentions an incident groups"),
    ("get", "/api/v1/incidents/{id}/cases", "early warning", "The cases holding the incident's mentions"),
    ("get", "/api/v1/incidents/{id}/crisis", "crisis", "An incident's crisis mode, the publishing pause and its broadcasts"),
    ("post", "/api/v1/incidents/{id}/crisis", "crisis", "Turn crisis mode on (pauses the schedule, acknowledges new related mentions) or off"),
    ("post", "/api/v1/incidents/{id}/broadcast", "crisis", "Publish one update to each of the brand's accounts, on the incident's timeline"),
    ("post", "/api/v1/incidents/{id}/bulk-reply/preview", "crisis", "Preview every message of a bulk reply (one per author, personalised, signed, channel-checked)"),
    ("post", "/api/v1/incidents/{id}/bulk-reply", "crisis", "Send exactly a previewed bulk reply, rate-limited per channel"),
    ("post", "/api/v1/incidents/{id}/notify/preview", "crisis", "Preview the outage-resolved notice to the affected customers"),
    ("post", "/api/v1/incidents/{id}/notify", "crisis", "Send exactly a previewed outage-resolved notice"),
    ("get", "/api/v1/incidents/{id}/bulk/{preview_id}", "crisis", "A preview and the delivery state of each of its messages"),
    ("get", "/api/v1/posts", "publishing", "The brand's posts, newest first (status, cursor, limit)"),
    ("post", "/api/v1/posts", "publishing", "Compose a post (text, channel, account, scheduled_at) for approval"),
    ("get", "/api/v1/posts/{id}", "publishing", "One post"),
    ("patch", "/api/v1/posts/{id}", "publishing", "Edit a draft, a post waiting for approval or a rejected one"),
    ("post", "/api/v1/posts/{id}/submit", "publishing", "Submit a draft for approval"),
    ("post", "/api/v1/posts/{id}/approve", "publishing", "Approve a post (scheduled when it has a time to come)"),
    ("post", "/api/v1/posts/{id}/reject", "publishing", "Reject a post with a note"),
    ("post", "/api/v1/posts/{id}/publish", "publishing", "Publish an approved post now (refused while paused)"),
    ("post", "/api/v1/mentions/{id}/amplify", "publishing", "Repost or quote a customer's mention from the brand's account"),
    ("get", "/api/v1/publishing", "publishing", "The publishing calendar: pause state, accounts, scheduled posts, rates"),
    ("post", "/api/v1/publishing/pause", "publishing", "Pause publishing: scheduled posts are held"),
    ("post", "/api/v1/publishing/resume", "publishing", "Resume publishing (lifts crisis holds too)"),
    ("get", "/api/v1/outbox", "publishing", "The sandbox sink: every outbound message recorded (after, limit)"),
    ("get", "/api/v1/alert-rules", "early warning", "Alert rules"),
    ("post", "/api/v1/alert-rules", "early warning", "Create an alert rule (in-app, webhook or e-mail)"),
    ("delete", "/api/v1/alert-rules/{id}", "early warning", "Delete an alert rule"),
    ("patch", "/api/v1/alert-rules/{id}", "early warning", "Mute or unmute an alert rule ({\"muted\": true})"),
    ("post", "/api/v1/alert-rules/{id}/test", "early warning", "Send a sample alert through a rule's channel"),
    ("get", "/api/v1/alerts", "early warning", "Alert history"),
    ("get", "/api/v1/cases", "cases", "The inbox: cases by queue, status, team, assignee, source, language, sentiment, intent, reason, priority, topic, vip, tag (every case the caller may see without a filter), sorted by sla (default), priority, newest or oldest"),
    ("post", "/api/v1/cases/bulk", "cases", "One action (assign, tag, untag, resolve, status) on many cases; a result per case"),
    ("get", "/api/v1/cases/{id}", "cases", "One case with its conversation, SLA due times and their state"),
    ("patch", "/api/v1/cases/{id}", "cases", "Change a case's status (valid transitions only), assignee, team, tags or priority"),
    ("post", "/api/v1/cases/{id}/notes", "cases", "Add an internal note (mentions colleagues with @)"),
    ("post", "/api/v1/cases/{id}/presence", "cases", "Say the caller is viewing or typing (collision detection)"),
    ("post", "/api/v1/cases/{id}/replies", "cases", "Reply publicly or privately; 422 with the reason when the text breaks the channel's rules"),
    ("post", "/api/v1/cases/{id}/callback", "cases", "Escalate to a phone callback (number as people write it, optional slot)"),
    ("get", "/api/v1/callbacks", "cases", "Callback tasks"),
    ("post", "/api/v1/callbacks/{id}/outcome", "cases", "Log a call's outcome on the timeline"),
    ("get", "/api/v1/reports/csat", "reports", "CSAT answers and averages per agent and team"),
    ("get", "/api/v1/reports/care", "reports", "Care report of a period (from, to, team, agent): response and resolution times, SLA compliance by hour, day, team and agent, backlog, customers served, CSAT"),
    ("get", "/api/v1/reports/care.csv", "reports", "One table of the care report as CSV (table=by_hour|by_day|by_team|by_agent|first_response_time|resolution_time)"),
    ("get", "/api/v1/staffing/forecast", "reports", "Case arrivals forecast per hour and the agents each hour needs (Erlang C) beside the roster"),
    ("get", "/api/v1/routing-rules", "care settings", "Routing rules"),
    ("post", "/api/v1/routing-rules", "care settings", "Create a routing rule (topic, language, intent, reason, VIP, source → team)"),
    ("delete", "/api/v1/routing-rules/{id}", "care settings", "Delete a routing rule"),
    ("get", "/api/v1/sla-policies", "care settings", "SLA policies with their business-hours calendars"),
    ("post", "/api/v1/sla-policies", "care settings", "Create an SLA policy"),
    ("put", "/api/v1/sla-policies/{id}", "care settings", "Replace an SLA policy"),
    ("delete", "/api/v1/sla-policies/{id}", "care settings", "Delete an SLA policy"),
    ("get", "/api/v1/canned-responses", "care settings", "Canned responses"),
    ("post", "/api/v1/canned-responses", "care settings", "Create a canned response (with {{variables}})"),
    ("delete", "/api/v1/canned-responses/{id}", "care settings", "Delete a canned response"),
    ("get", "/api/v1/agents", "care settings", "Agents with presence, capacity, expertise and load"),
    ("patch", "/api/v1/agents/{id}", "care settings", "Change an agent's presence, capacity or expertise"),
    ("get", "/api/v1/case-rules", "care settings", "The rules that open cases from mentions"),
    ("put", "/api/v1/case-rules", "care settings", "Replace the case rules"),
    ("post", "/api/v1/cases/{id}/move", "cases", "Move the conversation to a private message or to e-mail"),
    ("get", "/api/v1/replies/pending", "cases", "Crowd replies waiting for a supervisor's approval"),
    ("post", "/api/v1/replies/{id}/approve", "cases", "Approve a held crowd reply: it is sent now"),
    ("post", "/api/v1/replies/{id}/reject", "cases", "Reject a held crowd reply (optional reason); nothing is sent"),
    ("get", "/api/v1/care/escalation", "care settings", "SLA warnings, escalation on breach and the out-of-hours acknowledgement"),
    ("put", "/api/v1/care/escalation", "care settings", "Change the SLA warnings, escalation on breach and out-of-hours acknowledgement"),
    ("put", "/api/v1/case-webhook", "care settings", "Set the outgoing webhook for case events (HMAC-SHA256 signed)"),
    ("get", "/api/v1/openapi.json", "meta", "This document"),
];

/// The OpenAPI document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for (method, path, tag, summary) in OPERATIONS {
        let parameters: Vec<Value> = path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{').and_then(|rest| rest.strip_suffix('}')))
            .map(|name| {
                let schema = if name.ends_with("id") { json!({"type": "integer", "minimum": 1}) } else { json!({"type": "string"}) };
                json!({"name": name, "in": "path", "required": true, "schema": schema})
            })
            .collect();
        let mut responses = Map::new();
        let success = match *method {
            "post" => "201",
            "delete" => "204",
            _ => "200",
        };
        responses.insert(success.into(), json!({"description": "Success (some creations answer 200)"}));
        if *method == "post" && success == "201" {
            responses.insert("200".into(), json!({"description": "Success"}));
        }
        for (status, description) in [
            ("400", "The request is malformed"),
            ("401", "No valid session or token"),
            ("403", "The caller's role or scopes do not allow this"),
            ("404", "No such resource"),
            ("409", "Conflicts with the resource's state (e.g. an invalid status transition)"),
            ("422", "Well-formed but refused (e.g. a reply too long for its channel)"),
        ] {
            responses.insert(
                status.into(),
                json!({"description": description, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}),
            );
        }
        let mut operation = json!({
            "tags": [tag],
            "summary": summary,
            "operationId": format!("{method}_{}", path.trim_start_matches("/api/v1/").replace(['/', '-', '.'], "_").replace(['{', '}'], "")),
            "responses": responses,
        });
        if !parameters.is_empty() {
            operation["parameters"] = Value::Array(parameters);
        }
        if matches!(*method, "post" | "put" | "patch") {
            let media = if *path == "/api/v1/mentions" { "application/x-ndjson" } else { "application/json" };
            operation["requestBody"] = json!({"required": true, "content": {media: {"schema": {"type": "object"}}}});
        }
        if *path == "/api/v1/auth/login" || *path == "/api/v1/openapi.json" {
            operation["security"] = json!([]);
        }
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[*method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Comptoir API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The REST API of Comptoir, an open-source Social CRM. Errors are RFC 9457 problem bodies; lists are {\"items\": [...], \"next_cursor\": ...}. Cookie sessions need the X-CSRF-Token header on changes; bearer tokens do not.",
            "license": {"name": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "An API token: `comptoir token create`"},
                "session": {"type": "apiKey", "in": "cookie", "name": "comptoir_session"},
            },
            "schemas": {
                "Problem": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                    },
                    "required": ["title", "status", "detail"],
                },
                "Page": {
                    "type": "object",
                    "properties": {"items": {"type": "array"}, "next_cursor": {"type": ["string", "null"]}},
                    "required": ["items"],
                },
            },
        },
    })
}

pub async fn openapi() -> Json<Value> {
    Json(document())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `.route("/api/…", get(…).post(…))` in the router is described, and nothing more.
    #[test]
    fn every_api_route_of_the_router_is_in_the_document() {
        let source = include_str!("lib.rs");
        let mut routed = Vec::new();
        for chunk in source.split(".route(\"").skip(1) {
            let Some((path, rest)) = chunk.split_once('"') else { continue };
            if !path.starts_with("/api/v1/") {
                continue;
            }
            let call = rest.split(")\n").next().unwrap_or(rest);
            for method in ["get", "post", "put", "patch", "delete"] {
                if call.contains(&format!("{method}(")) {
                    routed.push((method.to_string(), path.to_string()));
                }
            }
        }
        assert!(routed.len() > 50, "the router's source was read: {routed:?}");
        let described: Vec<(String, String)> =
            OPERATIONS.iter().map(|(method, path, _, _)| (method.to_string(), path.to_string())).collect();
        for route in &routed {
            assert!(described.contains(route), "{route:?} is routed but not in the OpenAPI document");
        }
        for operation in &described {
            assert!(routed.contains(operation), "{operation:?} is described but not routed");
        }
        let document = document();
        assert_eq!(document["openapi"], "3.1.0");
        let case = &document["paths"]["/api/v1/cases/{id}/replies"]["post"];
        assert_eq!(case["parameters"][0]["name"], "id");
        assert!(case["responses"]["422"].is_object());
    }
}
