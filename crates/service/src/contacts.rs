//! Customer 360 use cases: listing and reading contacts, CRM fields, identities, notes,
//! merge (and undo) with suggestions on strong evidence only, the timeline across
//! channels, and GDPR export and erasure. Every change is written to the audit log.

use domain::{
    Contact, ContactId, ContactMerge, ContactNote, ContactPatch, Identity, IdentityKind, MergeSuggestion, NewIdentity,
    Principal, TimelineItem, handles_claimed_in,
};
use serde_json::{Value, json};
use store::AuditFilter;

use crate::{App, ServiceError};

/// Most contacts in one page of a listing.
pub const MAX_PAGE: usize = 200;
/// Most cases on a timeline or in an export.
const MAX_CASES: usize = 200;
/// Most mentions on a timeline or in an export.
const MAX_MENTIONS: usize = 10_000;

/// One page of contacts and the cursor of the next one.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ContactPage {
    pub items: Vec<Contact>,
    pub next_cursor: Option<String>,
}

impl App {
    /// Contacts matching `query` (a name or an identity), by id; pass `next_cursor` back.
    pub fn list_contacts(&self, query: Option<&str>, cursor: Option<&str>, limit: usize) -> Result<ContactPage, ServiceError> {
        let query = query.map(str::trim).filter(|query| !query.is_empty());
        if query.is_some_and(|query| query.len() > domain::MAX_SHORT_TEXT_BYTES) {
            return Err(ServiceError::Invalid("the query has at most 200 bytes".into()));
        }
        let after = cursor
            .map(|cursor| cursor.parse::<i64>().map(ContactId))
            .transpose()
            .map_err(|_| ServiceError::Invalid("unknown cursor: pass back a next_cursor".into()))?;
        let limit = limit.clamp(1, MAX_PAGE);
        let items = self.store().list_contacts(query, after, limit)?;
        let next_cursor = (items.len() == limit).then(|| items.last().map(|contact| contact.id.to_string())).flatten();
        Ok(ContactPage { items, next_cursor })
    }

    /// A contact as stored (also a merged one, which names its survivor); an erased
    /// contact is gone.
    pub fn get_contact(&self, id: ContactId) -> Result<Contact, ServiceError> {
        self.store()
            .get_contact(id)?
            .filter(|contact| contact.erased_at.is_none())
            .ok_or_else(|| ServiceError::NotFound(format!("no contact {id}")))
    }

    fn live_contact(&self, id: ContactId) -> Result<Contact, ServiceError> {
        let contact = self.get_contact(id)?;
        if let Some(survivor) = contact.merged_into {
            return Err(ServiceError::Conflict(format!("contact {id} was merged into contact {survivor}")));
        }
        Ok(contact)
    }

    pub fn patch_contact(&self, actor: &Principal, id: ContactId, patch: &ContactPatch) -> Result<Contact, ServiceError> {
        let before = self.live_contact(id)?;
        let mut contact = before.clone();
        patch.apply(&mut contact)?;
        if let Some(advisor) = contact.advisor_id.filter(|advisor| Some(*advisor) != before.advisor_id) {
            self.get_user(advisor).map_err(|_| ServiceError::Invalid(format!("no user {advisor} to be the advisor")))?;
        }
        self.store().update_contact(&contact)?;
        self.audit(&actor.actor, "contact.update", "contact", id, Some(crm_fields(&before)), Some(crm_fields(&contact)))?;
        self.get_contact(id)
    }

    pub fn add_identity(&self, actor: &Principal, id: ContactId, kind: IdentityKind, source: Option<&str>, value: &str) -> Result<Identity, ServiceError> {
        self.live_contact(id)?;
        let identity = NewIdentity::parse(kind, source, value)?;
        let added = self.store().add_identity(id, &identity)?;
        self.audit(&actor.actor, "contact.identity.add", "contact", id, None, Some(json!(added)))?;
        Ok(added)
    }

    pub fn add_note(&self, actor: &Principal, id: ContactId, text: &str) -> Result<ContactNote, ServiceError> {
        self.live_contact(id)?;
        let text = text.trim();
        if text.is_empty() || text.len() > domain::MAX_NOTE_BYTES {
            return Err(ServiceError::Invalid(format!("a note has 1 to {} bytes", domain::MAX_NOTE_BYTES)));
        }
        let note = self.store().add_note(id, actor.user_id, text)?;
        self.audit(&actor.actor, "contact.note.add", "contact", id, None, Some(json!({"note_id": note.id})))?;
        Ok(note)
    }

    /// Merges `other` into `id` (never a contact with itself: 422).
    pub fn merge_contacts(&self, actor: &Principal, id: ContactId, other: ContactId) -> Result<ContactMerge, ServiceError> {
        if id == other {
            return Err(ServiceError::Unprocessable("a contact cannot be merged with itself".into()));
        }
        let merge = self.store().merge_contacts(id, other)?;
        let after = json!({"merge_id": merge.id, "survivor_id": id, "absorbed_id": other});
        self.audit(&actor.actor, "contact.merge", "contact", id, None, Some(after.clone()))?;
        self.audit(&actor.actor, "contact.merge", "contact", other, None, Some(after))?;
        Ok(merge)
    }

    pub fn undo_merge(&self, actor: &Principal, merge_id: i64) -> Result<ContactMerge, ServiceError> {
        let merge = self.store().undo_merge(merge_id)?.ok_or_else(|| ServiceError::NotFound(format!("no merge {merge_id}")))?;
        let after = json!({"merge_id": merge.id, "survivor_id": merge.survivor_id, "absorbed_id": merge.absorbed_id});
        self.audit(&actor.actor, "contact.merge.undo", "contact", merge.survivor_id, None, Some(after.clone()))?;
        self.audit(&actor.actor, "contact.merge.undo", "contact", merge.absorbed_id, None, Some(after))?;
        Ok(merge)
    }

    /// Contacts that are probably the same customer, on strong evidence only: the same
    /// e-mail address or phone number, or a handle claimed in a bio (theirs or ours).
    /// Never a name.
    pub fn merge_suggestions(&self, id: ContactId) -> Result<Vec<MergeSuggestion>, ServiceError> {
        let contact = self.live_contact(id)?;
        let mut suggestions: Vec<MergeSuggestion> = Vec::new();
        let mut suggest = |contact_id: ContactId, reason: String| {
            if !suggestions.iter().any(|known| known.contact_id == contact_id) {
                suggestions.push(MergeSuggestion { contact_id, reason });
            }
        };
        for kind in [IdentityKind::Email, IdentityKind::Phone] {
            let values: Vec<String> =
                contact.identities.iter().filter(|identity| identity.kind == kind).map(|identity| identity.normalised.clone()).collect();
            for (other, identity) in self.store().contacts_with_identity(kind, &values, id)? {
                suggest(other, format!("same {}: {}", kind.as_str(), identity.value));
            }
        }
        let claimed = contact.bio.as_deref().map(handles_claimed_in).unwrap_or_default();
        let claimed_forms: Vec<String> =
            claimed.iter().flat_map(|handle| [handle.clone(), format!("{handle}.bsky.social")]).collect();
        for (other, identity) in self.store().contacts_with_identity(IdentityKind::Handle, &claimed_forms, id)? {
            suggest(other, format!("this contact's bio claims @{} on {}", identity.value, identity.source));
        }
        for identity in contact.identities.iter().filter(|identity| identity.kind == IdentityKind::Handle) {
            for other in self.store().contacts_claiming_handle(&identity.normalised, id)? {
                suggest(other, format!("their bio claims @{} on {}", identity.value, identity.source));
            }
        }
        Ok(suggestions)
    }

    /// The contact's mentions across channels and its notes, newest first.
    pub fn timeline(&self, id: ContactId, limit: usize) -> Result<Vec<TimelineItem>, ServiceError> {
        self.get_contact(id)?;
        let limit = limit.clamp(1, MAX_MENTIONS);
        let mention_ids = self.store().contact_mention_ids(id, limit)?;
        let mut items: Vec<TimelineItem> = self
            .store()
            .get_mentions(&mention_ids)?
            .into_iter()
            .map(|stored| TimelineItem::Mention {
                at: stored.mention.created_at,
                mention_id: stored.id,
                source: stored.mention.source,
                text: stored.mention.text,
                url: stored.mention.url,
            })
            .collect();
        items.extend(self.store().list_notes(id)?.into_iter().map(|note| TimelineItem::Note {
            at: note.created_at,
            note_id: note.id,
            author_id: note.author_id,
            text: note.text,
        }));
        for case in self.store().contact_cases(id.0, MAX_CASES)? {
            for event in self.store().list_case_events(case.id)? {
                if matches!(event.kind.as_str(), "reply" | "callback" | "call" | "csat") {
                    items.push(TimelineItem::CaseActivity {
                        at: event.at,
                        case_id: case.id,
                        activity: event.kind,
                        text: event.text,
                        details: event.details,
                    });
                }
            }
            items.push(TimelineItem::Case { at: case.opened_at, case_id: case.id, status: case.status, subject: case.subject });
        }
        items.sort_by_key(|item| std::cmp::Reverse(item.at()));
        items.truncate(limit);
        Ok(items)
    }

    /// GDPR export: everything stored about the contact, as one JSON document.
    pub fn export_contact(&self, actor: &Principal, id: ContactId) -> Result<Value, ServiceError> {
        let contact = self.get_contact(id)?;
        let mention_ids = self.store().contact_mention_ids(id, MAX_MENTIONS)?;
        let mentions = self.store().get_mentions(&mention_ids)?;
        let notes = self.store().list_notes(id)?;
        let cases = self.store().contact_cases(id.0, MAX_CASES)?;
        let mut case_events = Vec::new();
        let mut callbacks = Vec::new();
        let mut surveys = Vec::new();
        for case in &cases {
            case_events.extend(self.store().list_case_events(case.id)?);
            callbacks.extend(self.store().list_callbacks(None, Some(case.id), None, 1000)?);
            surveys.extend(self.store().case_csat(case.id)?);
        }
        let audit = self.store().list_audit(&AuditFilter {
            entity: Some("contact".into()),
            entity_id: Some(id.to_string()),
            before_id: None,
            limit: 10_000,
        })?;
        self.audit(&actor.actor, "contact.export", "contact", id, None, None)?;
        Ok(json!({
            "exported_at": chrono::Utc::now(),
            "contact": contact,
            "identities": contact.identities,
            "mentions": mentions,
            "notes": notes,
            "cases": cases,
            "case_events": case_events,
            "callbacks": callbacks,
            "csat": surveys,
            "audit": audit,
        }))
    }

    /// GDPR erasure: the contact's personal data leaves the store and the search index;
    /// the audit record says who erased which contact id, nothing more.
    pub fn erase_contact(&self, actor: &Principal, id: ContactId) -> Result<(), ServiceError> {
        self.get_contact(id)?;
        self.store().erase_contact_cases(id.0)?;
        let blanked = self.store().erase_contact(id)?.ok_or_else(|| ServiceError::NotFound(format!("no contact {id}")))?;
        // The blanked mentions took new change sequences: the index applies them now.
        self.writer().flush()?;
        self.writer().catch_up()?;
        self.audit(&actor.actor, "contact.erase", "contact", id, None, Some(json!({"mentions_blanked": blanked.len()})))?;
        Ok(())
    }
}

/// The CRM fields an audit entry keeps before and after a change.
fn crm_fields(contact: &Contact) -> Value {
    json!({
        "display_name": contact.display_name,
        "customer_number": contact.customer_number,
        "segment": contact.segment,
        "vip": contact.vip,
        "advisor_id": contact.advisor_id,
    })
}

