//! Alert rules, the alerts they raise, and their delivery.
//!
//! Every alert is stored (the in-app list, `GET /api/v1/alerts`); a rule with a webhook
//! channel also POSTs it, signed, and a rule with an e-mail channel sends it over SMTP
//! (`[smtp]`), both from a background thread with retries and back-off, off the
//! ingestion path. De-duplication and rate limits are [`signals::AlertPolicy`]'s, decided
//! before any channel sees the alert, so every channel is limited alike.

use std::time::Duration;

use connectors::smtp::{OutgoingMail, SmtpConfig};
use domain::StoredMention;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Sha256;
use signals::AlertDecision;
use store::{AlertRow, AlertRuleRow, IncidentRow};

use super::EarlyWarning;
use crate::ServiceError;

/// The header carrying `sha256=HEX`, the HMAC-SHA256 of the body under the rule's secret.
pub const WEBHOOK_SIGNATURE_HEADER: &str = "X-Comptoir-Signature";
/// An SLA-backlog threshold is below this (the count reads at most one more case).
const MAX_BACKLOG_THRESHOLD: u64 = 1_000;
/// Attempts per delivery; the waits between them double from one second.
const DELIVERY_ATTEMPTS: u32 = 4;

/// What a rule watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// An incident opens on a volume slice (`total` or a topic; `slice` narrows it).
    VolumeAnomaly,
    /// An incident opens on the negative mentions.
    NegativeAnomaly,
    /// Mentions containing `keyword` were stored in a bucket.
    Keyword,
    /// An author whose real influence is at least `min_influence` (default 60 of 100)
    /// posted in a bucket.
    InfluentialAuthor,
    /// A contact marked VIP posted in a bucket.
    VipContact,
    /// More than `threshold` open cases are past a due time (first response or
    /// resolution), or will be within `within_minutes` (default 0: past due only).
    SlaBacklog,
}

impl AlertKind {
    fn as_str(self) -> &'static str {
        match self {
            AlertKind::VolumeAnomaly => "volume_anomaly",
            AlertKind::NegativeAnomaly => "negative_anomaly",
            AlertKind::Keyword => "keyword",
            AlertKind::InfluentialAuthor => "influential_author",
            AlertKind::VipContact => "vip_contact",
            AlertKind::SlaBacklog => "sla_backlog",
        }
    }
}

/// Where an alert goes besides the in-app list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum AlertChannel {
    InApp,
    /// A JSON POST with a `text` field (what Slack and Mattermost incoming webhooks read).
    Webhook { url: String, secret: String },
    /// A plain-text e-mail to these addresses, through the configured `[smtp]` server.
    Email { to: Vec<String> },
}

/// `POST /api/v1/alert-rules`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAlertRule {
    pub name: String,
    pub kind: AlertKind,
    /// For a volume anomaly: only this slice (`total`, `topic:NAME`).
    #[serde(default)]
    pub slice: Option<String>,
    /// For a keyword rule: the word or phrase (case-insensitive).
    #[serde(default)]
    pub keyword: Option<String>,
    /// For an influential-author rule: the lowest influence (0 to 100) that alerts.
    #[serde(default)]
    pub min_influence: Option<f64>,
    /// For an SLA-backlog rule: the number of cases past (or near) due that is normal;
    /// one more fires the rule.
    #[serde(default)]
    pub threshold: Option<u64>,
    /// For an SLA-backlog rule: also count cases due within this many minutes.
    #[serde(default)]
    pub within_minutes: Option<i64>,
    #[serde(default = "in_app")]
    pub channel: AlertChannel,
}

fn in_app() -> AlertChannel {
    AlertChannel::InApp
}

/// A stored rule as the API shows it (a webhook's secret is never shown).
#[derive(Debug, Clone, Serialize)]
pub struct AlertRule {
    pub id: i64,
    pub name: String,
    pub kind: AlertKind,
    pub slice: Option<String>,
    pub keyword: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_influence: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within_minutes: Option<i64>,
    pub channel: Value,
    /// Muted: raises nothing until unmuted (`PATCH /api/v1/alert-rules/{id}`).
    pub muted: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[serde(skip)]
    channel_settings: AlertChannel,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Settings {
    /// A muted rule raises nothing (a sample can still be sent).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    muted: bool,
    slice: Option<String>,
    keyword: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min_influence: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    threshold: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    within_minutes: Option<i64>,
    channel: AlertChannel,
}

impl NewAlertRule {
    /// Checks the rule and turns it into a row.
    pub(crate) fn into_row(self, now: i64) -> Result<AlertRuleRow, ServiceError> {
        let name = self.name.trim();
        if name.is_empty() || name.len() > 200 || name.chars().any(char::is_control) {
            return Err(ServiceError::Invalid("a rule needs a name of 1 to 200 bytes, without control characters".into()));
        }
        let keyword = self.keyword.map(|keyword| keyword.trim().to_lowercase()).filter(|keyword| !keyword.is_empty());
        if self.kind == AlertKind::Keyword && keyword.is_none() {
            return Err(ServiceError::Invalid("a keyword rule needs a keyword".into()));
        }
        if let AlertChannel::Webhook { url, secret } = &self.channel {
            let parsed = reqwest::Url::parse(url).map_err(|error| ServiceError::Invalid(format!("webhook url: {error}")))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(ServiceError::Invalid("a webhook url is http or https".into()));
            }
            if secret.is_empty() {
                return Err(ServiceError::Invalid("a webhook needs a secret to sign its body".into()));
            }
        }
        if let AlertChannel::Email { to } = &self.channel {
            if to.is_empty() || to.len() > connectors::smtp::MAX_RECIPIENTS {
                return Err(ServiceError::Invalid(format!("an e-mail alert has 1 to {} recipients", connectors::smtp::MAX_RECIPIENTS)));
            }
            for address in to {
                connectors::smtp::parse_mailbox(address).map_err(|error| ServiceError::Invalid(error.to_string()))?;
            }
        }
        if let Some(min_influence) = self.min_influence
            && !(0.0..=100.0).contains(&min_influence)
        {
            return Err(ServiceError::Invalid("min_influence is between 0 and 100".into()));
        }
        let min_influence = match self.kind {
            AlertKind::InfluentialAuthor => Some(self.min_influence.unwrap_or(60.0)),
            _ => None,
        };
        let (threshold, within_minutes) = match self.kind {
            AlertKind::SlaBacklog => {
                let threshold = self.threshold.ok_or_else(|| ServiceError::Invalid("an SLA-backlog rule needs a threshold (cases past due that are still normal)".into()))?;
                if threshold >= MAX_BACKLOG_THRESHOLD {
                    return Err(ServiceError::Invalid(format!("an SLA-backlog threshold is below {MAX_BACKLOG_THRESHOLD}")));
                }
                let within = self.within_minutes.unwrap_or(0);
                if !(0..=7 * 24 * 60).contains(&within) {
                    return Err(ServiceError::Invalid("within_minutes is between 0 and a week (10080)".into()));
                }
                (Some(threshold), Some(within))
            }
            _ => (None, None),
        };
        let settings = Settings { muted: false, slice: self.slice, keyword, min_influence, threshold, within_minutes, channel: self.channel };
        Ok(AlertRuleRow {
            id: 0,
            name: name.to_string(),
            kind: self.kind.as_str().into(),
            settings: serde_json::to_value(settings).map_err(|error| ServiceError::Invalid(error.to_string()))?,
            created_at: now,
        })
    }
}

impl AlertRule {
    /// `None` for a row this version cannot read (a kind from a newer version).
    pub fn from_row(row: AlertRuleRow) -> Option<AlertRule> {
        let kind: AlertKind = serde_json::from_value(Value::String(row.kind)).ok()?;
        let settings: Settings = serde_json::from_value(row.settings).ok()?;
        let channel = match &settings.channel {
            AlertChannel::InApp => json!({ "type": "in_app" }),
            AlertChannel::Webhook { url, .. } => json!({ "type": "webhook", "url": url, "secret": "(set)" }),
            AlertChannel::Email { to } => json!({ "type": "email", "to": to }),
        };
        Some(AlertRule {
            id: row.id,
            name: row.name,
            kind,
            slice: settings.slice,
            keyword: settings.keyword,
            min_influence: settings.min_influence,
            threshold: settings.threshold,
            within_minutes: settings.within_minutes,
            channel,
            muted: settings.muted,
            created_at: chrono::DateTime::from_timestamp(row.created_at, 0).unwrap_or_default(),
            channel_settings: settings.channel,
        })
    }

    pub fn channel_settings(&self) -> &AlertChannel {
        &self.channel_settings
    }

    fn matches_incident(&self, slice: &str) -> bool {
        match self.kind {
            AlertKind::VolumeAnomaly => match &self.slice {
                Some(wanted) => wanted == slice,
                None => slice != "negative",
            },
            AlertKind::NegativeAnomaly => slice == "negative",
            AlertKind::Keyword | AlertKind::InfluentialAuthor | AlertKind::VipContact | AlertKind::SlaBacklog => false,
        }
    }
}

/// `sha256=HEX` of the body under the secret.
pub fn sign_body(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// One alert to deliver to a channel.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub channel: AlertChannel,
    pub body: Value,
}

/// An agent's reply to an e-mail case, for the delivery thread to send over SMTP; its
/// outbox row then says `sent` or `failed` (with the attempts counted).
pub struct EmailReply {
    pub outbox_id: i64,
    pub store: std::sync::Arc<dyn store::Store>,
    pub mail: OutgoingMail,
    /// Once sent, the message's Message-ID joins this case: the customer's answer to it
    /// (`In-Reply-To`) lands in the same case.
    pub thread_case: Option<i64>,
}

enum Job {
    Alert(Delivery),
    Reply(EmailReply),
}

/// The queue to the delivery thread (cheap to clone).
#[derive(Clone)]
pub struct Deliveries {
    sender: crossbeam_channel::Sender<Job>,
    smtp: bool,
}

impl Deliveries {
    /// Starts the delivery thread; it ends when every sender is dropped. E-mail goes
    /// through `smtp` (without it, an e-mail delivery is logged and dropped).
    pub fn start(smtp: Option<SmtpConfig>) -> Deliveries {
        let (sender, receiver) = crossbeam_channel::bounded::<Job>(1_000);
        let has_smtp = smtp.is_some();
        std::thread::Builder::new()
            .name("alert-delivery".into())
            .spawn(move || deliver_forever(receiver, smtp))
            .expect("spawn the alert delivery thread");
        Deliveries { sender, smtp: has_smtp }
    }

    /// Whether e-mail can be sent (an `[smtp]` server is configured).
    pub fn can_send_email(&self) -> bool {
        self.smtp
    }

    /// Queues an e-mail reply; `false` when the queue is full (the caller marks it failed).
    pub fn send_email_reply(&self, reply: EmailReply) -> bool {
        self.sender.try_send(Job::Reply(reply)).is_ok()
    }

    /// Queues a delivery; a full queue drops it (logged), it never blocks ingestion.
    pub fn send(&self, delivery: Delivery) {
        if matches!(delivery.channel, AlertChannel::InApp) {
            return;
        }
        if self.sender.try_send(Job::Alert(delivery)).is_err() {
            tracing::warn!("the alert delivery queue is full: an alert was not delivered");
        }
    }
}

fn deliver_forever(receiver: crossbeam_channel::Receiver<Job>, smtp: Option<SmtpConfig>) {
    // The binary installs ring too; a library caller (a test) may not have.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!(%error, "cannot start the alert delivery runtime");
            return;
        }
    };
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).user_agent(concat!("comptoir/", env!("CARGO_PKG_VERSION"))).build();
    let client = match client {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "cannot build the alert HTTP client");
            return;
        }
    };
    for job in receiver {
        let delivery = match job {
            Job::Alert(delivery) => delivery,
            Job::Reply(reply) => {
                let sent = match &smtp {
                    Some(smtp) => runtime.block_on(mail_with_retries(smtp, reply.mail)),
                    None => None,
                };
                if let (Some(message_id), Some(case_id)) = (&sent, reply.thread_case)
                    && let Err(error) = reply.store.add_case_thread(case_id, domain::Source::Email, message_id)
                {
                    tracing::error!(%error, case_id, "cannot thread a sent e-mail to its case");
                }
                let status = if sent.is_some() { "sent" } else { "failed" };
                if let Err(error) = reply.store.set_outbox_status(reply.outbox_id, status) {
                    tracing::error!(%error, outbox = reply.outbox_id, "cannot record an e-mail reply's delivery");
                }
                continue;
            }
        };
        match &delivery.channel {
            AlertChannel::InApp => {}
            AlertChannel::Webhook { url, secret } => runtime.block_on(post_with_retries(&client, url, secret, &delivery.body)),
            AlertChannel::Email { to } => match &smtp {
                Some(smtp) => {
                    runtime.block_on(mail_with_retries(smtp, alert_mail(to, &delivery.body)));
                }
                None => tracing::error!("an e-mail alert was not sent: no [smtp] server is configured"),
            },
        }
    }
}

/// The alert as a plain-text e-mail: its text as the subject, then the details.
fn alert_mail(to: &[String], body: &Value) -> OutgoingMail {
    let text = body["text"].as_str().unwrap_or("Comptoir alert");
    let subject: String = text.chars().take(150).collect();
    let rule = &body["rule"];
    let mut lines = vec![text.to_string(), String::new()];
    lines.push(format!("Rule: {} ({})", rule["name"].as_str().unwrap_or(""), rule["kind"].as_str().unwrap_or("")));
    if let Some(incident) = body["incident_id"].as_i64() {
        lines.push(format!("Incident: {incident}"));
    }
    lines.push(format!("At: {}", body["created_at"].as_str().unwrap_or("")));
    lines.push(format!("Alert: {}", body["alert_id"]));
    lines.push(String::new());
    lines.push(serde_json::to_string_pretty(&body["details"]).unwrap_or_default());
    OutgoingMail { to: to.to_vec(), subject: format!("[Comptoir] {subject}"), body: lines.join("\n"), in_reply_to: None, references: Vec::new() }
}

/// Sends with retries and back-off; `true` once the server accepted the message.
/// Sends with retries; the Message-ID when sent.
async fn mail_with_retries(smtp: &SmtpConfig, mail: OutgoingMail) -> Option<String> {
    let mut wait = Duration::from_secs(1);
    for attempt in 1..=DELIVERY_ATTEMPTS {
        match connectors::smtp::send_mail(smtp, &mail).await {
            Ok(message_id) => return Some(message_id),
            // A refused address or message will be refused again.
            Err(error) if error.kind() == domain::ErrorKind::Invalid => {
                tracing::error!(%error, "an e-mail cannot be sent");
                return None;
            }
            Err(error) => tracing::warn!(%error, attempt, "cannot send an e-mail"),
        }
        if attempt < DELIVERY_ATTEMPTS {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
    tracing::error!("an e-mail was not sent after {DELIVERY_ATTEMPTS} attempts");
    None
}

async fn post_with_retries(client: &reqwest::Client, url: &str, secret: &str, body: &Value) {
    let bytes = body.to_string().into_bytes();
    let signature = sign_body(secret, &bytes);
    let mut wait = Duration::from_secs(1);
    for attempt in 1..=DELIVERY_ATTEMPTS {
        let sent = client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(WEBHOOK_SIGNATURE_HEADER, &signature)
            .body(bytes.clone())
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => return,
            Ok(response) => tracing::warn!(status = %response.status(), attempt, "a webhook refused an alert"),
            Err(error) => tracing::warn!(%error, attempt, "cannot deliver an alert to a webhook"),
        }
        if attempt < DELIVERY_ATTEMPTS {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
    tracing::error!("an alert was not delivered after {DELIVERY_ATTEMPTS} attempts");
}

/// The alert's JSON body: `text` for chat tools, the rest for programs.
pub(crate) fn alert_body(alert: &AlertRow, rule: &AlertRule) -> Value {
    json!({
        "text": alert.text,
        "alert_id": alert.id,
        "rule": { "id": rule.id, "name": rule.name, "kind": rule.kind },
        "incident_id": alert.incident_id,
        "created_at": chrono::DateTime::from_timestamp(alert.created_at, 0).unwrap_or_default(),
        "details": alert.details,
    })
}

impl EarlyWarning {
    /// The rules that may raise alerts (muted ones are left out).
    pub(super) fn rules(&self) -> Result<Vec<AlertRule>, ServiceError> {
        Ok(self.store.list_alert_rules()?.into_iter().filter_map(AlertRule::from_row).filter(|rule| !rule.muted).collect())
    }

    /// Stores and delivers the alert unless the policy holds it back.
    pub(super) fn raise(&mut self, rule: &AlertRule, key: &str, at: i64, text: String, incident_id: Option<i64>, details: Value) -> Result<(), ServiceError> {
        let decision = self.state.policy.decide(&rule.id.to_string(), key, at);
        if decision != AlertDecision::Send {
            tracing::debug!(rule = rule.id, key, ?decision, "alert held back");
            return Ok(());
        }
        let alert = self.store.create_alert(&AlertRow { id: 0, rule_id: Some(rule.id), incident_id, text, details, created_at: at })?;
        self.deliveries.send(Delivery { channel: rule.channel_settings().clone(), body: alert_body(&alert, rule) });
        Ok(())
    }

    pub(super) fn on_incident_opened(&mut self, incident: &IncidentRow, text: &str) -> Result<(), ServiceError> {
        let key = format!("{}@{}", incident.slice, incident.started_at);
        for rule in self.rules()?.iter().filter(|rule| rule.matches_incident(&incident.slice)) {
            let details = json!({ "slice": incident.slice, "peak": incident.peak, "drivers": incident.details.get("drivers") });
            self.raise(rule, &key, incident.started_at, text.to_string(), Some(incident.id), details)?;
        }
        Ok(())
    }

    pub(super) fn check_keyword_rules(&mut self, bucket_at: i64, mentions: &[StoredMention]) -> Result<(), ServiceError> {
        if mentions.is_empty() {
            return Ok(());
        }
        for rule in self.rules()?.into_iter().filter(|rule| rule.kind == AlertKind::Keyword) {
            let Some(keyword) = rule.keyword.clone() else { continue };
            let matching: Vec<i64> = mentions
                .iter()
                .filter(|mention| mention.mention.text.to_lowercase().contains(&keyword))
                .map(|mention| mention.id.0)
                .collect();
            if matching.is_empty() {
                continue;
            }
            let text = format!("{} new mentions contain \"{keyword}\" ({})", matching.len(), rule.name);
            let examples: Vec<i64> = matching.iter().take(3).copied().collect();
            self.raise(&rule, &keyword, bucket_at, text, None, json!({ "keyword": keyword, "count": matching.len(), "example_mention_ids": examples }))?;
        }
        Ok(())
    }
}

impl EarlyWarning {
    /// SLA-backlog rules, when a bucket closes: more than `threshold` active cases past a
    /// due time (or due within `within_minutes`) fires the rule; the policy's key is the
    /// rule itself, so a lasting backlog alerts once per de-duplication window.
    pub(super) fn check_sla_backlog_rules(&mut self, bucket_at: i64) -> Result<(), ServiceError> {
        let rules: Vec<AlertRule> = self.rules()?.into_iter().filter(|rule| rule.kind == AlertKind::SlaBacklog).collect();
        let now = (self.clock)();
        for rule in rules {
            let threshold = rule.threshold.unwrap_or(0);
            let within = rule.within_minutes.unwrap_or(0);
            let due_before = chrono::DateTime::from_timestamp(now + within * 60, 0).unwrap_or_default();
            let filter = store::CaseFilter { due_before: Some(due_before), limit: (threshold + 1) as usize, ..store::CaseFilter::default() };
            let backlog = self.store.list_cases(&filter)?;
            if (backlog.len() as u64) <= threshold {
                continue;
            }
            let when = if within > 0 { format!("past or within {within} minutes of their SLA due time") } else { "past their SLA due time".to_string() };
            let text = format!("SLA backlog: more than {threshold} open cases are {when} ({})", rule.name);
            let examples: Vec<i64> = backlog.iter().take(5).map(|case| case.id).collect();
            let details = json!({ "threshold": threshold, "within_minutes": within, "at_least": backlog.len(), "example_case_ids": examples });
            self.raise(&rule, "sla_backlog", bucket_at, text, None, details)?;
        }
        Ok(())
    }
}
