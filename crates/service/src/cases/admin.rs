//! The care settings through the API: routing rules, SLA policies with their calendar,
//! team settings (signature, assignment mode, crowd), canned responses, the agents'
//! presence, capacity and expertise, the case-opening rules and the case webhook. Each
//! change is audited and reloads the settings the pipeline reads.

use care::routing::RoutingCondition;
use care::{BusinessCalendar, SlaPolicy};
use domain::{Principal, Role, TeamId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::{CannedRow, RoutingRuleRow, SlaPolicyRow, TeamCareSettings};

use super::events::{CaseEvent, CaseWebhook};
use super::settings::{CASE_RULES_KEY, CASE_WEBHOOK_KEY, CaseRule, parse_presence};
use crate::{App, ServiceError};

const MAX_TEMPLATE_BYTES: usize = 8 * 1024;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingRuleRequest {
    pub name: String,
    #[serde(default)]
    pub position: i64,
    #[serde(default)]
    pub when: RoutingCondition,
    pub team_id: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicyRequest {
    pub name: String,
    /// `None`: the default policy.
    #[serde(default)]
    pub team_id: Option<i64>,
    pub targets: SlaPolicy,
    pub calendar: BusinessCalendar,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamSettingsRequest {
    pub append_signature: bool,
    pub assignment: String,
    #[serde(default)]
    pub crowd: bool,
    /// Crowd responders' replies wait for a supervisor's approval.
    #[serde(default)]
    pub crowd_approval: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CannedRequest {
    pub title: String,
    pub template: String,
}

/// `PATCH /api/v1/agents/{id}`: one's own presence, or (supervisors) anyone's settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentPatch {
    pub presence: Option<String>,
    pub capacity: Option<i64>,
    pub expertise: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgentView {
    pub user_id: i64,
    pub display_name: String,
    pub role: Role,
    pub presence: String,
    pub capacity: i64,
    pub expertise: Vec<String>,
    pub open_cases: u32,
}

fn check_name(what: &str, name: &str) -> Result<(), ServiceError> {
    if name.trim().is_empty() || name.len() > domain::MAX_SHORT_TEXT_BYTES {
        return Err(ServiceError::Invalid(format!("a {what} has a name of 1 to {} bytes", domain::MAX_SHORT_TEXT_BYTES)));
    }
    Ok(())
}

impl App {
    fn reload_care(&self) -> Result<(), ServiceError> {
        self.care_settings().reload(self.store().as_ref())
    }

    fn existing_team(&self, team: i64) -> Result<(), ServiceError> {
        self.store().get_team(TeamId(team))?.map(|_| ()).ok_or_else(|| ServiceError::Unprocessable(format!("no team {team}")))
    }

    pub fn list_routing_rules(&self) -> Result<Vec<RoutingRuleRow>, ServiceError> {
        Ok(self.store().list_routing_rules()?)
    }

    pub fn create_routing_rule(&self, principal: &Principal, request: &RoutingRuleRequest) -> Result<RoutingRuleRow, ServiceError> {
        check_name("routing rule", &request.name)?;
        self.existing_team(request.team_id)?;
        let row = RoutingRuleRow {
            id: 0,
            position: request.position,
            name: request.name.trim().to_string(),
            conditions: serde_json::to_string(&request.when).map_err(|error| ServiceError::Invalid(error.to_string()))?,
            team_id: request.team_id,
            created_at: chrono::Utc::now(),
        };
        let created = self.store().create_routing_rule(&row)?;
        self.audit(&principal.actor, "routing_rule.create", "routing_rule", created.id, None, Some(json!(created)))?;
        self.reload_care()?;
        Ok(created)
    }

    pub fn delete_routing_rule(&self, principal: &Principal, id: i64) -> Result<(), ServiceError> {
        if !self.store().delete_routing_rule(id)? {
            return Err(ServiceError::NotFound(format!("no routing rule {id}")));
        }
        self.audit(&principal.actor, "routing_rule.delete", "routing_rule", id, None, None)?;
        self.reload_care()
    }

    /// The stored policies; a fresh install shows its built-in default with id 0.
    pub fn list_sla_policies(&self) -> Result<Vec<serde_json::Value>, ServiceError> {
        let rows = self.store().list_sla_policies()?;
        let mut policies: Vec<serde_json::Value> = rows.iter().map(policy_json).collect();
        if !rows.iter().any(|row| row.team_id.is_none()) {
            let (targets, calendar) = &self.care_settings().get().default_policy;
            policies.insert(0, json!({"id": 0, "name": "built-in default", "team_id": null, "targets": targets, "calendar": calendar}));
        }
        Ok(policies)
    }

    pub fn create_sla_policy(&self, principal: &Principal, request: &SlaPolicyRequest) -> Result<serde_json::Value, ServiceError> {
        check_name("SLA policy", &request.name)?;
        if let Some(team) = request.team_id {
            self.existing_team(team)?;
        }
        let created = self.store().create_sla_policy(&policy_row(0, request))?;
        self.audit(&principal.actor, "sla_policy.create", "sla_policy", created.id, None, Some(policy_json(&created)))?;
        self.reload_care()?;
        Ok(policy_json(&created))
    }

    pub fn update_sla_policy(&self, principal: &Principal, id: i64, request: &SlaPolicyRequest) -> Result<serde_json::Value, ServiceError> {
        check_name("SLA policy", &request.name)?;
        let before = self.store().list_sla_policies()?.into_iter().find(|row| row.id == id);
        let before = before.ok_or_else(|| ServiceError::NotFound(format!("no SLA policy {id}")))?;
        let row = SlaPolicyRow { team_id: before.team_id, ..policy_row(id, request) };
        self.store().update_sla_policy(&row)?;
        self.audit(&principal.actor, "sla_policy.update", "sla_policy", id, Some(policy_json(&before)), Some(policy_json(&row)))?;
        self.reload_care()?;
        Ok(policy_json(&row))
    }

    pub fn delete_sla_policy(&self, principal: &Principal, id: i64) -> Result<(), ServiceError> {
        if !self.store().delete_sla_policy(id)? {
            return Err(ServiceError::NotFound(format!("no SLA policy {id}")));
        }
        self.audit(&principal.actor, "sla_policy.delete", "sla_policy", id, None, None)?;
        self.reload_care()
    }

    pub fn set_team_care_settings(&self, principal: &Principal, team: i64, request: &TeamSettingsRequest) -> Result<TeamCareSettings, ServiceError> {
        if !matches!(request.assignment.as_str(), "round_robin" | "least_loaded") {
            return Err(ServiceError::Unprocessable("assignment is round_robin or least_loaded".into()));
        }
        self.store().get_team(TeamId(team))?.ok_or_else(|| ServiceError::NotFound(format!("no team {team}")))?;
        let settings = TeamCareSettings { team_id: team, append_signature: request.append_signature, assignment: request.assignment.clone(), crowd: request.crowd, crowd_approval: request.crowd_approval };
        self.store().set_team_settings(&settings)?;
        self.audit(&principal.actor, "team.care_settings", "team", team, None, Some(json!(settings)))?;
        self.reload_care()?;
        Ok(settings)
    }

    pub fn team_care_settings(&self, team: i64) -> Result<TeamCareSettings, ServiceError> {
        self.store().get_team(TeamId(team))?.ok_or_else(|| ServiceError::NotFound(format!("no team {team}")))?;
        Ok(self.care_settings().get().team_settings(team))
    }

    pub fn list_canned(&self) -> Result<Vec<CannedRow>, ServiceError> {
        Ok(self.store().list_canned()?)
    }

    pub fn create_canned(&self, principal: &Principal, request: &CannedRequest) -> Result<CannedRow, ServiceError> {
        check_name("canned response", &request.title)?;
        if request.template.len() > MAX_TEMPLATE_BYTES {
            return Err(ServiceError::Invalid(format!("a template has at most {MAX_TEMPLATE_BYTES} bytes")));
        }
        let template = care::canned::CannedResponse::parse(&request.template).map_err(|error| ServiceError::Unprocessable(error.to_string()))?;
        let created = self.store().create_canned(request.title.trim(), template.template())?;
        self.audit(&principal.actor, "canned.create", "canned_response", created.id, None, Some(json!(created)))?;
        Ok(created)
    }

    pub fn delete_canned(&self, principal: &Principal, id: i64) -> Result<(), ServiceError> {
        if !self.store().delete_canned(id)? {
            return Err(ServiceError::NotFound(format!("no canned response {id}")));
        }
        self.audit(&principal.actor, "canned.delete", "canned_response", id, None, None)
    }

    pub fn list_agents(&self) -> Result<Vec<AgentView>, ServiceError> {
        let settings = self.care_settings().get();
        let workloads: std::collections::HashMap<i64, u32> = self.store().agent_workloads()?.into_iter().collect();
        Ok(self
            .store()
            .list_users()?
            .into_iter()
            .filter(|user| user.active && user.role != Role::Analyst)
            .map(|user| AgentView {
                user_id: user.id.0,
                display_name: user.display_name,
                role: user.role,
                presence: settings.presence.get(&user.id.0).map_or("offline".into(), |presence| json!(presence).as_str().unwrap_or("offline").to_string()),
                capacity: user.capacity,
                expertise: user.expertise,
                open_cases: workloads.get(&user.id.0).copied().unwrap_or(0),
            })
            .collect())
    }

    /// One's own presence needs only to work cases; anything else is a supervisor's.
    pub fn patch_agent(&self, principal: &Principal, id: i64, patch: &AgentPatch) -> Result<AgentView, ServiceError> {
        let mut user = self.store().get_user(UserId(id))?.ok_or_else(|| ServiceError::NotFound(format!("no user {id}")))?;
        let supervises = matches!(principal.role, Role::Admin | Role::Supervisor);
        let own = principal.user_id == Some(UserId(id));
        if !supervises && (!own || patch.capacity.is_some() || patch.expertise.is_some()) {
            return Err(ServiceError::Forbidden("only a supervisor changes another agent, or capacity and expertise".into()));
        }
        if let Some(presence) = &patch.presence {
            parse_presence(presence).ok_or_else(|| ServiceError::Unprocessable("presence is online, away or offline".into()))?;
            self.store().set_presence(id, presence)?;
        }
        if patch.capacity.is_some() || patch.expertise.is_some() {
            let before = json!({"capacity": user.capacity, "expertise": user.expertise});
            if let Some(capacity) = patch.capacity {
                if !(0..=1000).contains(&capacity) {
                    return Err(ServiceError::Unprocessable("capacity is 0 to 1000".into()));
                }
                user.capacity = capacity;
            }
            if let Some(expertise) = &patch.expertise {
                if expertise.len() > 50 || expertise.iter().any(|tag| tag.trim().is_empty() || tag.len() > 64) {
                    return Err(ServiceError::Unprocessable("at most 50 expertise tags of 1 to 64 bytes".into()));
                }
                user.expertise = expertise.iter().map(|tag| tag.trim().to_lowercase()).collect();
            }
            self.store().update_user(&user, None)?;
            self.audit(&principal.actor, "agent.update", "user", id, Some(before), Some(json!({"capacity": user.capacity, "expertise": user.expertise})))?;
        } else {
            self.audit(&principal.actor, "agent.presence", "user", id, None, Some(json!({"presence": patch.presence})))?;
        }
        self.reload_care()?;
        self.case_events().send(CaseEvent::new("agent", 0, Some(id), Some(json!({"presence": patch.presence}))));
        self.list_agents()?.into_iter().find(|agent| agent.user_id == id).ok_or_else(|| ServiceError::NotFound(format!("user {id} is not an agent")))
    }

    /// The case-opening rules in force (the default when none was written).
    pub fn case_rules(&self) -> Vec<CaseRule> {
        let rules = self.care_settings().get().case_rules.clone();
        if rules.is_empty() { vec![CaseRule::default_rule()] } else { rules }
    }

    pub fn set_case_rules(&self, principal: &Principal, rules: &[CaseRule]) -> Result<Vec<CaseRule>, ServiceError> {
        if rules.len() > 100 || rules.iter().any(|rule| rule.name.trim().is_empty() || rule.name.len() > domain::MAX_SHORT_TEXT_BYTES) {
            return Err(ServiceError::Invalid("at most 100 rules, each with a name".into()));
        }
        let before = self.case_rules();
        self.store().set_state(CASE_RULES_KEY, &serde_json::to_string(rules).map_err(|error| ServiceError::Invalid(error.to_string()))?)?;
        self.audit(&principal.actor, "case_rules.set", "case_rules", "all", Some(json!(before)), Some(json!(rules)))?;
        self.reload_care()?;
        Ok(self.case_rules())
    }

    /// Sets (or removes, with `None`) the case webhook.
    pub fn set_case_webhook(&self, principal: &Principal, webhook: Option<CaseWebhook>) -> Result<(), ServiceError> {
        if let Some(webhook) = &webhook {
            let url = webhook.url.trim();
            if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2048 || webhook.secret.len() < 16 {
                return Err(ServiceError::Unprocessable("a webhook needs an http(s) URL and a secret of 16 bytes or more".into()));
            }
        }
        let stored = webhook.as_ref().map(|webhook| json!(webhook).to_string()).unwrap_or_default();
        self.store().set_state(CASE_WEBHOOK_KEY, &stored)?;
        self.audit(&principal.actor, "case_webhook.set", "case_webhook", "all", None, Some(json!({"url": webhook.as_ref().map(|webhook| &webhook.url)})))?;
        self.case_events().set_webhook(webhook);
        Ok(())
    }
}

fn policy_row(id: i64, request: &SlaPolicyRequest) -> SlaPolicyRow {
    SlaPolicyRow {
        id,
        name: request.name.trim().to_string(),
        team_id: request.team_id,
        targets: json!(request.targets).to_string(),
        calendar: json!(request.calendar).to_string(),
        updated_at: chrono::Utc::now(),
    }
}

fn policy_json(row: &SlaPolicyRow) -> serde_json::Value {
    let parse = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap_or(serde_json::Value::Null);
    json!({"id": row.id, "name": row.name, "team_id": row.team_id, "targets": parse(&row.targets), "calendar": parse(&row.calendar), "updated_at": row.updated_at})
}
