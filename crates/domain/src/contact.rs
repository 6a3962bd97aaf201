//! Customer 360: a contact is one customer across channels, known by several identities
//! (a handle at a source, an e-mail address, a phone number). Identity values come from
//! strangers: they are bounded and checked here before any store call.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{ContactId, DomainError, MentionId, Source, UserId, normalise_email};

/// Longest identity value (a handle, an e-mail address, a phone number as written).
pub const MAX_IDENTITY_BYTES: usize = 320;
/// Longest bio kept on a contact (from the author's profile).
pub const MAX_BIO_BYTES: usize = 1_000;
/// Longest internal note.
pub const MAX_NOTE_BYTES: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdentityKind {
    Handle,
    Email,
    Phone,
}

impl IdentityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityKind::Handle => "handle",
            IdentityKind::Email => "email",
            IdentityKind::Phone => "phone",
        }
    }

    pub fn parse(text: &str) -> Option<IdentityKind> {
        [IdentityKind::Handle, IdentityKind::Email, IdentityKind::Phone].into_iter().find(|kind| kind.as_str() == text)
    }
}

/// One way to reach a contact. `(kind, source, value)` is unique: one identity belongs
/// to one contact. `source` is the source's name for a handle and empty otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub id: i64,
    pub kind: IdentityKind,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    pub value: String,
    /// The comparable form (lower-cased handle or e-mail; a phone's last nine digits),
    /// used for merge suggestions.
    #[serde(skip)]
    pub normalised: String,
}

/// An identity to add, checked and normalised by [`NewIdentity::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIdentity {
    pub kind: IdentityKind,
    pub source: String,
    pub value: String,
    pub normalised: String,
}

impl NewIdentity {
    /// Checks an identity as a user or a stranger typed it.
    pub fn parse(kind: IdentityKind, source: Option<&str>, value: &str) -> Result<NewIdentity, DomainError> {
        let invalid = |reason: String| DomainError::Invalid { field: "identity", reason };
        let value = value.trim();
        if value.is_empty() || value.len() > MAX_IDENTITY_BYTES || value.chars().any(char::is_control) {
            return Err(invalid(format!("a value has 1 to {MAX_IDENTITY_BYTES} bytes, no control characters")));
        }
        match kind {
            IdentityKind::Handle => {
                let source: Source = source
                    .ok_or_else(|| invalid("a handle needs its source (x, bluesky, mastodon…)".into()))?
                    .parse()
                    .map_err(|_| invalid("unknown source".into()))?;
                let handle = value.trim_start_matches('@');
                if handle.is_empty() || handle.chars().any(char::is_whitespace) {
                    return Err(invalid("a handle has no spaces".into()));
                }
                Ok(NewIdentity::handle(source, handle))
            }
            IdentityKind::Email => {
                let email = normalise_email(value)?;
                Ok(NewIdentity { kind, source: String::new(), normalised: email.clone(), value: email })
            }
            IdentityKind::Phone => {
                let allowed = |c: char| c.is_ascii_digit() || " +-.()/".contains(c);
                let digits: String = value.chars().filter(char::is_ascii_digit).collect();
                if !value.chars().all(allowed) || !(6..=20).contains(&digits.len()) {
                    return Err(invalid("a phone number has 6 to 20 digits, written with + - . ( ) / or spaces".into()));
                }
                Ok(NewIdentity { kind, source: String::new(), value: value.to_string(), normalised: phone_key(&digits) })
            }
        }
    }

    /// A mention author's handle as the source gave it (already bounded by the parser).
    pub fn handle(source: Source, handle: &str) -> NewIdentity {
        NewIdentity {
            kind: IdentityKind::Handle,
            source: source.as_str().to_string(),
            value: handle.to_string(),
            normalised: handle.to_lowercase(),
        }
    }
}

/// "+33 1 23 45 67 89" and "01 23 45 67 89" are the same line: compare the last nine digits.
fn phone_key(digits: &str) -> String {
    digits[digits.len().saturating_sub(9)..].to_string()
}

/// A customer across channels, with the CRM fields the brand keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    pub display_name: Option<String>,
    /// The profile text of the author this contact was created from (merge evidence).
    pub bio: Option<String>,
    pub customer_number: Option<String>,
    pub segment: Option<String>,
    pub vip: bool,
    /// The user who follows this customer.
    pub advisor_id: Option<UserId>,
    /// Set while this contact is merged into another one (undo clears it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<ContactId>,
    /// Set once the contact was erased (GDPR): its personal data is gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub erased_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub identities: Vec<Identity>,
}

/// A change of CRM fields; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    #[serde(default, deserialize_with = "present")]
    pub display_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub customer_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub segment: Option<Option<String>>,
    #[serde(default)]
    pub vip: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    pub advisor_id: Option<Option<UserId>>,
}

/// A field present in the JSON (even as `null`) is `Some`.
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

impl ContactPatch {
    /// Applies the patch after checking every text field.
    pub fn apply(&self, contact: &mut Contact) -> Result<(), DomainError> {
        for (field, value) in [
            ("display_name", &self.display_name),
            ("customer_number", &self.customer_number),
            ("segment", &self.segment),
        ] {
            if let Some(Some(text)) = value {
                crate::check_short_text(field, text)?;
            }
        }
        if let Some(name) = &self.display_name {
            contact.display_name = name.clone();
        }
        if let Some(number) = &self.customer_number {
            contact.customer_number = number.clone();
        }
        if let Some(segment) = &self.segment {
            contact.segment = segment.clone();
        }
        if let Some(vip) = self.vip {
            contact.vip = vip;
        }
        if let Some(advisor) = self.advisor_id {
            contact.advisor_id = advisor;
        }
        Ok(())
    }
}

/// An internal note on a contact's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactNote {
    pub id: i64,
    pub contact_id: ContactId,
    pub author_id: Option<UserId>,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

/// A merge of `absorbed` into `survivor`, kept so it can be undone exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactMerge {
    pub id: i64,
    pub survivor_id: ContactId,
    pub absorbed_id: ContactId,
    pub merged_at: DateTime<Utc>,
    pub undone_at: Option<DateTime<Utc>>,
}

/// Why two contacts may be the same customer (strong evidence only, never a name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MergeSuggestion {
    pub contact_id: ContactId,
    pub reason: String,
}

/// Handles claimed in a bio ("also @jo on bluesky", "@jo.bsky.social"), lower-cased,
/// without `@`; at most 10.
pub fn handles_claimed_in(bio: &str) -> Vec<String> {
    let mut handles = Vec::new();
    for word in bio.split(|c: char| c.is_whitespace() || ",;()[]<>\"'".contains(c)) {
        let Some(handle) = word.strip_prefix('@') else { continue };
        let handle = handle.trim_end_matches(['.', ':', '!', '?']).to_lowercase();
        if handle.len() >= 2 && handle.len() <= 100 && !handles.contains(&handle) {
            handles.push(handle);
        }
        if handles.len() == 10 {
            break;
        }
    }
    handles
}

/// One entry of a contact's timeline; `kind` leaves room for replies, cases, calls and
/// CSAT answers to come.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimelineItem {
    Mention { at: DateTime<Utc>, mention_id: MentionId, source: Source, text: String, url: Option<String> },
    Note { at: DateTime<Utc>, note_id: i64, author_id: Option<UserId>, text: String },
    /// A case opened for the contact (issue #4), with its current status.
    Case { at: DateTime<Utc>, case_id: i64, status: String, subject: String },
    /// Something done on one of the contact's cases (`activity`): `reply` (public or private),
    /// `callback` (requested), `call` (its outcome), `csat` (the survey's answer).
    CaseActivity { at: DateTime<Utc>, case_id: i64, activity: String, text: Option<String>, details: serde_json::Value },
}

impl TimelineItem {
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            TimelineItem::Mention { at, .. }
            | TimelineItem::Note { at, .. }
            | TimelineItem::Case { at, .. }
            | TimelineItem::CaseActivity { at, .. } => *at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_checked_and_normalised() {
        let phone = NewIdentity::parse(IdentityKind::Phone, None, "+33 1 23 45 67 89").unwrap();
        let local = NewIdentity::parse(IdentityKind::Phone, None, "01 23 45 67 89").unwrap();
        assert_eq!(phone.normalised, local.normalised);
        assert!(NewIdentity::parse(IdentityKind::Phone, None, "call me; DROP TABLE").is_err());
        let handle = NewIdentity::parse(IdentityKind::Handle, Some("bluesky"), "@Jo.bsky.social").unwrap();
        assert_eq!((handle.value.as_str(), handle.normalised.as_str()), ("Jo.bsky.social", "jo.bsky.social"));
        assert!(NewIdentity::parse(IdentityKind::Handle, None, "jo").is_err());
        assert!(NewIdentity::parse(IdentityKind::Email, None, &"x".repeat(400)).is_err());
    }

    #[test]
    fn handles_claimed_in_a_bio() {
        assert_eq!(handles_claimed_in("Pilot. Also @Jo.bsky.social on bluesky, @jo!"), vec!["jo.bsky.social", "jo"]);
        assert!(handles_claimed_in("email me at jo@example.com").is_empty());
    }
}
