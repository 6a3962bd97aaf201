//! The early warning's use cases for the API: incidents, alert rules, alerts, weak
//! signals. Reads go to the store; only the writer's [`super::EarlyWarning`] opens incidents.

use domain::{MentionId, StoredMention, TopicId};
use serde::Serialize;
use store::AlertRow;

use super::alerts::{Delivery, alert_body};
use super::incidents::apply_patch;
use super::{AlertRule, Incident, IncidentPatch, NewAlertRule, TopicWeakSignals, saved_weak_signals};
use crate::{App, ServiceError};

/// One page of a list and the cursor of the next (`None` on the last page).
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// An alert as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    pub id: i64,
    pub rule_id: Option<i64>,
    pub incident_id: Option<i64>,
    pub text: String,
    pub details: serde_json::Value,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<AlertRow> for Alert {
    fn from(row: AlertRow) -> Alert {
        Alert {
            id: row.id,
            rule_id: row.rule_id,
            incident_id: row.incident_id,
            text: row.text,
            details: row.details,
            created_at: chrono::DateTime::from_timestamp(row.created_at, 0).unwrap_or_default(),
        }
    }
}

fn parse_cursor(cursor: Option<&str>) -> Result<Option<i64>, ServiceError> {
    cursor
        .map(|cursor| cursor.parse::<i64>().map_err(|_| ServiceError::Invalid(format!("{cursor:?} is not a cursor"))))
        .transpose()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl App {
    /// Incidents newest first; pass `next_cursor` back for the next page.
    pub fn list_incidents(&self, cursor: Option<&str>, limit: usize) -> Result<Page<Incident>, ServiceError> {
        let limit = limit.clamp(1, 200);
        let rows = self.store().list_incidents(parse_cursor(cursor)?, limit + 1)?;
        let more = rows.len() > limit;
        let items: Vec<Incident> = rows.into_iter().take(limit).map(Incident::from_row).collect();
        let next_cursor = if more { items.last().map(|incident| incident.id.to_string()) } else { None };
        Ok(Page { items, next_cursor })
    }

    pub fn get_incident(&self, id: i64) -> Result<Incident, ServiceError> {
        let row = self.store().get_incident(id)?.ok_or_else(|| ServiceError::NotFound(format!("no incident {id}")))?;
        Ok(Incident::from_row(row))
    }

    /// The incident's mentions, lowest id first, after the cursor.
    pub fn incident_mentions(&self, id: i64, cursor: Option<&str>, limit: usize) -> Result<Page<StoredMention>, ServiceError> {
        self.get_incident(id)?;
        let limit = limit.clamp(1, 500);
        let after = MentionId(parse_cursor(cursor)?.unwrap_or(0));
        let ids = self.store().incident_mentions(id, after, limit + 1)?;
        let more = ids.len() > limit;
        let page: Vec<MentionId> = ids.into_iter().take(limit).collect();
        let next_cursor = if more { page.last().map(|id| id.0.to_string()) } else { None };
        Ok(Page { items: self.store().get_mentions(&page)?, next_cursor })
    }

    /// A person changes an incident's status or owner; the change goes on its timeline.
    pub fn patch_incident(&self, id: i64, patch: &IncidentPatch) -> Result<Incident, ServiceError> {
        if patch.status.is_none() && patch.owner.is_none() && patch.outage.is_none() {
            return Err(ServiceError::Invalid("send a status, an owner, an outage flag, or several".into()));
        }
        let mut row = self.store().get_incident(id)?.ok_or_else(|| ServiceError::NotFound(format!("no incident {id}")))?;
        apply_patch(&mut row, patch, now())?;
        if !self.store().update_incident(&row)? {
            return Err(ServiceError::NotFound(format!("no incident {id}")));
        }
        Ok(Incident::from_row(row))
    }

    /// Adds a line to an incident's timeline (crisis mode, broadcasts, bulk messages).
    pub(crate) fn add_incident_event(&self, id: i64, event: &str, detail: String) -> Result<(), ServiceError> {
        let mut row = self.store().get_incident(id)?.ok_or_else(|| ServiceError::NotFound(format!("no incident {id}")))?;
        super::incidents::push_timeline(&mut row, event, detail, now())?;
        self.store().update_incident(&row)?;
        Ok(())
    }

    pub fn list_alert_rules(&self) -> Result<Vec<AlertRule>, ServiceError> {
        Ok(self.store().list_alert_rules()?.into_iter().filter_map(AlertRule::from_row).collect())
    }

    pub fn create_alert_rule(&self, rule: NewAlertRule) -> Result<AlertRule, ServiceError> {
        if matches!(rule.channel, super::AlertChannel::Email { .. }) && self.config.smtp.is_none() {
            return Err(ServiceError::Invalid("e-mail alerts need an SMTP server: set [smtp] (or COMPTOIR_SMTP_HOST) in the configuration".into()));
        }
        let row = self.store().create_alert_rule(&rule.into_row(now())?)?;
        AlertRule::from_row(row).ok_or_else(|| ServiceError::Invalid("the rule cannot be read back".into()))
    }

    /// Mutes or unmutes a rule: a muted rule raises nothing until unmuted.
    pub fn set_alert_rule_muted(&self, id: i64, muted: bool) -> Result<AlertRule, ServiceError> {
        let row = self
            .store()
            .list_alert_rules()?
            .into_iter()
            .find(|rule| rule.id == id)
            .ok_or_else(|| ServiceError::NotFound(format!("no alert rule {id}")))?;
        let mut settings = row.settings.clone();
        let Some(object) = settings.as_object_mut() else {
            return Err(ServiceError::Invalid(format!("alert rule {id} has unreadable settings")));
        };
        if muted {
            object.insert("muted".into(), serde_json::Value::Bool(true));
        } else {
            object.remove("muted");
        }
        if !self.store().set_alert_rule_settings(id, &settings)? {
            return Err(ServiceError::NotFound(format!("no alert rule {id}")));
        }
        AlertRule::from_row(store::AlertRuleRow { settings, ..row }).ok_or_else(|| ServiceError::Invalid("the rule cannot be read back".into()))
    }

    pub fn delete_alert_rule(&self, id: i64) -> Result<bool, ServiceError> {
        Ok(self.store().delete_alert_rule(id)?)
    }

    /// [`App::create_alert_rule`] by a person, in the audit log.
    pub fn create_alert_rule_as(&self, actor: &str, rule: NewAlertRule) -> Result<AlertRule, ServiceError> {
        let created = self.create_alert_rule(rule)?;
        self.audit(actor, "alert_rule.create", "alert_rule", created.id, None, serde_json::to_value(&created).ok())?;
        Ok(created)
    }

    /// [`App::set_alert_rule_muted`] by a person, in the audit log.
    pub fn set_alert_rule_muted_as(&self, actor: &str, id: i64, muted: bool) -> Result<AlertRule, ServiceError> {
        let rule = self.set_alert_rule_muted(id, muted)?;
        let action = if muted { "alert_rule.mute" } else { "alert_rule.unmute" };
        self.audit(actor, action, "alert_rule", id, Some(serde_json::json!({"muted": !muted})), Some(serde_json::json!({"muted": muted})))?;
        Ok(rule)
    }

    /// [`App::delete_alert_rule`] by a person, in the audit log (with the rule as it was).
    pub fn delete_alert_rule_as(&self, actor: &str, id: i64) -> Result<bool, ServiceError> {
        let before = self.list_alert_rules()?.into_iter().find(|rule| rule.id == id);
        let deleted = self.delete_alert_rule(id)?;
        if deleted {
            self.audit(actor, "alert_rule.delete", "alert_rule", id, before.and_then(|rule| serde_json::to_value(&rule).ok()), None)?;
        }
        Ok(deleted)
    }

    /// Raises a sample alert for the rule (stored and delivered, outside the policy).
    pub fn test_alert_rule(&self, id: i64) -> Result<Alert, ServiceError> {
        let rule = self
            .list_alert_rules()?
            .into_iter()
            .find(|rule| rule.id == id)
            .ok_or_else(|| ServiceError::NotFound(format!("no alert rule {id}")))?;
        let sample = AlertRow {
            id: 0,
            rule_id: Some(rule.id),
            incident_id: None,
            text: format!("Test alert from Comptoir for the rule \"{}\"", rule.name),
            details: serde_json::json!({ "test": true }),
            created_at: now(),
        };
        let alert = self.store().create_alert(&sample)?;
        self.deliveries().send(Delivery { channel: rule.channel_settings().clone(), body: alert_body(&alert, &rule) });
        Ok(alert.into())
    }

    pub fn list_alerts(&self, limit: usize) -> Result<Vec<Alert>, ServiceError> {
        Ok(self.store().list_alerts(limit.clamp(1, 500))?.into_iter().map(Alert::from).collect())
    }

    /// The topic's latest weak signals (empty until its tracker has warmed up).
    pub fn weak_signals(&self, topic: TopicId) -> Result<TopicWeakSignals, ServiceError> {
        let topics = self.list_topics()?;
        let topic = topics
            .iter()
            .find(|candidate| candidate.id == topic)
            .ok_or_else(|| ServiceError::NotFound(format!("no topic {}", topic.0)))?;
        Ok(saved_weak_signals(self.store().as_ref())?.remove(&topic.topic.name).unwrap_or_default())
    }
}
