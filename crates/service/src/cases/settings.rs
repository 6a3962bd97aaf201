//! The care settings as the case rules use them: one snapshot loaded from the store,
//! replaced whenever an administrator changes a setting (routing rules, SLA policies,
//! team settings, presence, users).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use care::routing::{AgentLoad, Presence, RoutingRule, RoutingRules, TeamId, UserId};
use care::{BusinessCalendar, SlaPolicy};
use domain::{Intent, Role, SentimentLabel};
use serde::{Deserialize, Serialize};
use store::{SlaPolicyRow, Store, TeamCareSettings};

use crate::ServiceError;

/// The state key under which the case-opening rules are kept (JSON).
pub(crate) const CASE_RULES_KEY: &str = "care.case_rules";
/// The state key of the case webhook (JSON `{"url", "secret"}`).
pub(crate) const CASE_WEBHOOK_KEY: &str = "care.webhook";

/// When a mention opens a case: it matched one of `topics` (any when empty), it is not a
/// repost (unless `include_reposts`), and its intent is one of `intents` or its sentiment
/// one of `sentiments` (any when both are empty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseRule {
    pub name: String,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub intents: Vec<Intent>,
    #[serde(default)]
    pub sentiments: Vec<SentimentLabel>,
    #[serde(default)]
    pub include_reposts: bool,
}

impl CaseRule {
    /// The rule in force before any is written: every mention that is not a repost and
    /// is a complaint, a question or negative.
    pub fn default_rule() -> CaseRule {
        CaseRule {
            name: "default: complaints, questions and negative mentions".into(),
            topics: vec![],
            intents: vec![Intent::Complaint, Intent::Question, Intent::OutageReport],
            sentiments: vec![SentimentLabel::Negative],
            include_reposts: false,
        }
    }

    pub fn matches(&self, topics: &[String], intent: Option<Intent>, sentiment: Option<SentimentLabel>, repost: bool) -> bool {
        if repost && !self.include_reposts {
            return false;
        }
        let topic_ok = self.topics.is_empty() || self.topics.iter().any(|wanted| topics.iter().any(|t| t.eq_ignore_ascii_case(wanted)));
        let unconditional = self.intents.is_empty() && self.sentiments.is_empty();
        let intent_ok = intent.is_some_and(|intent| self.intents.contains(&intent));
        let sentiment_ok = sentiment.is_some_and(|sentiment| self.sentiments.contains(&sentiment));
        topic_ok && (unconditional || intent_ok || sentiment_ok)
    }
}

/// One user as the case rules see them.
#[derive(Debug, Clone)]
pub(crate) struct Agent {
    pub role: Role,
    pub display_name: String,
    pub signature: Option<String>,
    pub expertise: Vec<String>,
    pub capacity: u32,
    pub active: bool,
}

/// Everything the case rules read, loaded at once.
#[derive(Debug, Clone)]
pub(crate) struct CareSettings {
    pub case_rules: Vec<CaseRule>,
    /// `None` while there is no team: cases wait unrouted.
    pub routing: Option<RoutingRules>,
    pub default_policy: (SlaPolicy, BusinessCalendar),
    pub team_policies: HashMap<i64, (SlaPolicy, BusinessCalendar)>,
    pub team_members: HashMap<i64, Vec<i64>>,
    pub team_settings: HashMap<i64, TeamCareSettings>,
    pub agents: HashMap<i64, Agent>,
    pub presence: HashMap<i64, Presence>,
}

impl CareSettings {
    pub fn policy(&self, team: Option<i64>) -> &(SlaPolicy, BusinessCalendar) {
        team.and_then(|team| self.team_policies.get(&team)).unwrap_or(&self.default_policy)
    }

    /// The active members of a team who may take cases (not analysts), with their
    /// workload from `workloads`, capacity, presence and expertise.
    pub fn agent_loads(&self, team: i64, workloads: &HashMap<i64, u32>) -> Vec<AgentLoad> {
        self.team_members
            .get(&team)
            .into_iter()
            .flatten()
            .filter_map(|member| {
                let agent = self.agents.get(member).filter(|agent| agent.active && agent.role != Role::Analyst)?;
                Some(AgentLoad {
                    user_id: UserId(*member),
                    open_cases: workloads.get(member).copied().unwrap_or(0),
                    capacity: agent.capacity,
                    presence: self.presence.get(member).copied().unwrap_or(Presence::Offline),
                    tags: agent.expertise.clone(),
                })
            })
            .collect()
    }

    /// A team's settings, or the defaults (signature appended, round-robin).
    pub fn team_settings(&self, team: i64) -> TeamCareSettings {
        self.team_settings.get(&team).cloned().unwrap_or(TeamCareSettings {
            team_id: team,
            append_signature: true,
            assignment: "round_robin".into(),
            crowd: false,
            crowd_approval: false,
        })
    }

    pub fn load(store: &dyn Store) -> Result<CareSettings, ServiceError> {
        let case_rules = match store.get_state(CASE_RULES_KEY)? {
            Some(json) => serde_json::from_str(&json).map_err(|error| ServiceError::Config(format!("case rules: {error}")))?,
            None => vec![],
        };
        let teams = store.list_teams()?;
        let rules = store
            .list_routing_rules()?
            .into_iter()
            .filter_map(|row| {
                let when = serde_json::from_str(&row.conditions).ok()?;
                Some(RoutingRule { name: row.name, when, team: TeamId(row.team_id) })
            })
            .collect();
        let routing = teams.iter().map(|team| team.id.0).min().map(|default_team| RoutingRules { rules, default_team: TeamId(default_team) });
        let mut default_policy = None;
        let mut team_policies = HashMap::new();
        for row in store.list_sla_policies()? {
            let Some(parsed) = parse_policy(&row) else {
                tracing::warn!(policy = row.id, "an SLA policy cannot be read: the default applies");
                continue;
            };
            match row.team_id {
                Some(team) => {
                    team_policies.insert(team, parsed);
                }
                None => default_policy = Some(parsed),
            }
        }
        let default_policy = default_policy.unwrap_or_else(fresh_install_policy);
        let agents = store
            .list_users()?
            .into_iter()
            .map(|user| {
                let agent = Agent {
                    role: user.role,
                    display_name: user.display_name,
                    signature: user.signature,
                    expertise: user.expertise,
                    capacity: u32::try_from(user.capacity.max(0)).unwrap_or(u32::MAX),
                    active: user.active,
                };
                (user.id.0, agent)
            })
            .collect();
        let presence = store
            .list_presence()?
            .into_iter()
            .filter_map(|(user, presence)| Some((user, parse_presence(&presence)?)))
            .collect();
        Ok(CareSettings {
            case_rules,
            routing,
            default_policy,
            team_policies,
            team_members: teams.iter().map(|team| (team.id.0, team.members.iter().map(|member| member.0).collect())).collect(),
            team_settings: store.list_team_settings()?.into_iter().map(|settings| (settings.team_id, settings)).collect(),
            agents,
            presence,
        })
    }
}

pub(crate) fn parse_presence(text: &str) -> Option<Presence> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
}

fn parse_policy(row: &SlaPolicyRow) -> Option<(SlaPolicy, BusinessCalendar)> {
    Some((serde_json::from_str(&row.targets).ok()?, serde_json::from_str(&row.calendar).ok()?))
}

/// What a fresh install uses: the default targets and Monday–Friday 9:00–19:00
/// Europe/Paris with the French public holidays of this year and the next.
pub(crate) fn fresh_install_policy() -> (SlaPolicy, BusinessCalendar) {
    use chrono::Datelike;
    (SlaPolicy::default(), BusinessCalendar::default_with_french_holidays(chrono::Utc::now().year()))
}

/// The shared, replaceable snapshot (cheap to clone).
#[derive(Clone)]
pub(crate) struct SharedSettings(Arc<RwLock<Arc<CareSettings>>>);

impl SharedSettings {
    pub fn load(store: &dyn Store) -> Result<SharedSettings, ServiceError> {
        Ok(SharedSettings(Arc::new(RwLock::new(Arc::new(CareSettings::load(store)?)))))
    }

    pub fn get(&self) -> Arc<CareSettings> {
        self.0.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    pub fn reload(&self, store: &dyn Store) -> Result<(), ServiceError> {
        let fresh = Arc::new(CareSettings::load(store)?);
        *self.0.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = fresh;
        Ok(())
    }
}
