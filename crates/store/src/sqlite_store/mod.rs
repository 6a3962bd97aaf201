//! The SQLite adapter, the embedded default: one database file in WAL mode.
//!
//! One writer connection behind a mutex takes every write (SQLite has one writer anyway)
//! and a separate read-only connection serves reads, which WAL lets run beside a write.
//! `synchronous=FULL` makes a write that returned survive a process kill or a power loss.

mod corrections;
mod influence;
mod early_warning;
mod mentions;
mod records;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use domain::{
    Contact, ContactId, ContactMerge, ContactNote, Enrichment, Identity, IdentityKind, ListeningTopic, MentionId,
    NewIdentity, NewListeningTopic, NewUser, QuarantineRecord, Scope, Source, StoredMention, Team, TeamId, TopicId,
    User, UserId,
};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::codec::{now, timestamp_to_text};
use crate::migrations::{CREATE_SCHEMA_MIGRATIONS, SQLITE as MIGRATIONS};
use crate::sql::{Db, SqliteDb};
use crate::{
    ApiToken, AuditEntry, AuthorInfluence, AuditFilter, Changes, EnrichmentCorrection, MentionWrite, NewAuditEntry, QuarantinedRecord,
    Result, Session, Store, StoreError, WriteOutcome, contacts, people,
};

/// How long a connection waits for another process's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Page cache per connection, in KiB (SQLite's negative `cache_size`). The 2 MiB default
/// spills a 5,000-mention batch to the WAL before commit, which halves the insert rate.
const CACHE_KIB: i64 = 64 * 1024;
/// How much of the database file each reader maps (address space, not memory: the pages
/// are the operating system's file cache, shared by every reader). SQLite's own ceiling
/// (`SQLITE_MAX_MMAP_SIZE`); past it, reads go through the page cache as before.
const READER_MMAP_BYTES: i64 = 0x7fff_0000;

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 128;

/// The store in one SQLite file.
pub struct SqliteStore {
    writer: Mutex<Connection>,
    /// A few read-only connections (WAL lets them read beside the writer and each other),
    /// so that concurrent API requests do not queue behind one connection.
    readers: crate::pool::Pool<Connection>,
}

impl SqliteStore {
    /// Opens (or creates, with its parent folders) the database file at `path` and applies
    /// the pending migrations.
    pub fn open(path: &Path) -> Result<Self> {
        let open_error = |reason: String| StoreError::Open {
            path: path.display().to_string(),
            reason,
        };
        if let Some(parent) = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|error| open_error(error.to_string()))?;
        }
        turn_off_memory_statistics();
        let writer = Connection::open(path).map_err(|error| open_error(error.to_string()))?;
        configure(&writer, path)?;
        let store = SqliteStore {
            writer: Mutex::new(writer),
            // Opened after the writer so that the file exists and is in WAL mode.
            readers: crate::pool::Pool::new((0..crate::READ_CONNECTIONS).map(|_| open_reader(path)).collect::<Result<_>>()?),
        };
        store.migrate()?;
        tracing::debug!(path = %path.display(), "opened the SQLite store");
        Ok(store)
    }

    fn writer(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock rolled its transaction back: the connection is fine.
        self.writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn reader(&self) -> crate::pool::Lease<'_, Connection> {
        self.readers.get()
    }

    /// Runs `work` in one IMMEDIATE transaction of the writer connection.
    fn write_tx<T>(&self, work: impl FnOnce(&mut dyn Db) -> Result<T>) -> Result<T> {
        let mut connection = self.writer();
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let result = work(&mut SqliteDb(&transaction))?;
        transaction.commit()?;
        Ok(result)
    }

    /// Runs `work` on the read-only connection.
    fn read_db<T>(&self, work: impl FnOnce(&mut dyn Db) -> Result<T>) -> Result<T> {
        let connection = self.reader();
        work(&mut SqliteDb(&connection))
    }

    /// As [`SqliteStore::read_db`]: SQLite plans each statement once, when it is prepared.
    fn read_db_generic<T>(&self, work: impl FnOnce(&mut dyn Db) -> Result<T>) -> Result<T> {
        self.read_db(work)
    }
}

/// SQLite counts every allocation under one process-wide mutex unless told not to
/// (`SQLITE_CONFIG_MEMSTATUS`; its documentation recommends turning it off when the
/// figures are not read, and we never read them). Readers on several threads then stop
/// queueing on that mutex. Must come before SQLite initialises, i.e. before the first
/// connection; later (another store opened first in the process) SQLite refuses it and
/// nothing changes.
fn turn_off_memory_statistics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: sqlite3_config with SQLITE_CONFIG_MEMSTATUS takes exactly one int, and is
        // called before any connection of this process (or refused with SQLITE_MISUSE).
        let code = unsafe { rusqlite::ffi::sqlite3_config(rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS, 0 as std::ffi::c_int) };
        tracing::debug!(code, "SQLite memory statistics off");
    });
}

fn configure(connection: &Connection, path: &Path) -> Result<()> {
    connection.busy_timeout(BUSY_TIMEOUT)?;
    // Room for every statement the store prepares (mentions, people, contacts).
    connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    let journal_mode: String =
        connection.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !journal_mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Open {
            path: path.display().to_string(),
            reason: format!("cannot use write-ahead logging (journal mode is {journal_mode})"),
        });
    }
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    connection.pragma_update(None, "cache_size", -CACHE_KIB)?;
    // Checkpoint every ~40 MiB of WAL rather than every 4 MiB (about once per batch):
    // index pages rewritten by successive batches are then copied to the database once.
    connection.pragma_update(None, "wal_autocheckpoint", 10_000)?;
    // Statement journals (kept for ON CONFLICT) and sorts stay in memory, not in temp files.
    connection.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(())
}

fn open_reader(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let reader = Connection::open_with_flags(path, flags).map_err(|error| StoreError::Open {
        path: path.display().to_string(),
        reason: error.to_string(),
    })?;
    reader.busy_timeout(BUSY_TIMEOUT)?;
    reader.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    reader.pragma_update(None, "foreign_keys", "ON")?;
    reader.pragma_update(None, "cache_size", -CACHE_KIB)?;
    reader.pragma_update(None, "temp_store", "MEMORY")?;
    // Readers map the file rather than copy each page they visit into their own cache
    // (opening cases at random across a million of them touches pages everywhere).
    reader.pragma_update(None, "mmap_size", READER_MMAP_BYTES)?;
    Ok(reader)
}

fn apply_pending_migrations(connection: &mut Connection) -> Result<()> {
    connection.execute_batch(CREATE_SCHEMA_MIGRATIONS)?;
    for migration in MIGRATIONS {
        // IMMEDIATE: a second process migrating at the same time waits, then sees the row.
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let already_applied: bool = transaction.query_row(
            "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?1)",
            [migration.version],
            |row| row.get(0),
        )?;
        if already_applied {
            continue;
        }
        transaction.execute_batch(migration.sql)?;
        transaction.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            (migration.version, migration.name, timestamp_to_text(now())),
        )?;
        transaction.commit()?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "applied a SQLite migration"
        );
    }
    Ok(())
}

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn migrate(&self) -> Result<()> {
        apply_pending_migrations(&mut self.writer())
    }

    fn settle_after_bulk_load(&self) -> Result<()> {
        // No `ANALYZE`: the queries here are written (and `INDEXED BY` where needed) for
        // SQLite's planner without statistics; `sqlite_stat1` could change its choices.
        self.writer().query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    fn insert_mentions(&self, batch: &[MentionWrite]) -> Result<Vec<WriteOutcome>> {
        mentions::insert_mentions(&mut self.writer(), batch)
    }

    fn update_mention(&self, write: &MentionWrite) -> Result<Option<MentionId>> {
        mentions::update_mention(&mut self.writer(), write)
    }

    fn update_mentions(&self, batch: &[MentionWrite]) -> Result<Vec<Option<MentionId>>> {
        mentions::update_mentions(&mut self.writer(), batch)
    }

    fn mentions_to_enrich(
        &self,
        model_version: Option<&str>,
        after: MentionId,
        limit: usize,
    ) -> Result<Vec<StoredMention>> {
        mentions::mentions_to_enrich(&self.reader(), model_version, after, limit)
    }

    fn correct_enrichment(
        &self,
        id: MentionId,
        enrichment: &Enrichment,
        corrections: &[EnrichmentCorrection],
    ) -> Result<bool> {
        corrections::correct_enrichment(&mut self.writer(), id, enrichment, corrections)
    }

    fn list_corrections(&self) -> Result<Vec<EnrichmentCorrection>> {
        corrections::list_corrections(&self.reader())
    }

    fn author_influence(&self, authors: &[(Source, &str)]) -> Result<Vec<Option<AuthorInfluence>>> {
        influence::author_influence(&self.reader(), authors)
    }

    fn upsert_author_influence(&self, rows: &[AuthorInfluence]) -> Result<()> {
        influence::upsert_author_influence(&mut self.writer(), rows)
    }

    fn top_authors(&self, limit: usize) -> Result<Vec<AuthorInfluence>> {
        influence::top_authors(&self.reader(), limit)
    }

    fn delete_mention(&self, source: Source, external_id: &str) -> Result<Option<MentionId>> {
        mentions::delete_mention(&mut self.writer(), source, external_id)
    }

    fn get_mention(&self, id: MentionId) -> Result<Option<StoredMention>> {
        mentions::get_mention(&self.reader(), id)
    }

    fn get_mentions(&self, ids: &[MentionId]) -> Result<Vec<StoredMention>> {
        mentions::get_mentions(&self.reader(), ids)
    }

    fn find_mention(&self, source: Source, external_id: &str) -> Result<Option<StoredMention>> {
        mentions::find_mention(&self.reader(), source, external_id)
    }

    fn count_mentions(&self) -> Result<u64> {
        records::count(&self.reader(), "SELECT COUNT(*) FROM mentions")
    }

    fn changes_since(&self, after_seq: i64, limit: usize) -> Result<Changes> {
        mentions::changes_since(&mut self.reader(), after_seq, limit)
    }

    fn last_seq(&self) -> Result<i64> {
        mentions::last_seq(&self.reader())
    }

    fn quarantine(&self, records: &[QuarantineRecord]) -> Result<()> {
        records::quarantine(&mut self.writer(), records)
    }

    fn list_quarantine(&self, limit: usize) -> Result<Vec<QuarantinedRecord>> {
        records::list_quarantine(&self.reader(), limit)
    }

    fn count_quarantine(&self) -> Result<u64> {
        records::count(&self.reader(), "SELECT COUNT(*) FROM quarantine")
    }

    fn create_topic(&self, topic: &NewListeningTopic) -> Result<ListeningTopic> {
        records::create_topic(&self.writer(), topic)
    }

    fn list_topics(&self) -> Result<Vec<ListeningTopic>> {
        records::list_topics(&self.reader())
    }

    fn delete_topic(&self, id: TopicId) -> Result<bool> {
        records::delete_topic(&self.writer(), id)
    }

    fn update_topic(&self, id: TopicId, topic: &NewListeningTopic) -> Result<Option<ListeningTopic>> {
        records::update_topic(&self.writer(), id, topic)
    }

    fn create_api_token(&self, label: &str, token_sha256_hex: &str, user_id: Option<UserId>, scopes: &[Scope]) -> Result<ApiToken> {
        self.write_tx(|db| people::create_api_token(db, label, token_sha256_hex, user_id, scopes))
    }

    fn find_api_token(&self, token_sha256_hex: &str) -> Result<Option<ApiToken>> {
        self.read_db(|db| people::find_api_token(db, token_sha256_hex))
    }

    fn list_api_tokens(&self) -> Result<Vec<ApiToken>> {
        self.read_db(people::list_api_tokens)
    }

    fn delete_api_token(&self, id: i64) -> Result<bool> {
        self.write_tx(|db| people::delete_api_token(db, id))
    }

    fn create_user(&self, user: &NewUser) -> Result<User> {
        self.write_tx(|db| people::create_user(db, user))
    }

    fn get_user(&self, id: UserId) -> Result<Option<User>> {
        self.read_db(|db| people::get_user(db, id))
    }

    fn find_user_credentials(&self, email: &str) -> Result<Option<(User, String)>> {
        self.read_db(|db| people::find_user_credentials(db, email))
    }

    fn list_users(&self) -> Result<Vec<User>> {
        self.read_db(people::list_users)
    }

    fn update_user(&self, user: &User, password_hash: Option<&str>) -> Result<bool> {
        self.write_tx(|db| people::update_user(db, user, password_hash))
    }

    fn create_session(&self, token_sha256_hex: &str, session: &Session) -> Result<()> {
        self.write_tx(|db| people::create_session(db, token_sha256_hex, session))
    }

    fn find_session(&self, token_sha256_hex: &str) -> Result<Option<Session>> {
        self.read_db(|db| people::find_session(db, token_sha256_hex))
    }

    fn delete_session(&self, token_sha256_hex: &str) -> Result<bool> {
        self.write_tx(|db| people::delete_session(db, token_sha256_hex))
    }

    fn create_team(&self, name: &str, members: &[UserId]) -> Result<Team> {
        self.write_tx(|db| people::create_team(db, name, members))
    }

    fn list_teams(&self) -> Result<Vec<Team>> {
        self.read_db(people::list_teams)
    }

    fn get_team(&self, id: TeamId) -> Result<Option<Team>> {
        self.read_db(|db| people::get_team(db, id))
    }

    fn update_team(&self, team: &Team) -> Result<bool> {
        self.write_tx(|db| people::update_team(db, team))
    }

    fn delete_team(&self, id: TeamId) -> Result<bool> {
        self.write_tx(|db| people::delete_team(db, id))
    }

    fn append_audit(&self, entry: &NewAuditEntry) -> Result<AuditEntry> {
        self.write_tx(|db| people::append_audit(db, entry))
    }

    fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        self.read_db(|db| people::list_audit(db, filter))
    }

    fn list_contacts(&self, query: Option<&str>, after: Option<ContactId>, limit: usize) -> Result<Vec<Contact>> {
        self.read_db(|db| contacts::list_contacts(db, query, after, limit))
    }

    fn get_contact(&self, id: ContactId) -> Result<Option<Contact>> {
        self.read_db(|db| contacts::get_contact(db, id))
    }

    fn update_contact(&self, contact: &Contact) -> Result<bool> {
        self.write_tx(|db| contacts::update_contact(db, contact))
    }

    fn add_identity(&self, id: ContactId, identity: &NewIdentity) -> Result<Identity> {
        self.write_tx(|db| contacts::add_identity(db, id, identity))
    }

    fn add_note(&self, id: ContactId, author: Option<UserId>, text: &str) -> Result<ContactNote> {
        self.write_tx(|db| contacts::add_note(db, id, author, text))
    }

    fn list_notes(&self, id: ContactId) -> Result<Vec<ContactNote>> {
        self.read_db(|db| contacts::list_notes(db, id))
    }

    fn contact_mention_ids(&self, id: ContactId, limit: usize) -> Result<Vec<MentionId>> {
        self.read_db(|db| contacts::contact_mention_ids(db, id, limit))
    }

    fn merge_contacts(&self, survivor: ContactId, absorbed: ContactId) -> Result<ContactMerge> {
        self.write_tx(|db| contacts::merge_contacts(db, survivor, absorbed))
    }

    fn undo_merge(&self, merge_id: i64) -> Result<Option<ContactMerge>> {
        self.write_tx(|db| contacts::undo_merge(db, merge_id))
    }

    fn contacts_with_identity(&self, kind: IdentityKind, values: &[String], excluding: ContactId) -> Result<Vec<(ContactId, Identity)>> {
        self.read_db(|db| contacts::contacts_with_identity(db, kind, values, excluding))
    }

    fn contacts_claiming_handle(&self, handle: &str, excluding: ContactId) -> Result<Vec<ContactId>> {
        self.read_db(|db| contacts::contacts_claiming_handle(db, handle, excluding))
    }

    fn erase_contact(&self, id: ContactId) -> Result<Option<Vec<MentionId>>> {
        self.write_tx(|db| contacts::erase_contact(db, id))
    }

    fn get_state(&self, key: &str) -> Result<Option<String>> {
        records::get_state(&self.reader(), key)
    }

    fn set_state(&self, key: &str, value: &str) -> Result<()> {
        records::set_state(&self.writer(), key, value)
    }

    fn create_incident(&self, incident: &crate::IncidentRow) -> Result<crate::IncidentRow> {
        early_warning::create_incident(&self.writer(), incident)
    }

    fn update_incident(&self, incident: &crate::IncidentRow) -> Result<bool> {
        early_warning::update_incident(&self.writer(), incident)
    }

    fn get_incident(&self, id: i64) -> Result<Option<crate::IncidentRow>> {
        early_warning::get_incident(&self.reader(), id)
    }

    fn list_incidents(&self, before: Option<i64>, limit: usize) -> Result<Vec<crate::IncidentRow>> {
        early_warning::list_incidents(&self.reader(), before, limit)
    }

    fn link_incident_mentions(&self, incident_id: i64, mentions: &[MentionId]) -> Result<()> {
        early_warning::link_incident_mentions(&mut self.writer(), incident_id, mentions)
    }

    fn incident_mentions(&self, incident_id: i64, after: MentionId, limit: usize) -> Result<Vec<MentionId>> {
        early_warning::incident_mentions(&self.reader(), incident_id, after, limit)
    }

    fn create_alert_rule(&self, rule: &crate::AlertRuleRow) -> Result<crate::AlertRuleRow> {
        early_warning::create_alert_rule(&self.writer(), rule)
    }

    fn list_alert_rules(&self) -> Result<Vec<crate::AlertRuleRow>> {
        early_warning::list_alert_rules(&self.reader())
    }

    fn delete_alert_rule(&self, id: i64) -> Result<bool> {
        early_warning::delete_alert_rule(&self.writer(), id)
    }

    fn set_alert_rule_settings(&self, id: i64, settings: &serde_json::Value) -> Result<bool> {
        early_warning::set_alert_rule_settings(&self.writer(), id, settings)
    }

    fn create_alert(&self, alert: &crate::AlertRow) -> Result<crate::AlertRow> {
        early_warning::create_alert(&self.writer(), alert)
    }

    fn list_alerts(&self, limit: usize) -> Result<Vec<crate::AlertRow>> {
        early_warning::list_alerts(&self.reader(), limit)
    }

    fn get_mailbox_cursor(&self, mailbox: &str) -> Result<Option<crate::MailboxCursorRow>> {
        self.read_db(|db| crate::mailboxes::get_mailbox_cursor(db, mailbox))
    }

    fn save_mailbox_cursor(&self, mailbox: &str, uid_validity: i64, last_uid: i64) -> Result<crate::MailboxCursorRow> {
        self.write_tx(|db| crate::mailboxes::save_mailbox_cursor(db, mailbox, uid_validity, last_uid))
    }
}

crate::cases::impl_care_store!(SqliteStore);
crate::publishing::impl_publishing_store!(SqliteStore);
