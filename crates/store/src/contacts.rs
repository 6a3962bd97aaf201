//! Contacts (customer 360), written once for both backends over the portable
//! [`Db`](crate::sql::Db) layer: ingestion's author upsert, identities, notes, merge and
//! its undo, merge evidence, the mentions of a contact, and GDPR erasure.

use std::collections::HashSet;

use domain::{Contact, ContactId, ContactMerge, ContactNote, Identity, IdentityKind, MentionId, NewIdentity, UserId};
use serde::{Deserialize, Serialize};

use crate::codec::{from_json, now, to_json};
use crate::sql::{Db, Param, Row, is_unique_violation, like_escape};
use crate::{MentionWrite, Result, StoreError};

const CONTACT_COLUMNS: &str =
    "id, display_name, bio, customer_number, segment, vip, advisor_id, merged_into, erased_at, created_at";

/// A contact's own fields, as a merge snapshots them to undo exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct ContactFields {
    display_name: Option<String>,
    bio: Option<String>,
    customer_number: Option<String>,
    segment: Option<String>,
    vip: bool,
    advisor_id: Option<UserId>,
}

impl ContactFields {
    fn of(contact: &Contact) -> ContactFields {
        ContactFields {
            display_name: contact.display_name.clone(),
            bio: contact.bio.clone(),
            customer_number: contact.customer_number.clone(),
            segment: contact.segment.clone(),
            vip: contact.vip,
            advisor_id: contact.advisor_id,
        }
    }

    fn write(&self, db: &mut dyn Db, id: ContactId, merged_into: Option<ContactId>) -> Result<u64> {
        db.execute(
            "UPDATE contacts SET display_name = ?2, bio = ?3, customer_number = ?4, segment = ?5, vip = ?6, \
             advisor_id = ?7, merged_into = ?8, updated_at = ?9 WHERE id = ?1",
            &[
                Param::Int(id.0),
                self.display_name.as_deref().into(),
                self.bio.as_deref().into(),
                self.customer_number.as_deref().into(),
                self.segment.as_deref().into(),
                Param::Bool(self.vip),
                self.advisor_id.map(|id| id.0).into(),
                merged_into.map(|id| id.0).into(),
                Param::Time(now()),
            ],
        )
    }
}

fn contact_from_row(row: &Row) -> Result<Contact> {
    Ok(Contact {
        id: ContactId(row.int(0)?),
        display_name: row.opt_text(1)?,
        bio: row.opt_text(2)?,
        customer_number: row.opt_text(3)?,
        segment: row.opt_text(4)?,
        vip: row.bool(5)?,
        advisor_id: row.opt_int(6)?.map(UserId),
        merged_into: row.opt_int(7)?.map(ContactId),
        erased_at: row.opt_time(8)?,
        created_at: row.time(9)?,
        identities: Vec::new(),
    })
}

fn identity_from_row(row: &Row) -> Result<Identity> {
    let kind = row.text(1)?;
    Ok(Identity {
        id: row.int(0)?,
        kind: IdentityKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("identity kind {kind:?}")))?,
        source: row.text(2)?,
        value: row.text(3)?,
        normalised: row.text(4)?,
    })
}

fn identities_of(db: &mut dyn Db, id: ContactId) -> Result<Vec<Identity>> {
    db.query(
        "SELECT id, kind, source, value, normalised FROM contact_identities WHERE contact_id = ?1 ORDER BY id",
        &[Param::Int(id.0)],
    )?
    .iter()
    .map(identity_from_row)
    .collect()
}

fn insert_identity(db: &mut dyn Db, contact: ContactId, identity: &NewIdentity) -> Result<Identity> {
    let row = db
        .query_opt(
            "INSERT INTO contact_identities (contact_id, kind, source, value, normalised, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
            &[
                Param::Int(contact.0),
                Param::Text(identity.kind.as_str()),
                Param::Text(&identity.source),
                Param::Text(&identity.value),
                Param::Text(&identity.normalised),
                Param::Time(now()),
            ],
        )?
        .ok_or_else(|| StoreError::Corrupt("INSERT returned no id".into()))?;
    Ok(Identity {
        id: row.int(0)?,
        kind: identity.kind,
        source: identity.source.clone(),
        value: identity.value.clone(),
        normalised: identity.normalised.clone(),
    })
}

fn insert_contact(db: &mut dyn Db, display_name: Option<&str>, bio: Option<&str>) -> Result<ContactId> {
    let created_at = now();
    let row = db
        .query_opt(
            "INSERT INTO contacts (display_name, bio, vip, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4) \
             RETURNING id",
            &[display_name.into(), bio.into(), Param::Bool(false), Param::Time(created_at)],
        )?
        .ok_or_else(|| StoreError::Corrupt("INSERT returned no id".into()))?;
    Ok(ContactId(row.int(0)?))
}

/// Cuts a profile text to [`domain::MAX_BIO_BYTES`] on a character boundary.
pub(crate) fn bounded(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Creates a contact for each author of `writes` not yet known by its handle: one lookup
/// per distinct author, inside the caller's (the batch's) transaction.
pub(crate) fn upsert_author_contacts<'a>(db: &mut dyn Db, writes: impl Iterator<Item = &'a MentionWrite>) -> Result<u64> {
    let mut seen: HashSet<(&'static str, &str)> = HashSet::new();
    let mut created = 0;
    for write in writes {
        let author = &write.mention.author;
        let source = write.mention.source.as_str();
        if author.handle.is_empty() || author.handle.len() > domain::MAX_IDENTITY_BYTES {
            continue;
        }
        if !seen.insert((source, author.handle.as_str())) {
            continue;
        }
        let known = db.query_opt(
            "SELECT 1 FROM contact_identities WHERE kind = 'handle' AND source = ?1 AND value = ?2",
            &[Param::Text(source), Param::Text(&author.handle)],
        )?;
        if known.is_some() {
            continue;
        }
        let display_name = author.display_name.as_deref().map(|name| bounded(name, domain::MAX_SHORT_TEXT_BYTES));
        let bio = author.bio.as_deref().map(|bio| bounded(bio, domain::MAX_BIO_BYTES));
        let contact = insert_contact(db, display_name, bio)?;
        insert_identity(db, contact, &NewIdentity::handle(write.mention.source, &author.handle))?;
        created += 1;
    }
    Ok(created)
}

/// Live (not merged away, not erased) contacts, by id; `query` matches a name or an
/// identity (case-insensitive substring).
pub(crate) fn list_contacts(
    db: &mut dyn Db,
    query: Option<&str>,
    after: Option<ContactId>,
    limit: usize,
) -> Result<Vec<Contact>> {
    let pattern = query.map(|query| format!("%{}%", like_escape(&query.to_lowercase())));
    let rows = db.query(
        &format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE merged_into IS NULL AND erased_at IS NULL AND id > ?1 \
             AND (CAST(?2 AS TEXT) IS NULL OR lower(display_name) LIKE ?2 ESCAPE '\\' OR EXISTS (SELECT 1 FROM contact_identities \
             WHERE contact_identities.contact_id = contacts.id AND contact_identities.normalised LIKE ?2 ESCAPE '\\')) \
             ORDER BY id LIMIT ?3"
        ),
        &[
            Param::Int(after.map_or(0, |id| id.0)),
            pattern.as_deref().into(),
            Param::Int(i64::try_from(limit).unwrap_or(i64::MAX)),
        ],
    )?;
    let mut contacts: Vec<Contact> = rows.iter().map(contact_from_row).collect::<Result<_>>()?;
    for contact in &mut contacts {
        contact.identities = identities_of(db, contact.id)?;
    }
    Ok(contacts)
}

pub(crate) fn get_contact(db: &mut dyn Db, id: ContactId) -> Result<Option<Contact>> {
    let Some(row) = db.query_opt(&format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = ?1"), &[Param::Int(id.0)])?
    else {
        return Ok(None);
    };
    let mut contact = contact_from_row(&row)?;
    contact.identities = identities_of(db, id)?;
    Ok(Some(contact))
}

/// Writes a contact's name and CRM fields. `false` when no such contact.
pub(crate) fn update_contact(db: &mut dyn Db, contact: &Contact) -> Result<bool> {
    Ok(ContactFields::of(contact).write(db, contact.id, contact.merged_into)? > 0)
}

/// Adds an identity; [`StoreError::Conflict`] when it already belongs to a contact.
pub(crate) fn add_identity(db: &mut dyn Db, id: ContactId, identity: &NewIdentity) -> Result<Identity> {
    match insert_identity(db, id, identity) {
        Err(error) if is_unique_violation(&error) => {
            Err(StoreError::Conflict(format!("this {} already belongs to a contact", identity.kind.as_str())))
        }
        other => other,
    }
}

pub(crate) fn add_note(db: &mut dyn Db, id: ContactId, author: Option<UserId>, text: &str) -> Result<ContactNote> {
    let created_at = now();
    let row = db
        .query_opt(
            "INSERT INTO contact_notes (contact_id, author_id, text, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id",
            &[Param::Int(id.0), author.map(|id| id.0).into(), Param::Text(text), Param::Time(created_at)],
        )?
        .ok_or_else(|| StoreError::Corrupt("INSERT returned no id".into()))?;
    Ok(ContactNote { id: row.int(0)?, contact_id: id, author_id: author, text: text.to_string(), created_at })
}

pub(crate) fn list_notes(db: &mut dyn Db, id: ContactId) -> Result<Vec<ContactNote>> {
    db.query(
        "SELECT id, author_id, text, created_at FROM contact_notes WHERE contact_id = ?1 ORDER BY created_at DESC, id DESC",
        &[Param::Int(id.0)],
    )?
    .iter()
    .map(|row| {
        Ok(ContactNote {
            id: row.int(0)?,
            contact_id: id,
            author_id: row.opt_int(1)?.map(UserId),
            text: row.text(2)?,
            created_at: row.time(3)?,
        })
    })
    .collect()
}

/// The ids of the mentions written by one of the contact's handles, newest first.
pub(crate) fn contact_mention_ids(db: &mut dyn Db, id: ContactId, limit: usize) -> Result<Vec<MentionId>> {
    db.query(
        "SELECT mentions.id FROM mentions JOIN contact_identities ON contact_identities.kind = 'handle' \
         AND mentions.source = contact_identities.source AND mentions.author_handle = contact_identities.value \
         WHERE contact_identities.contact_id = ?1 ORDER BY mentions.created_at DESC, mentions.id DESC LIMIT ?2",
        &[Param::Int(id.0), Param::Int(i64::try_from(limit).unwrap_or(i64::MAX))],
    )?
    .iter()
    .map(|row| row.int(0).map(MentionId))
    .collect()
}

fn live_contact(db: &mut dyn Db, id: ContactId) -> Result<Contact> {
    let contact = get_contact(db, id)?.ok_or_else(|| StoreError::NotFound(format!("no contact {id}")))?;
    if contact.merged_into.is_some() || contact.erased_at.is_some() {
        return Err(StoreError::Conflict(format!("contact {id} was merged or erased")));
    }
    Ok(contact)
}

fn ids_json(db: &mut dyn Db, sql: &str, id: ContactId) -> Result<Vec<i64>> {
    db.query(sql, &[Param::Int(id.0)])?.iter().map(|row| row.int(0)).collect()
}

/// Merges `absorbed` into `survivor`: its identities and notes move over, empty fields
/// of the survivor take the absorbed contact's values, and the absorbed contact points
/// to the survivor. What changed is kept so that [`undo_merge`] restores both exactly.
pub(crate) fn merge_contacts(db: &mut dyn Db, survivor_id: ContactId, absorbed_id: ContactId) -> Result<ContactMerge> {
    let survivor = live_contact(db, survivor_id)?;
    let absorbed = live_contact(db, absorbed_id)?;
    let before = ContactFields::of(&survivor);
    let moved_identities =
        ids_json(db, "SELECT id FROM contact_identities WHERE contact_id = ?1 ORDER BY id", absorbed_id)?;
    let moved_notes = ids_json(db, "SELECT id FROM contact_notes WHERE contact_id = ?1 ORDER BY id", absorbed_id)?;
    let merged = ContactFields {
        display_name: survivor.display_name.clone().or(absorbed.display_name.clone()),
        bio: survivor.bio.clone().or(absorbed.bio.clone()),
        customer_number: survivor.customer_number.clone().or(absorbed.customer_number.clone()),
        segment: survivor.segment.clone().or(absorbed.segment.clone()),
        vip: survivor.vip || absorbed.vip,
        advisor_id: survivor.advisor_id.or(absorbed.advisor_id),
    };
    merged.write(db, survivor_id, None)?;
    ContactFields::of(&absorbed).write(db, absorbed_id, Some(survivor_id))?;
    db.execute(
        "UPDATE contact_identities SET contact_id = ?2 WHERE contact_id = ?1",
        &[Param::Int(absorbed_id.0), Param::Int(survivor_id.0)],
    )?;
    db.execute(
        "UPDATE contact_notes SET contact_id = ?2 WHERE contact_id = ?1",
        &[Param::Int(absorbed_id.0), Param::Int(survivor_id.0)],
    )?;
    let merged_at = now();
    let (before_json, identities_json, notes_json) = (to_json(&before), to_json(&moved_identities), to_json(&moved_notes));
    let row = db
        .query_opt(
            "INSERT INTO contact_merges (survivor_id, absorbed_id, survivor_before, moved_identities, moved_notes, \
             merged_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
            &[
                Param::Int(survivor_id.0),
                Param::Int(absorbed_id.0),
                Param::Text(&before_json),
                Param::Text(&identities_json),
                Param::Text(&notes_json),
                Param::Time(merged_at),
            ],
        )?
        .ok_or_else(|| StoreError::Corrupt("INSERT returned no id".into()))?;
    Ok(ContactMerge { id: row.int(0)?, survivor_id, absorbed_id, merged_at, undone_at: None })
}

/// Undoes a merge: the survivor's fields as they were, the moved identities and notes
/// back, the absorbed contact live again. `None` when no such merge;
/// [`StoreError::Conflict`] when it was undone already.
pub(crate) fn undo_merge(db: &mut dyn Db, merge_id: i64) -> Result<Option<ContactMerge>> {
    let Some(row) = db.query_opt(
        "SELECT survivor_id, absorbed_id, survivor_before, moved_identities, moved_notes, merged_at, undone_at \
         FROM contact_merges WHERE id = ?1",
        &[Param::Int(merge_id)],
    )?
    else {
        return Ok(None);
    };
    if row.opt_time(6)?.is_some() {
        return Err(StoreError::Conflict(format!("merge {merge_id} was undone already")));
    }
    let (survivor_id, absorbed_id) = (ContactId(row.int(0)?), ContactId(row.int(1)?));
    let absorbed = get_contact(db, absorbed_id)?.ok_or_else(|| StoreError::Conflict("the absorbed contact is gone".into()))?;
    if absorbed.merged_into != Some(survivor_id) || absorbed.erased_at.is_some() {
        return Err(StoreError::Conflict(format!("contact {absorbed_id} is no longer merged into {survivor_id}")));
    }
    let before: ContactFields = from_json("survivor_before", &row.text(2)?)?;
    let moved_identities: Vec<i64> = from_json("moved_identities", &row.text(3)?)?;
    let moved_notes: Vec<i64> = from_json("moved_notes", &row.text(4)?)?;
    before.write(db, survivor_id, None)?;
    ContactFields::of(&absorbed).write(db, absorbed_id, None)?;
    for identity in moved_identities {
        db.execute(
            "UPDATE contact_identities SET contact_id = ?2 WHERE id = ?1 AND contact_id = ?3",
            &[Param::Int(identity), Param::Int(absorbed_id.0), Param::Int(survivor_id.0)],
        )?;
    }
    for note in moved_notes {
        db.execute(
            "UPDATE contact_notes SET contact_id = ?2 WHERE id = ?1 AND contact_id = ?3",
            &[Param::Int(note), Param::Int(absorbed_id.0), Param::Int(survivor_id.0)],
        )?;
    }
    let undone_at = now();
    db.execute("UPDATE contact_merges SET undone_at = ?2 WHERE id = ?1", &[Param::Int(merge_id), Param::Time(undone_at)])?;
    Ok(Some(ContactMerge { id: merge_id, survivor_id, absorbed_id, merged_at: row.time(5)?, undone_at: Some(undone_at) }))
}

/// Live contacts other than `excluding` holding an identity of this kind whose
/// normalised value is one of `values`.
pub(crate) fn contacts_with_identity(
    db: &mut dyn Db,
    kind: IdentityKind,
    values: &[String],
    excluding: ContactId,
) -> Result<Vec<(ContactId, Identity)>> {
    let mut found = Vec::new();
    for value in values {
        let rows = db.query(
            "SELECT contact_identities.contact_id, contact_identities.id, kind, source, value, normalised \
             FROM contact_identities JOIN contacts ON contacts.id = contact_identities.contact_id \
             WHERE kind = ?1 AND normalised = ?2 AND contact_id <> ?3 AND contacts.merged_into IS NULL \
             AND contacts.erased_at IS NULL ORDER BY contact_identities.id LIMIT 20",
            &[Param::Text(kind.as_str()), Param::Text(value), Param::Int(excluding.0)],
        )?;
        for row in rows {
            let identity = Identity {
                id: row.int(1)?,
                kind: IdentityKind::parse(&row.text(2)?).unwrap_or(kind),
                source: row.text(3)?,
                value: row.text(4)?,
                normalised: row.text(5)?,
            };
            found.push((ContactId(row.int(0)?), identity));
        }
    }
    Ok(found)
}

/// Live contacts other than `excluding` whose bio contains `@handle`.
pub(crate) fn contacts_claiming_handle(db: &mut dyn Db, handle: &str, excluding: ContactId) -> Result<Vec<ContactId>> {
    let pattern = format!("%@{}%", like_escape(&handle.to_lowercase()));
    db.query(
        "SELECT id FROM contacts WHERE lower(bio) LIKE ?1 ESCAPE '\\' AND id <> ?2 AND merged_into IS NULL \
         AND erased_at IS NULL ORDER BY id LIMIT 20",
        &[Param::Text(&pattern), Param::Int(excluding.0)],
    )?
    .iter()
    .map(|row| row.int(0).map(ContactId))
    .collect()
}

/// The author JSON an erased mention keeps: no handle, no name, no profile.
const ERASED_AUTHOR: &str = r#"{"handle":""}"#;

/// GDPR erasure: blanks the text and author of every mention by one of the contact's
/// handles (each takes a new change sequence, so the search index follows), deletes its
/// identities, notes and merge snapshots, clears its fields (and those of contacts merged
/// into it), and strips before/after data from audit entries about it. Returns the
/// blanked mentions, or `None` when there is no such contact.
pub(crate) fn erase_contact(db: &mut dyn Db, id: ContactId) -> Result<Option<Vec<MentionId>>> {
    if get_contact(db, id)?.is_none() {
        return Ok(None);
    }
    let absorbed = ids_json(db, "SELECT id FROM contacts WHERE merged_into = ?1", id)?;
    let mut erased_ids: Vec<ContactId> = vec![id];
    erased_ids.extend(absorbed.into_iter().map(ContactId));
    db.lock_mentions()?;
    let mention_ids = contact_mention_ids(db, id, usize::MAX >> 1)?;
    for mention in &mention_ids {
        let seq = db.next_seq()?;
        db.execute(
            &format!(
                "UPDATE mentions SET text = '', title = NULL, url = NULL, raw = '', author_handle = '', \
                 author = '{ERASED_AUTHOR}', hashtags = '[]', mentioned = '[]', urls = '[]', seq = ?2 WHERE id = ?1"
            ),
            &[Param::Int(mention.0), Param::Int(seq)],
        )?;
    }
    let erased_at = now();
    for contact in &erased_ids {
        let id_param = [Param::Int(contact.0)];
        db.execute("DELETE FROM contact_identities WHERE contact_id = ?1", &id_param)?;
        db.execute("DELETE FROM contact_notes WHERE contact_id = ?1", &id_param)?;
        db.execute("DELETE FROM contact_merges WHERE survivor_id = ?1 OR absorbed_id = ?1", &id_param)?;
        db.execute(
            "UPDATE contacts SET display_name = NULL, bio = NULL, customer_number = NULL, segment = NULL, vip = ?2, \
             advisor_id = NULL, erased_at = ?3, updated_at = ?3 WHERE id = ?1",
            &[Param::Int(contact.0), Param::Bool(false), Param::Time(erased_at)],
        )?;
        let entity_id = contact.0.to_string();
        db.execute(
            "UPDATE audit_log SET before_json = NULL, after_json = NULL WHERE entity = 'contact' AND entity_id = ?1",
            &[Param::Text(&entity_id)],
        )?;
    }
    Ok(Some(mention_ids))
}
