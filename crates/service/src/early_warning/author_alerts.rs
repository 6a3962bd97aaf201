//! Alert rules about who speaks: an influential author (real influence, from the
//! `author_influence` table) or a contact marked VIP posted in the bucket that closed.
//! One alert per author and rule (the policy's key is the author), so a VIP who posts
//! ten times in an hour raises one alert.

use std::collections::BTreeMap;

use domain::{ContactId, IdentityKind, StoredMention};
use serde_json::json;

use super::EarlyWarning;
use super::alerts::{AlertKind, AlertRule};
use crate::ServiceError;

/// At most this many distinct authors of a bucket are looked up (a flood of new authors
/// is the volume rules' business).
const MAX_AUTHORS_PER_BUCKET: usize = 2_000;

impl EarlyWarning {
    pub(super) fn check_author_rules(&mut self, bucket_at: i64, mentions: &[StoredMention]) -> Result<(), ServiceError> {
        if mentions.is_empty() {
            return Ok(());
        }
        let rules: Vec<AlertRule> = self
            .rules()?
            .into_iter()
            .filter(|rule| matches!(rule.kind, AlertKind::InfluentialAuthor | AlertKind::VipContact))
            .collect();
        if rules.is_empty() {
            return Ok(());
        }
        // Each author's first mention of the bucket, in id order.
        let mut first_by_author: BTreeMap<(String, String), &StoredMention> = BTreeMap::new();
        for mention in mentions {
            let key = (mention.mention.source.as_str().to_string(), mention.mention.author.handle.clone());
            if first_by_author.len() >= MAX_AUTHORS_PER_BUCKET && !first_by_author.contains_key(&key) {
                continue;
            }
            first_by_author.entry(key).or_insert(mention);
        }
        let authors: Vec<&StoredMention> = first_by_author.into_values().collect();
        for rule in &rules {
            match rule.kind {
                AlertKind::InfluentialAuthor => self.alert_influential_authors(rule, bucket_at, &authors)?,
                AlertKind::VipContact => self.alert_vip_contacts(rule, bucket_at, &authors)?,
                _ => {}
            }
        }
        Ok(())
    }

    fn alert_influential_authors(&mut self, rule: &AlertRule, bucket_at: i64, authors: &[&StoredMention]) -> Result<(), ServiceError> {
        let threshold = rule.min_influence.unwrap_or(60.0);
        let keys: Vec<(domain::Source, &str)> = authors.iter().map(|mention| (mention.mention.source, mention.mention.author.handle.as_str())).collect();
        let influence = self.store.author_influence(&keys)?;
        for (mention, found) in authors.iter().zip(influence) {
            let Some(found) = found.filter(|found| found.score >= threshold) else { continue };
            let author = &mention.mention.author.handle;
            let text = format!("Influential author {author} ({}, influence {:.0}) posted: {}", found.source.as_str(), found.score, excerpt(&mention.mention.text));
            let details = json!({ "source": found.source.as_str(), "handle": author, "influence": found.score, "followers": found.followers, "mention_id": mention.id.0 });
            self.raise(rule, &format!("{}:{author}", found.source.as_str()), bucket_at, text, None, details)?;
        }
        Ok(())
    }

    fn alert_vip_contacts(&mut self, rule: &AlertRule, bucket_at: i64, authors: &[&StoredMention]) -> Result<(), ServiceError> {
        for mention in authors {
            let source = mention.mention.source.as_str();
            let handle = mention.mention.author.handle.to_lowercase();
            let owners = self.store.contacts_with_identity(IdentityKind::Handle, std::slice::from_ref(&handle), ContactId(0))?;
            let Some((contact_id, _)) = owners.into_iter().find(|(_, identity)| identity.source == source) else { continue };
            let Some(contact) = self.store.get_contact(contact_id)?.filter(|contact| contact.vip) else { continue };
            let name = contact.display_name.clone().unwrap_or_else(|| handle.clone());
            let text = format!("VIP customer {name} ({source} {handle}) posted: {}", excerpt(&mention.mention.text));
            let details = json!({ "contact_id": contact_id.0, "source": source, "handle": handle, "mention_id": mention.id.0 });
            self.raise(rule, &format!("contact:{}", contact_id.0), bucket_at, text, None, details)?;
        }
        Ok(())
    }
}

/// The first 140 characters of a mention, on one line.
fn excerpt(text: &str) -> String {
    let line: String = text.chars().map(|character| if character.is_control() { ' ' } else { character }).take(140).collect();
    if text.chars().count() > 140 { format!("{line}…") } else { line }
}
