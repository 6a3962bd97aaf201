//! The rows of the early warning (issue #5): incidents, the mentions they group, alert
//! rules and alerts. Their variable parts (drivers, timeline, a rule's channel) are JSON
//! documents the service owns; the store keeps them as text.

use serde_json::Value;

/// One incident as stored. `details` holds the drivers, the timeline and the counts per
/// bucket (the service's shape); times are Unix seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentRow {
    /// 0 before it is stored.
    pub id: i64,
    /// What was counted: `total`, `negative`, `topic:NAME`.
    pub slice: String,
    /// `open`, `acknowledged` or `resolved` (the service checks transitions).
    pub status: String,
    pub owner: Option<String>,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub peak: f64,
    pub details: Value,
}

/// One alert rule: `kind` says what it watches, `settings` its parameters and channel.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRuleRow {
    /// 0 before it is stored.
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub settings: Value,
    pub created_at: i64,
}

/// One alert raised (shown in the app, and delivered to the rule's channel).
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRow {
    /// 0 before it is stored.
    pub id: i64,
    pub rule_id: Option<i64>,
    pub incident_id: Option<i64>,
    pub text: String,
    pub details: Value,
    pub created_at: i64,
}

pub(crate) fn details_to_text(details: &Value) -> String {
    details.to_string()
}

pub(crate) fn details_from_text(text: &str) -> crate::Result<Value> {
    serde_json::from_str(text)
        .map_err(|error| crate::StoreError::Corrupt(format!("a stored JSON document: {error}")))
}
