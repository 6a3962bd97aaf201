//! Bulk messages of an incident: the bulk reply (a template, personalised and signed,
//! one message per related mention's author), the automatic acknowledgement of new
//! related mentions in crisis mode, and the outage-resolved notice.
//!
//! A preview is stored with every message it would send (or why it would not: already
//! answered, a channel rule broken) and a SHA-256 digest; sending names the preview and
//! queues exactly those messages, once. The queue drains on the writer's tick within each
//! channel's messages per minute; each message lands in the outbox and, when its author
//! has a case, on the case's conversation (and so on the contact's timeline) as a reply.

use std::collections::{BTreeMap, BTreeSet};

use care::channel::ChannelRules;
use chrono::{DateTime, Duration, Utc};
use domain::{MentionId, Principal, Source, StoredMention};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use store::{BulkBatchRow, BulkMessageRow, NewCaseEvent, OutboundRow};

use super::template;
use crate::cases::CaseEvent;
use crate::{App, ServiceError};

/// Most related mentions read for one preview.
const MAX_MENTIONS: usize = 20_000;
/// A preview older than this is sent only after a new preview.
const PREVIEW_TTL_MINUTES: i64 = 30;
/// Queued messages delivered per channel per tick at most.
const DELIVERIES_PER_TICK: usize = 500;

const BULK_REPLY: &str = "bulk_reply";
const ACKNOWLEDGEMENT: &str = "acknowledgement";
const NOTIFY: &str = "notify";

/// `POST …/bulk-reply/preview` and `POST …/notify/preview`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    /// `{name}` and `{handle}` are filled per author. Required for a bulk reply; the
    /// notice has a default.
    #[serde(default)]
    pub template: Option<String>,
}

/// `POST …/bulk-reply` and `POST …/notify`: the preview to send, as shown.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkSendRequest {
    pub preview_id: i64,
    /// The preview's digest: when given, it must match.
    #[serde(default)]
    pub digest: Option<String>,
}

/// One message of a preview.
#[derive(Debug, Clone, Serialize)]
pub struct BulkMessageView {
    pub mention_id: i64,
    pub case_id: Option<i64>,
    pub channel: Source,
    pub recipient: String,
    pub text: String,
    /// `ready` (in a preview), `queued`, `sent`, or `skipped` with its `reason`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outbox_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BulkPreview {
    pub preview_id: i64,
    pub incident_id: i64,
    pub kind: String,
    /// The template the messages were written from (`(default)`: the notice's default),
    /// so a refused send can be previewed again as it was.
    pub template: String,
    pub digest: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Messages that would be (or were) sent.
    pub ready: usize,
    pub skipped: usize,
    pub messages: Vec<BulkMessageView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BulkSent {
    pub preview_id: i64,
    pub queued: usize,
    /// Delivered at once; the rest wait for the channel's rate on later ticks.
    pub sent: usize,
    pub waiting: usize,
    /// Previewed authors answered meanwhile (by another batch or the crisis-mode
    /// acknowledgement): skipped, with the reason on their message.
    pub skipped_since_preview: usize,
}

/// Why a previewed message was not sent.
const ANSWERED_SINCE_PREVIEW: &str = "answered since the preview";

fn view(message: &BulkMessageRow) -> BulkMessageView {
    BulkMessageView {
        mention_id: message.mention_id,
        case_id: message.case_id,
        channel: message.channel,
        recipient: message.recipient.clone(),
        text: message.text.clone(),
        status: if message.status == "preview" { "ready".into() } else { message.status.clone() },
        reason: message.reason.clone(),
        outbox_id: message.outbox_id,
    }
}

fn preview_of(batch: &BulkBatchRow, messages: &[BulkMessageRow]) -> BulkPreview {
    let skipped = messages.iter().filter(|message| message.status == "skipped").count();
    BulkPreview {
        preview_id: batch.id,
        incident_id: batch.incident_id,
        kind: batch.kind.clone(),
        template: batch.template.clone(),
        digest: batch.digest.clone(),
        created_at: batch.created_at,
        sent_at: batch.sent_at,
        ready: messages.len() - skipped,
        skipped,
        messages: messages.iter().map(view).collect(),
    }
}

/// SHA-256 over the kind, the template and every message as shown.
fn digest(kind: &str, template: &str, messages: &[BulkMessageRow]) -> String {
    let mut hasher = Sha256::new();
    for part in [kind, template] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    for message in messages {
        let line = json!([message.mention_id, message.channel.as_str(), message.recipient, message.text, message.status, message.reason]);
        hasher.update(line.to_string().as_bytes());
        hasher.update([b'\n']);
    }
    hex::encode(hasher.finalize())
}

fn default_template(kind: &str, language: Option<&str>) -> &'static str {
    match (kind, language) {
        (NOTIFY, Some("en")) => "Hello {name}, the problem is solved. Thank you for your patience, and sorry for the trouble.",
        (NOTIFY, _) => "Bonjour {name}, le problème est résolu. Merci de votre patience et toutes nos excuses pour la gêne.",
        (_, Some("en")) => "Hello {name}, we know about the problem and our teams are on it. We will keep you posted here.",
        _ => "Bonjour {name}, nous avons connaissance du problème et nos équipes y travaillent. Nous vous tenons informé·e ici.",
    }
}

/// Who sends: the signature appended to each message (every answer says who speaks).
struct Sender {
    signature: Option<String>,
}

/// Who a batch or a crisis mode is recorded as: `user:ID` for a person (whose signature
/// and name go on the messages), else the caller's audit name.
pub(crate) fn sender_of(principal: &Principal) -> String {
    principal.user_id.map_or_else(|| principal.actor.clone(), |user| format!("user:{user}"))
}

fn user_of(actor: &str) -> Option<i64> {
    actor.strip_prefix("user:").and_then(|id| id.parse().ok())
}

impl App {
    fn sender(&self, actor: &str) -> Result<Sender, ServiceError> {
        let user = match user_of(actor) {
            Some(id) => self.store().get_user(domain::UserId(id))?,
            None => None,
        };
        Ok(Sender { signature: user.and_then(|user| user.signature) })
    }

    /// Every mention linked to the incident, lowest id first (at most [`MAX_MENTIONS`]).
    fn all_incident_mentions(&self, incident_id: i64, after: i64) -> Result<Vec<StoredMention>, ServiceError> {
        let mut ids = Vec::new();
        let mut cursor = MentionId(after);
        loop {
            let page = self.store().incident_mentions(incident_id, cursor, 5_000)?;
            let Some(last) = page.last().copied() else { break };
            cursor = last;
            ids.extend(page);
            if ids.len() >= MAX_MENTIONS {
                ids.truncate(MAX_MENTIONS);
                break;
            }
        }
        Ok(self.store().get_mentions(&ids)?)
    }

    /// The messages a batch of `kind` would send: one per author (their first related
    /// mention), personalised, signed, checked against the channel's rules; authors
    /// already answered (by a reply in their case, or by an earlier batch of one of
    /// `skip_kinds`) are listed as skipped.
    fn compose_batch(&self, incident_id: i64, kind: &str, template: Option<&str>, sender: &Sender, mentions: &[StoredMention]) -> Result<Vec<BulkMessageRow>, ServiceError> {
        // Cases opened from an hour before the incident on are about it.
        let since = self.get_incident(incident_id)?.started_at - Duration::hours(1);
        let skip_kinds: &[&str] = if kind == NOTIFY { &[NOTIFY] } else { &[BULK_REPLY, ACKNOWLEDGEMENT] };
        let answered: BTreeSet<(Source, String)> = self.store().bulk_recipients(incident_id, skip_kinds)?.into_iter().collect();
        let brand: BTreeSet<(Source, String)> = self.config.publishing.accounts.iter().map(|account| (account.channel, account.handle.to_lowercase())).collect();
        let mention_ids: Vec<i64> = mentions.iter().map(|stored| stored.id.0).collect();
        let case_of: BTreeMap<i64, i64> = self.store().cases_of_mentions(&mention_ids)?.into_iter().collect();
        let replied: BTreeSet<i64> = if kind == NOTIFY {
            BTreeSet::new()
        } else {
            let cases: Vec<i64> = case_of.values().copied().collect::<BTreeSet<_>>().into_iter().collect();
            self.store().replied_cases(&cases)?.into_iter().collect()
        };
        // Each author once, at their first mention; answered if any of their cases was.
        let mut authors: BTreeMap<(Source, String), (&StoredMention, bool)> = BTreeMap::new();
        for stored in mentions {
            let key = (stored.mention.source, stored.mention.author.handle.clone());
            let was_replied = case_of.get(&stored.id.0).is_some_and(|case| replied.contains(case));
            let entry = authors.entry(key).or_insert((stored, false));
            entry.1 |= was_replied;
        }
        let mut ordered: Vec<_> = authors.into_iter().collect();
        ordered.sort_by_key(|(_, (stored, _))| stored.id);
        let now = Utc::now();
        let mut messages = Vec::with_capacity(ordered.len());
        for ((channel, handle), (stored, case_replied)) in ordered {
            if brand.contains(&(channel, handle.to_lowercase())) {
                continue;
            }
            let author = &stored.mention.author;
            let name = author.display_name.as_deref().map(str::trim).filter(|name| !name.is_empty()).unwrap_or(&handle);
            let template = template.unwrap_or_else(|| default_template(kind, stored.mention.language.as_deref()));
            let rules = ChannelRules::for_source(channel);
            let text = rules.sign(&template::render(template, name, &handle), sender.signature.as_deref());
            let already = answered.contains(&(channel, handle.clone()))
                || case_replied
                || (kind != NOTIFY && self.answered_in_a_case(channel, &handle, since)?);
            let reason = if already {
                Some(if kind == NOTIFY { "already notified".to_string() } else { "already answered".to_string() })
            } else {
                rules.check(&text).err().map(|error| error.to_string())
            };
            messages.push(BulkMessageRow {
                id: 0,
                batch_id: 0,
                incident_id,
                mention_id: stored.id.0,
                case_id: case_of.get(&stored.id.0).copied(),
                channel,
                recipient: handle,
                in_reply_to: Some(stored.mention.external_id.clone()),
                text,
                status: if reason.is_some() { "skipped".into() } else { "preview".into() },
                reason,
                outbox_id: None,
                created_at: now,
                sent_at: None,
            });
        }
        Ok(messages)
    }

    /// Whether the author's contact has a case about the incident (opened since `since`)
    /// with a reply in it: they were answered by hand, maybe about another mention.
    fn answered_in_a_case(&self, channel: Source, handle: &str, since: DateTime<Utc>) -> Result<bool, ServiceError> {
        let owners = self.store().contacts_with_identity(domain::IdentityKind::Handle, &[handle.to_lowercase()], domain::ContactId(0))?;
        let Some((contact, _)) = owners.into_iter().find(|(_, identity)| identity.source == channel.as_str()) else { return Ok(false) };
        let recent: Vec<i64> = self.store().contact_cases(contact.0, 50)?.into_iter().filter(|case| case.opened_at >= since).map(|case| case.id).collect();
        Ok(!recent.is_empty() && !self.store().replied_cases(&recent)?.is_empty())
    }

    fn store_batch(&self, incident_id: i64, kind: &str, template: &str, actor: &str, messages: &[BulkMessageRow]) -> Result<(BulkBatchRow, Vec<BulkMessageRow>), ServiceError> {
        let batch = BulkBatchRow {
            id: 0,
            incident_id,
            kind: kind.into(),
            template: template.into(),
            digest: digest(kind, template, messages),
            created_by: actor.into(),
            created_at: Utc::now(),
            sent_at: None,
        };
        Ok(self.store().create_bulk_batch(&batch, messages)?)
    }

    fn preview(&self, principal: &Principal, incident_id: i64, kind: &str, request: &BulkRequest) -> Result<BulkPreview, ServiceError> {
        self.get_incident(incident_id)?;
        let template = request.template.as_deref();
        match template {
            Some(template) => template::check(template)?,
            None if kind == BULK_REPLY => return Err(ServiceError::Unprocessable("a bulk reply needs a template ({name} and {handle} are filled)".into())),
            None => {}
        }
        let mentions = self.all_incident_mentions(incident_id, 0)?;
        let sender = self.sender(&sender_of(principal))?;
        let messages = self.compose_batch(incident_id, kind, template, &sender, &mentions)?;
        let (batch, messages) = self.store_batch(incident_id, kind, template.unwrap_or("(default)"), &sender_of(principal), &messages)?;
        Ok(preview_of(&batch, &messages))
    }

    pub fn bulk_reply_preview(&self, principal: &Principal, incident_id: i64, request: &BulkRequest) -> Result<BulkPreview, ServiceError> {
        self.preview(principal, incident_id, BULK_REPLY, request)
    }

    /// The outage-resolved notice, for a resolved incident marked as an outage.
    pub fn notify_preview(&self, principal: &Principal, incident_id: i64, request: &BulkRequest) -> Result<BulkPreview, ServiceError> {
        self.check_notifiable(incident_id)?;
        self.preview(principal, incident_id, NOTIFY, request)
    }

    fn check_notifiable(&self, incident_id: i64) -> Result<(), ServiceError> {
        let incident = self.get_incident(incident_id)?;
        if !incident.outage {
            return Err(ServiceError::Conflict(format!("incident {incident_id} is not marked as an outage (PATCH it with {{\"outage\": true}})")));
        }
        if incident.status != crate::early_warning::IncidentStatus::Resolved {
            return Err(ServiceError::Conflict(format!("incident {incident_id} is not resolved yet")));
        }
        Ok(())
    }

    pub fn bulk_preview(&self, incident_id: i64, preview_id: i64) -> Result<BulkPreview, ServiceError> {
        let (batch, messages) = self.store().get_bulk_batch(preview_id)?.filter(|(batch, _)| batch.incident_id == incident_id).ok_or_else(|| ServiceError::NotFound(format!("no preview {preview_id} for incident {incident_id}")))?;
        Ok(preview_of(&batch, &messages))
    }

    pub fn send_bulk_reply(&self, principal: &Principal, incident_id: i64, request: &BulkSendRequest) -> Result<BulkSent, ServiceError> {
        self.send_batch(principal, incident_id, BULK_REPLY, request)
    }

    pub fn send_notice(&self, principal: &Principal, incident_id: i64, request: &BulkSendRequest) -> Result<BulkSent, ServiceError> {
        self.check_notifiable(incident_id)?;
        self.send_batch(principal, incident_id, NOTIFY, request)
    }

    /// Queues exactly the previewed messages, once, then delivers what the channels'
    /// rates allow now.
    fn send_batch(&self, principal: &Principal, incident_id: i64, kind: &str, request: &BulkSendRequest) -> Result<BulkSent, ServiceError> {
        let (batch, messages) = self
            .store()
            .get_bulk_batch(request.preview_id)?
            .filter(|(batch, _)| batch.incident_id == incident_id && batch.kind == kind)
            .ok_or_else(|| ServiceError::NotFound(format!("no {kind} preview {} for incident {incident_id}", request.preview_id)))?;
        if request.digest.as_deref().is_some_and(|digest| digest != batch.digest) {
            return Err(ServiceError::Conflict("the digest differs from the preview's: preview again".into()));
        }
        if batch.sent_at.is_some() {
            return Err(ServiceError::Conflict(format!("preview {} was sent already", batch.id)));
        }
        let now = Utc::now();
        if now - batch.created_at > Duration::minutes(PREVIEW_TTL_MINUTES) {
            return Err(ServiceError::Conflict(format!("preview {} is older than {PREVIEW_TTL_MINUTES} minutes: preview again", batch.id)));
        }
        // Somebody answered some of them meanwhile (another batch, the crisis-mode
        // acknowledgement of an author who wrote again): those are skipped, never answered
        // twice; the others go out as previewed (a subset of what was approved).
        let skip_kinds: &[&str] = if kind == NOTIFY { &[NOTIFY] } else { &[BULK_REPLY, ACKNOWLEDGEMENT] };
        let answered: BTreeSet<(Source, String)> = self.store().bulk_recipients(incident_id, skip_kinds)?.into_iter().collect();
        let stale: Vec<(i64, &str)> = messages
            .iter()
            .filter(|message| message.status == "preview" && answered.contains(&(message.channel, message.recipient.clone())))
            .map(|message| (message.id, ANSWERED_SINCE_PREVIEW))
            .collect();
        if !self.store().queue_bulk_batch(batch.id, now, &stale)? {
            return Err(ServiceError::Conflict(format!("preview {} was sent already", batch.id)));
        }
        let queued = messages.iter().filter(|message| message.status == "preview").count() - stale.len();
        let label = if kind == NOTIFY { "resolution notice" } else { "bulk reply" };
        self.add_incident_event(incident_id, kind, format!("{}: {label} to {queued} authors (preview {})", principal.actor, batch.id))?;
        self.audit(&principal.actor, &format!("incident.{kind}"), "incident", incident_id, None, Some(json!({"preview_id": batch.id, "digest": batch.digest, "queued": queued})))?;
        self.drain_bulk_queue(now)?;
        let (_, after) = self.store().get_bulk_batch(batch.id)?.unwrap_or((batch.clone(), Vec::new()));
        let sent = after.iter().filter(|message| message.status == "sent").count();
        Ok(BulkSent { preview_id: batch.id, queued, sent, waiting: queued.saturating_sub(sent), skipped_since_preview: stale.len() })
    }

    /// Delivers queued messages, per channel, within its messages per minute.
    pub(crate) fn drain_bulk_queue(&self, now: DateTime<Utc>) -> Result<(), ServiceError> {
        for channel in self.store().queued_channels()? {
            let rate = u64::from(self.config.publishing.rate_for(channel));
            let sent = self.store().bulk_sent_since(channel, now - Duration::seconds(60))?;
            let budget = rate.saturating_sub(sent).min(DELIVERIES_PER_TICK as u64) as usize;
            if budget == 0 {
                continue;
            }
            for message in self.store().queued_bulk_messages(channel, budget)? {
                self.deliver(&message, now)?;
            }
        }
        Ok(())
    }

    fn deliver(&self, message: &BulkMessageRow, now: DateTime<Utc>) -> Result<(), ServiceError> {
        let batch = self.store().get_bulk_batch(message.batch_id)?.map(|(batch, _)| batch);
        let (kind, user_id) = batch.as_ref().map_or(("bulk_reply".to_string(), None), |batch| (batch.kind.clone(), user_of(&batch.created_by)));
        let outbound = OutboundRow {
            id: 0,
            case_id: message.case_id,
            post_id: None,
            channel: message.channel,
            in_reply_to: message.in_reply_to.clone(),
            recipient: Some(message.recipient.clone()),
            text: message.text.clone(),
            visibility: "public".into(),
            status: "sent".into(),
            attempts: 1,
            created_at: now,
            updated_at: now,
        };
        let event = message.case_id.map(|case_id| NewCaseEvent {
            case_id,
            at: now,
            kind: "reply".into(),
            mention_id: None,
            user_id,
            text: Some(message.text.clone()),
            visibility: Some("public".into()),
            details: json!({"bulk": kind, "preview_id": message.batch_id, "incident_id": message.incident_id}),
        });
        let Some(written) = self.store().deliver_bulk_message(message.id, &outbound, event.as_ref())? else { return Ok(()) };
        if let Some(case_id) = message.case_id {
            self.after_bulk_reply(case_id, user_id, now)?;
            self.case_events().send(CaseEvent::new("replied", case_id, user_id, Some(json!({"outbox": [written.id], "bulk": kind}))));
        }
        Ok(())
    }

    /// Like a normal reply: the first response time is set, a new case becomes open.
    fn after_bulk_reply(&self, case_id: i64, user_id: Option<i64>, now: DateTime<Utc>) -> Result<(), ServiceError> {
        let Some(mut case) = self.store().get_case(case_id)? else { return Ok(()) };
        let first = case.first_response_at.is_none();
        let opens = case.status == "new";
        if !first && !opens {
            return Ok(());
        }
        case.first_response_at.get_or_insert(now);
        if opens {
            case.status = "open".into();
            self.add_case_event(case_id, "status", user_id, Some("open".into()), None, json!({}))?;
        }
        case.updated_at = now;
        self.store().update_case(&case)?;
        Ok(())
    }

    /// In crisis mode, each new related mention's author not yet answered gets the
    /// acknowledgement once (queued like a bulk reply, within the channel's rate).
    pub(crate) fn acknowledge_new_mentions(&self, _now: DateTime<Utc>) -> Result<(), ServiceError> {
        for crisis in self.store().active_crises()? {
            let mentions = self.all_incident_mentions(crisis.incident_id, crisis.ack_after_mention)?;
            let Some(last) = mentions.iter().map(|stored| stored.id.0).max() else { continue };
            // Whoever moves the cursor acknowledges these mentions: never two ticks.
            if !self.store().claim_ack_range(crisis.incident_id, crisis.ack_after_mention, last)? {
                continue;
            }
            let sender = self.sender(&crisis.changed_by)?;
            let messages = self.compose_batch(crisis.incident_id, ACKNOWLEDGEMENT, crisis.ack_template.as_deref(), &sender, &mentions)?;
            let ready: Vec<BulkMessageRow> = messages.into_iter().filter(|message| message.status == "preview").collect();
            if !ready.is_empty() {
                let template = crisis.ack_template.as_deref().unwrap_or("(default)");
                let (batch, _) = self.store_batch(crisis.incident_id, ACKNOWLEDGEMENT, template, &crisis.changed_by, &ready)?;
                self.store().queue_bulk_batch(batch.id, Utc::now(), &[])?;
            }
        }
        Ok(())
    }
}
