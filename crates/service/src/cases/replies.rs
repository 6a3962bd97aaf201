//! Replies within the channel's rules, signed per the team's setting, sent to the sandbox
//! outbox; escalation to a phone callback and its outcome; the CSAT survey sent on
//! resolution (a one-use public link), its answer and the results per agent and team.

use care::canned::{CannedResponse, TemplateValues};
use care::channel::{ChannelRules, split_thread};
use chrono::Utc;
use domain::{Principal, Role, StoredMention};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::{CallbackRow, CaseRow, CsatRow, OutboxRow};

use super::events::CaseEvent;
use crate::{App, ServiceError};

/// Bytes in a reply before any channel rule (e-mail has no limit of its own).
const MAX_REPLY_BYTES: usize = 32 * 1024;
const MAX_OUTCOME_BYTES: usize = 4 * 1024;
const MAX_COMMENT_BYTES: usize = 2 * 1024;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    #[serde(default)]
    pub text: Option<String>,
    /// `public` (default) or `private` (a direct message).
    #[serde(default)]
    pub visibility: Option<String>,
    /// Split a long answer into a numbered thread.
    #[serde(default)]
    pub split: bool,
    #[serde(default)]
    pub canned_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReplyResult {
    pub case_id: i64,
    /// One message, or the numbered parts of a thread, as recorded in the outbox.
    pub messages: Vec<OutboxRow>,
    /// A crowd responder's reply held until a supervisor approves it (status
    /// `pending_approval`): nothing was sent yet.
    pub held_for_approval: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallbackRequest {
    pub phone: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub slot: Option<String>,
}

/// What the public survey page posts.
#[derive(Debug, Clone, Deserialize)]
pub struct CsatForm {
    pub rating: String,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CsatLine {
    pub id: Option<i64>,
    pub answers: u64,
    pub average: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CsatReport {
    pub answers: u64,
    pub average: Option<f64>,
    pub per_agent: Vec<CsatLine>,
    pub per_team: Vec<CsatLine>,
}

impl App {
    /// Only the owner of an assigned case, or a supervisor, may answer it; an unassigned
    /// case is taken by whoever answers.
    fn check_may_send(&self, principal: &Principal, case: &CaseRow) -> Result<(), ServiceError> {
        let me = principal.user_id.map(|user| user.0);
        let supervises = matches!(principal.role, Role::Admin | Role::Supervisor);
        match case.assignee_id {
            Some(owner) if Some(owner) != me && !supervises => {
                Err(ServiceError::Conflict(format!("case {} is assigned to user {owner}: only they or a supervisor may answer", case.id)))
            }
            _ => Ok(()),
        }
    }

    pub fn reply_to_case(&self, principal: &Principal, id: i64, request: &ReplyRequest) -> Result<ReplyResult, ServiceError> {
        let mut case = self.visible_case(principal, id)?;
        self.check_may_send(principal, &case)?;
        // A conversation moved off the public channel: private replies, or e-mail's rules.
        let default_visibility = if case.tags.iter().any(|tag| tag == MOVED_TO_PRIVATE) { "private" } else { "public" };
        let channel = if case.tags.iter().any(|tag| tag == MOVED_TO_EMAIL) { domain::Source::Email } else { case.source };
        let visibility = match request.visibility.as_deref().unwrap_or(default_visibility) {
            visibility @ ("public" | "private") => visibility,
            other => return Err(ServiceError::Unprocessable(format!("visibility is \"public\" or \"private\", not {other:?}"))),
        };
        let settings = self.care_settings().get();
        let me = principal.user_id.map(|user| user.0);
        let agent = me.and_then(|user| settings.agents.get(&user));
        let text = match (request.canned_id, request.text.as_deref()) {
            (Some(canned), _) => self.render_canned(canned, &case, agent.map(|agent| agent.display_name.as_str()))?,
            (None, Some(text)) => text.trim().to_string(),
            (None, None) => return Err(ServiceError::Unprocessable("a reply needs a text or a canned_id".into())),
        };
        if text.len() > MAX_REPLY_BYTES {
            return Err(ServiceError::Unprocessable(format!("a reply has at most {MAX_REPLY_BYTES} bytes")));
        }
        let append = case.team_id.is_none_or(|team| settings.team_settings(team).append_signature);
        let signature = agent.filter(|_| append).and_then(|agent| agent.signature.as_deref());
        let rejected = |error: care::channel::ReplyRejected| ServiceError::Unprocessable(error.to_string());
        let parts = if request.split {
            split_thread(channel, &text, signature).map_err(rejected)?
        } else {
            let rules = ChannelRules::for_source(channel);
            let signed = rules.sign(&text, signature);
            if signed.trim().is_empty() {
                return Err(ServiceError::Unprocessable("the reply is empty".into()));
            }
            rules.check(&signed).map_err(rejected)?;
            vec![signed]
        };
        let first_mention = self.first_mention(&case)?;
        let held = principal.role == Role::Crowd && case.team_id.is_some_and(|team| settings.team_settings(team).crowd_approval);
        if held {
            let mut messages = Vec::with_capacity(parts.len());
            for part in &parts {
                messages.push(self.record_outbound(&case, first_mention.as_ref(), part, visibility, PENDING_APPROVAL)?);
            }
            let outbox_ids: Vec<i64> = messages.iter().map(|row| row.id).collect();
            self.add_case_event(id, "reply_pending", me, Some(parts.join("\n")), Some(visibility), json!({"outbox": outbox_ids}))?;
            self.audit(&principal.actor, "case.reply_held", "case", id, None, Some(json!({"outbox": outbox_ids})))?;
            self.case_events().send(CaseEvent::new("reply_pending", id, me, Some(json!({"outbox": outbox_ids}))));
            return Ok(ReplyResult { case_id: id, messages, held_for_approval: true });
        }
        let mut messages = Vec::with_capacity(parts.len());
        for part in &parts {
            messages.push(self.send_outbound(&case, first_mention.as_ref(), part, visibility)?);
        }
        let now = Utc::now();
        let outbox_ids: Vec<i64> = messages.iter().map(|row| row.id).collect();
        self.add_case_event(id, "reply", me, Some(parts.join("\n")), Some(visibility), json!({"outbox": outbox_ids}))?;
        let before = case.clone();
        if case.first_response_at.is_none() {
            case.first_response_at = Some(now);
        }
        if case.assignee_id.is_none() && me.is_some() {
            case.assignee_id = me;
        }
        if case.status == "new" {
            case.status = "open".into();
            self.add_case_event(id, "status", me, Some("open".into()), None, json!({}))?;
        }
        case.updated_at = now;
        self.store().update_case(&case)?;
        self.audit(&principal.actor, "case.reply", "case", id, Some(json!({"first_response_at": before.first_response_at})), Some(json!({"outbox": outbox_ids, "visibility": visibility})))?;
        self.case_events().send(CaseEvent::new("replied", id, me, Some(json!({"outbox": outbox_ids}))));
        Ok(ReplyResult { case_id: id, messages, held_for_approval: false })
    }

    /// Sends one message of a case on its channel: recorded in the outbox, then over SMTP
    /// for e-mail when a server is configured (the delivery thread records `sent` or
    /// `failed`), else to the sandbox sink, where recording it is publishing it. Answers
    /// the case's first message (`first_mention`) and its author, or, once the
    /// conversation was moved to e-mail, the customer's address.
    pub(crate) fn send_outbound(&self, case: &CaseRow, first_mention: Option<&StoredMention>, text: &str, visibility: &str) -> Result<OutboxRow, ServiceError> {
        let queued = self.record_outbound(case, first_mention, text, visibility, "queued")?;
        self.deliver_outbound(case, first_mention, queued)
    }

    /// The message that opened a case, if it is still stored.
    pub(crate) fn first_mention(&self, case: &CaseRow) -> Result<Option<StoredMention>, ServiceError> {
        Ok(match case.first_mention_id {
            Some(id) => self.store().get_mention(id)?,
            None => None,
        })
    }

    /// Where a case's messages go: `(channel, in reply to, recipient)`.
    fn reply_route(&self, case: &CaseRow, first_mention: Option<&StoredMention>) -> Result<(domain::Source, Option<String>, Option<String>), ServiceError> {
        if case.tags.iter().any(|tag| tag == MOVED_TO_EMAIL)
            && let Some(address) = self.moved_to_address(case.id)?
        {
            return Ok((domain::Source::Email, None, Some(address)));
        }
        Ok(match first_mention {
            Some(stored) => (case.source, Some(stored.mention.external_id.clone()), Some(stored.mention.author.handle.clone())),
            None => (case.source, None, None),
        })
    }

    /// The address of the last move of the case to e-mail.
    fn moved_to_address(&self, case_id: i64) -> Result<Option<String>, ServiceError> {
        Ok(self
            .store()
            .list_case_events(case_id)?
            .iter()
            .rev()
            .find(|event| event.kind == "moved" && event.details["to"] == "email")
            .and_then(|event| event.details["address"].as_str().map(str::to_string)))
    }

    /// Records a message of a case in the outbox with `status` (`queued`, or
    /// `pending_approval` for a crowd reply held for approval), without sending it.
    fn record_outbound(&self, case: &CaseRow, first_mention: Option<&StoredMention>, text: &str, visibility: &str, status: &str) -> Result<OutboxRow, ServiceError> {
        let (channel, in_reply_to, recipient) = self.reply_route(case, first_mention)?;
        self.record_outbound_to(case, channel, in_reply_to, recipient, text, visibility, status)
    }

    #[allow(clippy::too_many_arguments)]
    fn record_outbound_to(
        &self,
        case: &CaseRow,
        channel: domain::Source,
        in_reply_to: Option<String>,
        recipient: Option<String>,
        text: &str,
        visibility: &str,
        status: &str,
    ) -> Result<OutboxRow, ServiceError> {
        let now = Utc::now();
        Ok(self.store().add_outbox(&OutboxRow {
            id: 0,
            case_id: case.id,
            channel,
            in_reply_to,
            recipient,
            text: text.to_string(),
            visibility: visibility.to_string(),
            status: status.into(),
            attempts: 0,
            created_at: now,
            updated_at: now,
        })?)
    }

    /// Sends a queued message of a case (see [`Self::send_outbound`]).
    fn deliver_outbound(&self, case: &CaseRow, first_mention: Option<&StoredMention>, queued: OutboxRow) -> Result<OutboxRow, ServiceError> {
        let email = queued.channel == domain::Source::Email;
        let queued_for_smtp = email && self.deliveries().can_send_email() && {
            let mail = match (case.source, first_mention, queued.recipient.as_deref()) {
                // An e-mail case: a reply in the customer's thread.
                (domain::Source::Email, Some(stored), Some(to)) if !stored.mention.external_id.starts_with("sha256:") => {
                    let answered = &stored.mention;
                    let mut references = Vec::new();
                    if let Some(thread) = answered.links.thread_id.as_deref()
                        && thread != answered.external_id
                    {
                        references.push(thread.to_string());
                    }
                    if let Some(parent) = answered.links.in_reply_to.as_deref()
                        && !references.iter().any(|id| id == parent)
                    {
                        references.push(parent.to_string());
                    }
                    references.push(answered.external_id.clone());
                    Some(connectors::smtp::OutgoingMail {
                        to: vec![to.to_string()],
                        subject: connectors::smtp::reply_subject(answered.title.as_deref().unwrap_or("")),
                        body: queued.text.clone(),
                        in_reply_to: Some(answered.external_id.clone()),
                        references,
                    })
                }
                // A conversation moved to e-mail: a message to the address given.
                (source, _, Some(to)) if source != domain::Source::Email => Some(connectors::smtp::OutgoingMail {
                    to: vec![to.to_string()],
                    subject: moved_subject(case),
                    body: queued.text.clone(),
                    in_reply_to: None,
                    references: Vec::new(),
                }),
                _ => None,
            };
            mail.is_some_and(|mail| {
                self.deliveries().send_email_reply(crate::early_warning::EmailReply {
                    outbox_id: queued.id,
                    store: self.store().clone(),
                    mail,
                    thread_case: Some(case.id),
                })
            })
        };
        if !queued_for_smtp {
            self.store().set_outbox_status(queued.id, if email { "failed" } else { "sent" })?;
        }
        Ok(self.store().get_outbox(queued.id)?.unwrap_or(queued))
    }

    /// Moves a conversation off the public channel (issue #4 §8): to a private message
    /// (a signed public invitation on the channel; the case's replies are private from
    /// then on) or to e-mail (the address joins the contact; a signed public note says an
    /// e-mail is on its way; the case's replies go by e-mail from then on, and the
    /// customer's answer to them joins the case).
    pub fn move_conversation(&self, principal: &Principal, id: i64, request: &MoveRequest) -> Result<ReplyResult, ServiceError> {
        let mut case = self.visible_case(principal, id)?;
        self.check_may_send(principal, &case)?;
        let settings = self.care_settings().get();
        let me = principal.user_id.map(|user| user.0);
        let agent = me.and_then(|user| settings.agents.get(&user));
        let append = case.team_id.is_none_or(|team| settings.team_settings(team).append_signature);
        let signature = agent.filter(|_| append).and_then(|agent| agent.signature.as_deref());
        let french = case.language.as_deref().is_some_and(|language| language.starts_with("fr"));
        if let Some(text) = &request.text {
            check_reply_text(text)?;
        }
        let first_mention = self.first_mention(&case)?;
        let rules = ChannelRules::for_source(case.source);
        let mut messages = Vec::new();
        let (tag, details) = match request.to.as_str() {
            "private" => {
                if case.source == domain::Source::Email {
                    return Err(ServiceError::Unprocessable("an e-mail conversation is already private".into()));
                }
                let invitation = request.text.clone().unwrap_or_else(|| {
                    if french {
                        "Pour protéger vos informations, poursuivons en message privé : nous vous écrivons en MP.".into()
                    } else {
                        "To keep your details safe, let's continue by direct message: we are writing to you there.".into()
                    }
                });
                let signed = rules.sign(&invitation, signature);
                rules.check(&signed).map_err(|error| ServiceError::Unprocessable(error.to_string()))?;
                messages.push(self.send_outbound(&case, first_mention.as_ref(), &signed, "public")?);
                (MOVED_TO_PRIVATE, json!({"to": "private"}))
            }
            "email" => {
                let address = request
                    .email
                    .as_deref()
                    .ok_or_else(|| ServiceError::Unprocessable("moving to e-mail needs the customer's \"email\"".into()))?;
                let address = domain::normalise_email(address).map_err(|error| ServiceError::Unprocessable(error.to_string()))?;
                connectors::smtp::parse_mailbox(&address).map_err(|error| ServiceError::Unprocessable(error.to_string()))?;
                if case.source != domain::Source::Email {
                    let note = if french {
                        "Nous vous avons écrit par e-mail pour la suite de votre demande."
                    } else {
                        "We have sent you an e-mail to continue with your request."
                    };
                    let signed = rules.sign(note, signature);
                    if rules.check(&signed).is_ok() {
                        messages.push(self.send_outbound(&case, first_mention.as_ref(), &signed, "public")?);
                    }
                }
                if let Some(contact) = case.contact_id {
                    // Already known: fine.
                    let _ = self.add_identity(principal, domain::ContactId(contact), domain::IdentityKind::Email, None, &address);
                }
                let body = request.text.clone().unwrap_or_else(|| {
                    let quoted = first_mention.as_ref().map(|stored| stored.mention.text.clone()).unwrap_or_else(|| case.subject.clone());
                    if french {
                        format!("Bonjour,\n\nNous poursuivons ici votre demande n° {id} :\n\n« {quoted} »\n\nRépondez simplement à ce message.")
                    } else {
                        format!("Hello,\n\nWe are continuing your request #{id} here:\n\n\"{quoted}\"\n\nJust reply to this message.")
                    }
                });
                let body = rules_for_email_sign(&body, signature);
                let queued = self.record_outbound_to(&case, domain::Source::Email, None, Some(address.clone()), &body, "private", "queued")?;
                messages.push(self.deliver_outbound(&case, first_mention.as_ref(), queued)?);
                (MOVED_TO_EMAIL, json!({"to": "email", "address": address}))
            }
            other => return Err(ServiceError::Unprocessable(format!("move the conversation \"to\" private or email, not {other:?}"))),
        };
        let outbox_ids: Vec<i64> = messages.iter().map(|row| row.id).collect();
        let mut event = details.clone();
        event["outbox"] = json!(outbox_ids);
        self.add_case_event(id, "moved", me, None, None, event)?;
        let before = case.clone();
        case.tags.retain(|existing| existing != MOVED_TO_EMAIL && existing != MOVED_TO_PRIVATE);
        case.tags.push(tag.to_string());
        case.updated_at = Utc::now();
        self.store().update_case(&case)?;
        self.audit(&principal.actor, "case.move", "case", id, Some(json!({"tags": before.tags})), Some(json!({"to": details["to"], "outbox": outbox_ids})))?;
        self.case_events().send(CaseEvent::new("updated", id, me, Some(json!({"moved": details["to"]}))));
        Ok(ReplyResult { case_id: id, messages, held_for_approval: false })
    }

    fn render_canned(&self, canned_id: i64, case: &CaseRow, agent_name: Option<&str>) -> Result<String, ServiceError> {
        let row = self.store().get_canned(canned_id)?.ok_or_else(|| ServiceError::Unprocessable(format!("no canned response {canned_id}")))?;
        let template = CannedResponse::parse(&row.template)?;
        let customer_name = match case.contact_id {
            Some(contact) => self.store().get_contact(domain::ContactId(contact))?.and_then(|contact| contact.display_name),
            None => None,
        };
        let settings = self.care_settings().get();
        let (_, calendar) = settings.policy(case.team_id);
        let language = case.language.as_deref().unwrap_or("fr");
        let values = TemplateValues {
            customer_name,
            case_number: Some(case.id.to_string()),
            opening_hours: Some(calendar.describe_opening_hours(language)),
            agent_name: agent_name.map(str::to_string),
        };
        template.render(&values).map_err(|error| ServiceError::Unprocessable(error.to_string()))
    }

    /// Escalates to a phone callback; the number is read as people write it.
    pub fn request_callback(&self, principal: &Principal, id: i64, request: &CallbackRequest) -> Result<CallbackRow, ServiceError> {
        let case = self.visible_case(principal, id)?;
        let phone = care::phone::normalise_phone(&request.phone, Some("FR")).map_err(|error| ServiceError::Unprocessable(error.to_string()))?;
        let note = request.note.trim();
        let slot = request.slot.as_deref().map(str::trim).filter(|slot| !slot.is_empty());
        if note.len() > domain::MAX_NOTE_BYTES || slot.is_some_and(|slot| slot.len() > domain::MAX_SHORT_TEXT_BYTES) {
            return Err(ServiceError::Invalid("the note or the slot is too long".into()));
        }
        let note = if note.is_empty() { case.subject.clone() } else { note.to_string() };
        let me = principal.user_id.map(|user| user.0);
        let callback = self.store().create_callback(&CallbackRow {
            id: 0,
            case_id: id,
            phone: phone.as_str().to_string(),
            note,
            slot: slot.map(str::to_string),
            status: "open".into(),
            outcome: None,
            created_by: me,
            created_at: Utc::now(),
            done_at: None,
        })?;
        self.add_case_event(id, "callback", me, Some(callback.note.clone()), None, json!({"callback_id": callback.id, "slot": callback.slot}))?;
        self.audit(&principal.actor, "case.callback", "case", id, None, Some(json!({"callback_id": callback.id})))?;
        self.case_events().send(CaseEvent::new("callback", id, me, Some(json!({"callback_id": callback.id}))));
        Ok(callback)
    }

    pub fn list_callbacks(&self, status: Option<&str>, cursor: Option<&str>, limit: usize) -> Result<(Vec<CallbackRow>, Option<String>), ServiceError> {
        if let Some(status) = status.filter(|status| !matches!(*status, "open" | "done")) {
            return Err(ServiceError::Invalid(format!("status is open or done, not {status:?}")));
        }
        let before = cursor.map(|cursor| cursor.parse::<i64>()).transpose().map_err(|_| ServiceError::Invalid("unknown cursor".into()))?;
        let limit = limit.clamp(1, 200);
        let rows = self.store().list_callbacks(status, None, before, limit)?;
        let next = (rows.len() == limit).then(|| rows.last().map(|row| row.id.to_string())).flatten();
        Ok((rows, next))
    }

    /// Logs a callback's outcome; it lands on the case and the contact's timeline.
    pub fn log_callback_outcome(&self, principal: &Principal, id: i64, outcome: &str) -> Result<CallbackRow, ServiceError> {
        let outcome = outcome.trim();
        if outcome.is_empty() || outcome.len() > MAX_OUTCOME_BYTES {
            return Err(ServiceError::Invalid(format!("an outcome has 1 to {MAX_OUTCOME_BYTES} bytes")));
        }
        let callback = self.store().get_callback(id)?.ok_or_else(|| ServiceError::NotFound(format!("no callback {id}")))?;
        self.visible_case(principal, callback.case_id)?;
        if !self.store().complete_callback(id, outcome, Utc::now())? {
            return Err(ServiceError::Conflict(format!("callback {id} has its outcome already")));
        }
        let me = principal.user_id.map(|user| user.0);
        self.add_case_event(callback.case_id, "call", me, Some(outcome.to_string()), None, json!({"callback_id": id}))?;
        self.audit(&principal.actor, "callback.outcome", "case", callback.case_id, None, Some(json!({"callback_id": id})))?;
        self.store().get_callback(id)?.ok_or_else(|| ServiceError::NotFound(format!("no callback {id}")))
    }

    /// On resolution: a one-use survey link, sent to the customer through the outbox.
    pub(crate) fn on_resolved(&self, principal: &Principal, case: &CaseRow) -> Result<String, ServiceError> {
        let token = format!("csat_{}", hex::encode(rand::random::<[u8; 18]>()));
        let survey = CsatRow {
            id: 0,
            case_id: case.id,
            agent_id: case.assignee_id,
            team_id: case.team_id,
            rating: None,
            comment: None,
            created_at: Utc::now(),
            answered_at: None,
        };
        let created = self.store().create_csat(&survey, &crate::app::token_digest(&token))?;
        let link = format!("/csat/{token}");
        let text = match case.language.as_deref() {
            Some("en") => format!("How did we do? One click to tell us: {link}"),
            _ => format!("Votre avis compte : notez notre réponse en un clic {link}"),
        };
        let now = Utc::now();
        let first_mention = self.first_mention(case)?;
        self.store().add_outbox(&OutboxRow {
            id: 0,
            case_id: case.id,
            channel: case.source,
            in_reply_to: first_mention.as_ref().map(|stored| stored.mention.external_id.clone()),
            recipient: first_mention.as_ref().map(|stored| stored.mention.author.handle.clone()),
            text,
            visibility: "private".into(),
            status: "sent".into(),
            attempts: 1,
            created_at: now,
            updated_at: now,
        })?;
        self.audit(&principal.actor, "case.csat.sent", "case", case.id, None, Some(json!({"survey_id": created.id})))?;
        Ok(link)
    }

    /// The survey a public link opens, if it is still unanswered.
    pub fn open_csat(&self, token: &str) -> Result<CsatRow, ServiceError> {
        let survey = self.store().find_csat(&crate::app::token_digest(token))?;
        let survey = survey.ok_or_else(|| ServiceError::NotFound("this survey link is unknown".into()))?;
        if survey.answered_at.is_some() {
            return Err(ServiceError::Conflict("this survey was answered already: thank you".into()));
        }
        Ok(survey)
    }

    pub fn answer_csat(&self, token: &str, form: &CsatForm) -> Result<CsatRow, ServiceError> {
        let survey = self.open_csat(token)?;
        let rating: u8 = form.rating.trim().parse().ok().filter(|rating| (1..=5).contains(rating)).ok_or_else(|| ServiceError::Unprocessable("the rating is a whole number from 1 to 5".into()))?;
        let comment = form.comment.as_deref().map(str::trim).filter(|comment| !comment.is_empty());
        if comment.is_some_and(|comment| comment.len() > MAX_COMMENT_BYTES) {
            return Err(ServiceError::Unprocessable(format!("a comment has at most {MAX_COMMENT_BYTES} bytes")));
        }
        if !self.store().answer_csat(survey.id, rating, comment, Utc::now())? {
            return Err(ServiceError::Conflict("this survey was answered already: thank you".into()));
        }
        self.add_case_event(survey.case_id, "csat", None, comment.map(str::to_string), None, json!({"rating": rating}))?;
        self.audit("customer", "case.csat.answer", "case", survey.case_id, None, Some(json!({"rating": rating})))?;
        self.case_events().send(CaseEvent::new("csat", survey.case_id, None, Some(json!({"rating": rating}))));
        Ok(self.store().case_csat(survey.case_id)?.into_iter().find(|row| row.id == survey.id).unwrap_or(survey))
    }

    pub fn csat_report(&self) -> Result<CsatReport, ServiceError> {
        self.csat_report_of(None)
    }

    /// The CSAT answers of a care report's period (answered in it, of its team or agent),
    /// or all of them.
    pub fn csat_report_of(&self, period: Option<&store::CareReportFilter>) -> Result<CsatReport, ServiceError> {
        let totals = self.store().csat_report(period)?;
        let line = |id: Option<i64>, rows: &[&store::CsatTotals]| {
            let answers: u64 = rows.iter().map(|row| row.answers).sum();
            let sum: u64 = rows.iter().map(|row| row.rating_sum).sum();
            CsatLine { id, answers, average: if answers == 0 { 0.0 } else { (sum as f64 / answers as f64 * 100.0).round() / 100.0 } }
        };
        let group = |key: fn(&store::CsatTotals) -> Option<i64>| {
            let mut keys: Vec<Option<i64>> = totals.iter().map(key).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .map(|id| line(id, &totals.iter().filter(|row| key(row) == id).collect::<Vec<_>>()))
                .collect::<Vec<_>>()
        };
        let all = line(None, &totals.iter().collect::<Vec<_>>());
        Ok(CsatReport {
            answers: all.answers,
            average: (all.answers > 0).then_some(all.average),
            per_agent: group(|row| row.agent_id),
            per_team: group(|row| row.team_id),
        })
    }
}

/// The outbox status of a crowd reply waiting for approval.
pub const PENDING_APPROVAL: &str = "pending_approval";

impl App {
    /// Crowd replies waiting for approval, newest first (supervisors' queue).
    pub fn pending_replies(&self, cursor: Option<&str>, limit: usize) -> Result<(Vec<OutboxRow>, Option<String>), ServiceError> {
        let before = cursor
            .map(|cursor| cursor.parse::<i64>().map_err(|_| ServiceError::Invalid("unknown cursor: pass back a next_cursor".into())))
            .transpose()?;
        let limit = limit.clamp(1, 200);
        let rows = self.store().outbox_by_status(PENDING_APPROVAL, before, limit)?;
        let next = (rows.len() == limit).then(|| rows.last().map(|row| row.id.to_string())).flatten();
        Ok((rows, next))
    }

    /// Approves a held crowd reply (every part of it): it is sent now, as its author's
    /// reply. `409` when it is no longer waiting.
    pub fn approve_reply(&self, principal: &Principal, outbox_id: i64) -> Result<ReplyResult, ServiceError> {
        let (case, parts, author) = self.held_reply(outbox_id)?;
        let first_mention = self.first_mention(&case)?;
        let mut messages = Vec::new();
        for part in parts {
            if !self.store().move_outbox(part.id, PENDING_APPROVAL, "queued")? {
                return Err(ServiceError::Conflict(format!("message {} is no longer waiting for approval", part.id)));
            }
            messages.push(self.deliver_outbound(&case, first_mention.as_ref(), OutboxRow { status: "queued".into(), ..part })?);
        }
        let ids: Vec<i64> = messages.iter().map(|row| row.id).collect();
        let approver = principal.user_id.map(|user| user.0);
        let text = messages.iter().map(|row| row.text.as_str()).collect::<Vec<_>>().join("\n");
        let visibility = messages.first().map(|row| row.visibility.clone()).unwrap_or_else(|| "public".into());
        self.add_case_event(case.id, "reply", author, Some(text), Some(&visibility), json!({"outbox": ids, "approved_by": approver}))?;
        let mut updated = case.clone();
        let now = Utc::now();
        if updated.first_response_at.is_none() {
            updated.first_response_at = Some(now);
        }
        if updated.status == "new" {
            updated.status = "open".into();
        }
        updated.updated_at = now;
        self.store().update_case(&updated)?;
        self.audit(&principal.actor, "case.reply_approved", "case", case.id, None, Some(json!({"outbox": ids})))?;
        self.case_events().send(CaseEvent::new("replied", case.id, author, Some(json!({"outbox": ids, "approved_by": approver}))));
        Ok(ReplyResult { case_id: case.id, messages, held_for_approval: false })
    }

    /// Rejects a held crowd reply (every part): nothing is sent; the reason goes on the case.
    pub fn reject_reply(&self, principal: &Principal, outbox_id: i64, reason: Option<&str>) -> Result<Vec<OutboxRow>, ServiceError> {
        if let Some(reason) = reason {
            domain::check_short_text("reason", reason).map_err(|error| ServiceError::Unprocessable(error.to_string()))?;
        }
        let (case, parts, author) = self.held_reply(outbox_id)?;
        let mut rejected = Vec::new();
        for part in parts {
            if !self.store().move_outbox(part.id, PENDING_APPROVAL, "rejected")? {
                return Err(ServiceError::Conflict(format!("message {} is no longer waiting for approval", part.id)));
            }
            rejected.push(OutboxRow { status: "rejected".into(), ..part });
        }
        let ids: Vec<i64> = rejected.iter().map(|row| row.id).collect();
        let rejecter = principal.user_id.map(|user| user.0);
        self.add_case_event(case.id, "reply_rejected", rejecter, reason.map(str::to_string), Some("internal"), json!({"outbox": ids, "author": author}))?;
        self.audit(&principal.actor, "case.reply_rejected", "case", case.id, None, Some(json!({"outbox": ids, "reason": reason})))?;
        self.case_events().send(CaseEvent::new("reply_rejected", case.id, author, Some(json!({"outbox": ids}))));
        Ok(rejected)
    }

    /// The case, the held parts (in order) and the author of the held reply that holds `outbox_id`.
    fn held_reply(&self, outbox_id: i64) -> Result<(CaseRow, Vec<OutboxRow>, Option<i64>), ServiceError> {
        let row = self.store().get_outbox(outbox_id)?.ok_or_else(|| ServiceError::NotFound(format!("no outbound message {outbox_id}")))?;
        if row.status != PENDING_APPROVAL {
            return Err(ServiceError::Conflict(format!("message {outbox_id} is {}, not waiting for approval", row.status)));
        }
        let case = self.store().get_case(row.case_id)?.ok_or_else(|| ServiceError::NotFound(format!("no case {}", row.case_id)))?;
        let events = self.store().list_case_events(case.id)?;
        let held = events.iter().rev().find(|event| {
            event.kind == "reply_pending"
                && event.details["outbox"].as_array().is_some_and(|ids| ids.iter().any(|id| id.as_i64() == Some(outbox_id)))
        });
        let ids: Vec<i64> = held
            .and_then(|event| event.details["outbox"].as_array())
            .map(|ids| ids.iter().filter_map(|id| id.as_i64()).collect())
            .unwrap_or_else(|| vec![outbox_id]);
        let parts: Vec<OutboxRow> =
            self.store().list_outbox(case.id)?.into_iter().filter(|row| ids.contains(&row.id) && row.status == PENDING_APPROVAL).collect();
        Ok((case, parts, held.and_then(|event| event.user_id)))
    }
}

/// The case tag of a conversation moved to e-mail: replies go to the address given.
pub const MOVED_TO_EMAIL: &str = "moved:email";
/// The case tag of a conversation moved to private messages: replies are private.
pub const MOVED_TO_PRIVATE: &str = "moved:private";

/// `POST /api/v1/cases/{id}/move`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    /// `private` or `email`.
    pub to: String,
    /// The customer's address (for `email`).
    #[serde(default)]
    pub email: Option<String>,
    /// Replaces the default invitation (private) or e-mail body (email).
    #[serde(default)]
    pub text: Option<String>,
}

fn check_reply_text(text: &str) -> Result<(), ServiceError> {
    if text.trim().is_empty() || text.len() > MAX_REPLY_BYTES {
        return Err(ServiceError::Unprocessable(format!("a message has 1 to {MAX_REPLY_BYTES} bytes")));
    }
    Ok(())
}

fn rules_for_email_sign(body: &str, signature: Option<&str>) -> String {
    ChannelRules::for_source(domain::Source::Email).sign(body, signature)
}

/// The subject of the first e-mail of a conversation moved from a social channel.
fn moved_subject(case: &CaseRow) -> String {
    if case.language.as_deref().is_some_and(|language| language.starts_with("fr")) {
        format!("Votre demande n° {}", case.id)
    } else {
        format!("Your request #{}", case.id)
    }
}
