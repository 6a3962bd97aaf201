//! The persistence port and its two adapters: SQLite (the embedded default) and
//! PostgreSQL. The store is the source of truth; the search index is derived from it.
//!
//! Every change to a mention (insert, edit, delete) takes the next value of one global
//! change sequence (`seq`). The search index records the last `seq` it applied, so after
//! a crash [`Store::changes_since`] tells exactly what the index missed.
//!
#![doc = include_str!("../README.md")]

#[macro_use]
mod cases;
mod codec;
mod contacts;
mod early_warning;
mod error;
mod mailboxes;
mod migrations;
mod people;
mod pool;
mod postgres_store;
#[macro_use]
mod publishing;
mod sql;
mod sqlite_store;

use chrono::{DateTime, Utc};
use domain::{
    Contact, ContactId, ContactMerge, ContactNote, Enrichment, Identity, IdentityKind, ListeningTopic, Mention,
    MentionId, NewIdentity, NewListeningTopic, NewUser, QuarantineRecord, Scope, Source, StoredMention, Team, TeamId,
    TopicId, User, UserId,
};

pub use cases::{
    CallbackRow, CannedRow, duration_step_floor, CareDuration, CareGrouping, CareHourCounts, CareReportFilter, CareStore, CustomersServed, EXACT_CUSTOMERS_UP_TO, in_customer_sample, CUSTOMER_SAMPLE_ONE_IN, CaseEventRow, CaseFile, CaseFilter, CaseIntake, CaseJoin, CaseKey, CaseRow, CaseSort, CsatRow, CsatTotals, DueTarget, NewCase, NewCaseEvent, OutboxRow, priority_rank, RoutingRuleRow, SlaPolicyRow, TeamCareSettings, ACTIVE_STATUSES, CASE_FILE_CALLBACKS,
};
pub use early_warning::{AlertRow, AlertRuleRow, IncidentRow};
pub use publishing::{BulkBatchRow, BulkMessageRow, CrisisRow, OutboundRow, PostFilter, PostRow, PublishingStore};
pub use error::StoreError;
pub use mailboxes::MailboxCursorRow;
pub use people::{ApiToken, AuditEntry, AuditFilter, NewAuditEntry, Session};
pub use postgres_store::PostgresStore;
pub use sqlite_store::SqliteStore;

pub type Result<T> = std::result::Result<T, StoreError>;

/// A mention ready to be written: the mention plus what the pipeline derived.
#[derive(Debug, Clone, PartialEq)]
pub struct MentionWrite {
    pub mention: Mention,
    /// The stored original this mention copies (repost, near-duplicate), if any.
    pub duplicate_of: Option<MentionId>,
    pub topics: Vec<String>,
    /// What the understanding models said; stored in plain columns (`sentiment`,
    /// `reason`, `intent`, `author_type`, `model_version`…) that reports can group by.
    pub enrichment: Option<Enrichment>,
}

/// An author's real influence (a handle at a source), as the service last computed it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorInfluence {
    pub source: Source,
    /// The handle without `@`, as stored on the author's mentions.
    pub handle: String,
    pub display_name: Option<String>,
    pub followers: Option<u64>,
    /// In [0, 100] (see the nlp crate's `InfluenceState`).
    pub score: f64,
    /// The author's own posts seen.
    pub posts: u64,
    /// Reposts, quotes and replies by others seen.
    pub echoes: u64,
    /// The full state, as JSON, opaque to the store.
    pub state: String,
    pub updated_at: DateTime<Utc>,
}

/// One change an agent made to a mention's enrichment (`field` is `sentiment`,
/// `reason` or `intent`), kept to retrain the models on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrichmentCorrection {
    pub mention_id: MentionId,
    pub field: String,
    /// The value before the correction (`None` when there was none).
    pub old_value: Option<String>,
    pub new_value: String,
    pub corrected_by: String,
    pub corrected_at: DateTime<Utc>,
}

/// What happened to one mention of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// Stored for the first time, with this id and change sequence.
    Inserted { id: MentionId, seq: i64 },
    /// A mention with the same (source, external id) was already stored: nothing changed.
    Duplicate { id: MentionId },
}

/// Mentions changed or removed after a given change sequence, in sequence order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    pub upserted: Vec<StoredMention>,
    pub deleted: Vec<MentionId>,
    /// The highest sequence included (the caller passes it back next time).
    pub last_seq: i64,
}

/// A stored quarantine record with its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedRecord {
    pub id: i64,
    pub record: QuarantineRecord,
}

/// The persistence port. Timestamps are kept in UTC to the microsecond (finer digits are
/// cut), identically on both backends.
///
/// Implementations are synchronous and thread-safe; async callers run them on blocking
/// threads (`tokio::task::spawn_blocking`). This is a must, not only good manners: the
/// PostgreSQL adapter uses the sync `postgres` client, which runs its own Tokio runtime
/// and panics when called from inside an async context.
pub trait Store: CareStore + PublishingStore + Send + Sync {
    /// Which backend this is (`sqlite` or `postgres`), for logs and health pages.
    fn backend(&self) -> &'static str;

    /// Applies the migrations not yet applied (idempotent; also done at open).
    fn migrate(&self) -> Result<()>;

    /// Brings the database to the state it is in a while after a bulk load of cases
    /// ([`CareStore::bulk_insert_cases`]), so that the benchmarks (which call it between
    /// loading and measuring) measure the steady state rather than the minutes after a
    /// million inserts. PostgreSQL: `VACUUM (ANALYZE)` of the cases and their roll-ups
    /// (statistics, hint bits and the visibility map, which autovacuum would see to), then
    /// a `CHECKPOINT` when the role may run one. SQLite: the write-ahead log is copied
    /// into the database and emptied (`wal_checkpoint(TRUNCATE)`); its planner keeps no
    /// statistics here.
    fn settle_after_bulk_load(&self) -> Result<()>;

    /// Writes a batch in one transaction, durably (committed before it returns).
    /// Returns one outcome per input, in order. A mention whose (source, external id) is
    /// already stored, or appears earlier in the same batch, is a `Duplicate`.
    fn insert_mentions(&self, batch: &[MentionWrite]) -> Result<Vec<WriteOutcome>>;

    /// Replaces a stored mention by a newer version from the source (an edit).
    /// Returns the id, or `None` when no such mention is stored. The mention keeps its id
    /// and `ingested_at` and takes a new change sequence.
    fn update_mention(&self, write: &MentionWrite) -> Result<Option<MentionId>>;

    /// [`Store::update_mention`] for many mentions in one transaction (each takes its own
    /// change sequence). Returns one id per input, `None` for a mention not stored.
    fn update_mentions(&self, batch: &[MentionWrite]) -> Result<Vec<Option<MentionId>>>;

    /// Stored mentions with an id above `after`, lowest ids first, at most `limit`, whose
    /// enrichment was not made by `model_version` (no enrichment counts as different);
    /// every mention when `model_version` is `None`. Pass the last id back to page.
    fn mentions_to_enrich(
        &self,
        model_version: Option<&str>,
        after: MentionId,
        limit: usize,
    ) -> Result<Vec<StoredMention>>;

    /// Replaces a mention's enrichment by a corrected one and keeps the corrections, in
    /// one transaction; the mention takes a new change sequence. `false` when no mention
    /// has this id (nothing is written).
    fn correct_enrichment(
        &self,
        id: MentionId,
        enrichment: &Enrichment,
        corrections: &[EnrichmentCorrection],
    ) -> Result<bool>;

    /// Every correction, oldest first.
    fn list_corrections(&self) -> Result<Vec<EnrichmentCorrection>>;

    /// The stored influence of each author asked for, in order (`None`: never seen).
    fn author_influence(&self, authors: &[(Source, &str)]) -> Result<Vec<Option<AuthorInfluence>>>;

    /// Inserts or replaces authors' influence rows, in one transaction.
    fn upsert_author_influence(&self, rows: &[AuthorInfluence]) -> Result<()>;

    /// The most influential authors, highest score first (ties: more posts first).
    fn top_authors(&self, limit: usize) -> Result<Vec<AuthorInfluence>>;

    /// Removes a mention deleted at the source. Returns its id, or `None` if unknown.
    fn delete_mention(&self, source: Source, external_id: &str) -> Result<Option<MentionId>>;

    fn get_mention(&self, id: MentionId) -> Result<Option<StoredMention>>;

    /// The stored mentions among `ids`, in the order of `ids`; unknown ids are skipped and
    /// an id given twice is returned once.
    fn get_mentions(&self, ids: &[MentionId]) -> Result<Vec<StoredMention>>;

    fn find_mention(&self, source: Source, external_id: &str) -> Result<Option<StoredMention>>;

    fn count_mentions(&self) -> Result<u64>;

    /// Changes with a sequence greater than `after_seq`, at most `limit` upserts+deletes,
    /// the lowest sequences first: passing `last_seq` back pages through every change.
    /// An edited mention appears once, at the sequence of its latest version; a deleted one
    /// only as a tombstone in `deleted`. `last_seq` is `after_seq` when nothing changed.
    fn changes_since(&self, after_seq: i64, limit: usize) -> Result<Changes>;

    /// The highest change sequence so far (0 for an empty store).
    fn last_seq(&self) -> Result<i64>;

    fn quarantine(&self, records: &[QuarantineRecord]) -> Result<()>;

    /// The most recent quarantined records, newest first.
    fn list_quarantine(&self, limit: usize) -> Result<Vec<QuarantinedRecord>>;

    fn count_quarantine(&self) -> Result<u64>;

    /// Fails with [`StoreError::Conflict`] when a topic of the same name exists.
    fn create_topic(&self, topic: &NewListeningTopic) -> Result<ListeningTopic>;

    fn list_topics(&self) -> Result<Vec<ListeningTopic>>;

    fn delete_topic(&self, id: TopicId) -> Result<bool>;

    /// Replaces a topic's name, query, languages and owner; `None` when there is no such
    /// topic, [`StoreError::Conflict`] when another topic has that name.
    fn update_topic(&self, id: TopicId, topic: &NewListeningTopic) -> Result<Option<ListeningTopic>>;

    /// Stores a new API token by the SHA-256 hex digest of its secret, owned by a user
    /// (or by nobody: a token that acts as an administrator) and narrowed by `scopes`
    /// ([`StoreError::Conflict`] if that digest is already stored).
    fn create_api_token(
        &self,
        label: &str,
        token_sha256_hex: &str,
        user_id: Option<UserId>,
        scopes: &[Scope],
    ) -> Result<ApiToken>;

    /// Finds the token whose secret hashes to this digest.
    fn find_api_token(&self, token_sha256_hex: &str) -> Result<Option<ApiToken>>;

    /// Every API token (label, owner, scopes; never the secret), newest first.
    fn list_api_tokens(&self) -> Result<Vec<ApiToken>>;

    /// Revokes a token: it no longer authenticates. `false` when no such token.
    fn delete_api_token(&self, id: i64) -> Result<bool>;

    // --- People: users, sessions, teams, audit -------------------------------------------

    /// [`StoreError::Conflict`] when the e-mail (in any case) is taken.
    fn create_user(&self, user: &NewUser) -> Result<User>;

    fn get_user(&self, id: UserId) -> Result<Option<User>>;

    /// The user with this e-mail (in any case) and their password hash (PHC string).
    fn find_user_credentials(&self, email: &str) -> Result<Option<(User, String)>>;

    fn list_users(&self) -> Result<Vec<User>>;

    /// Writes every field of the user, and a new password hash when given; a user made
    /// inactive loses their sessions. `false` when no such user.
    fn update_user(&self, user: &User, password_hash: Option<&str>) -> Result<bool>;

    /// Stores a session by the SHA-256 hex digest of its cookie secret (and drops
    /// expired ones).
    fn create_session(&self, token_sha256_hex: &str, session: &Session) -> Result<()>;

    /// The unexpired session with this digest.
    fn find_session(&self, token_sha256_hex: &str) -> Result<Option<Session>>;

    fn delete_session(&self, token_sha256_hex: &str) -> Result<bool>;

    /// [`StoreError::Conflict`] on a taken name, [`StoreError::NotFound`] on an unknown member.
    fn create_team(&self, name: &str, members: &[UserId]) -> Result<Team>;

    fn list_teams(&self) -> Result<Vec<Team>>;

    fn get_team(&self, id: TeamId) -> Result<Option<Team>>;

    /// Renames the team and replaces its members. `false` when no such team.
    fn update_team(&self, team: &Team) -> Result<bool>;

    fn delete_team(&self, id: TeamId) -> Result<bool>;

    fn append_audit(&self, entry: &NewAuditEntry) -> Result<AuditEntry>;

    /// Newest first.
    fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>>;

    // --- Contacts (customer 360) ------------------------------------------------------
    // `insert_mentions` creates a contact for each new author (by handle at its source)
    // in the batch's own transaction.

    /// Live contacts (not merged away, not erased) with an id above `after`, by id;
    /// `query` matches a name or an identity, case-insensitively.
    fn list_contacts(&self, query: Option<&str>, after: Option<ContactId>, limit: usize) -> Result<Vec<Contact>>;

    /// Any contact (also a merged or erased one) with its identities.
    fn get_contact(&self, id: ContactId) -> Result<Option<Contact>>;

    /// Writes the contact's name and CRM fields. `false` when no such contact.
    fn update_contact(&self, contact: &Contact) -> Result<bool>;

    /// [`StoreError::Conflict`] when the identity belongs to a contact already.
    fn add_identity(&self, id: ContactId, identity: &NewIdentity) -> Result<Identity>;

    fn add_note(&self, id: ContactId, author: Option<UserId>, text: &str) -> Result<ContactNote>;

    /// Newest first.
    fn list_notes(&self, id: ContactId) -> Result<Vec<ContactNote>>;

    /// The ids of the contact's mentions (by any of its handles), newest first.
    fn contact_mention_ids(&self, id: ContactId, limit: usize) -> Result<Vec<MentionId>>;

    /// Merges `absorbed` into `survivor` in one transaction ([`StoreError::NotFound`],
    /// or [`StoreError::Conflict`] when either was merged or erased already).
    fn merge_contacts(&self, survivor: ContactId, absorbed: ContactId) -> Result<ContactMerge>;

    /// Restores both contacts of a merge exactly. `None` when no such merge.
    fn undo_merge(&self, merge_id: i64) -> Result<Option<ContactMerge>>;

    /// Live contacts but `excluding` with an identity of `kind` normalised to one of `values`.
    fn contacts_with_identity(
        &self,
        kind: IdentityKind,
        values: &[String],
        excluding: ContactId,
    ) -> Result<Vec<(ContactId, Identity)>>;

    /// Live contacts but `excluding` whose bio contains `@handle`.
    fn contacts_claiming_handle(&self, handle: &str, excluding: ContactId) -> Result<Vec<ContactId>>;

    /// GDPR erasure in one transaction; returns the blanked mentions (they take new
    /// change sequences), or `None` when there is no such contact.
    fn erase_contact(&self, id: ContactId) -> Result<Option<Vec<MentionId>>>;

    /// A small key/value table for durable process state (connector cursors, ETags).
    fn get_state(&self, key: &str) -> Result<Option<String>>;

    fn set_state(&self, key: &str, value: &str) -> Result<()>;

    // The early warning (issue #5): incidents, their mentions, alert rules and alerts.

    /// Stores a new incident and returns it with its id ([`StoreError::Conflict`] when the
    /// slice already has an incident starting at the same time).
    fn create_incident(&self, incident: &IncidentRow) -> Result<IncidentRow>;

    /// Replaces the incident's status, owner, end, peak and details. `false` if unknown.
    fn update_incident(&self, incident: &IncidentRow) -> Result<bool>;

    fn get_incident(&self, id: i64) -> Result<Option<IncidentRow>>;

    /// Incidents newest first (highest id first), with an id below `before` when given.
    fn list_incidents(&self, before: Option<i64>, limit: usize) -> Result<Vec<IncidentRow>>;

    /// Links mentions to an incident (a mention linked twice is linked once).
    fn link_incident_mentions(&self, incident_id: i64, mentions: &[MentionId]) -> Result<()>;

    /// The ids of the incident's mentions above `after`, lowest first, at most `limit`.
    fn incident_mentions(&self, incident_id: i64, after: MentionId, limit: usize) -> Result<Vec<MentionId>>;

    fn create_alert_rule(&self, rule: &AlertRuleRow) -> Result<AlertRuleRow>;

    /// Every alert rule, oldest first.
    fn list_alert_rules(&self) -> Result<Vec<AlertRuleRow>>;

    fn delete_alert_rule(&self, id: i64) -> Result<bool>;

    /// Replaces a rule's settings (its JSON); `false` when there is no such rule.
    fn set_alert_rule_settings(&self, id: i64, settings: &serde_json::Value) -> Result<bool>;

    fn create_alert(&self, alert: &AlertRow) -> Result<AlertRow>;

    /// The latest alerts, newest first.
    fn list_alerts(&self, limit: usize) -> Result<Vec<AlertRow>>;

    // --- IMAP mailbox cursors (e-mail as a channel) ---

    /// Where reading `mailbox` (`imap://user@host:port/MAILBOX`) stands, if it was read.
    fn get_mailbox_cursor(&self, mailbox: &str) -> Result<Option<MailboxCursorRow>>;

    /// Records that the messages up to `last_uid` were ingested. Within one
    /// `uid_validity` the cursor never moves back; another `uid_validity` replaces it.
    fn save_mailbox_cursor(&self, mailbox: &str, uid_validity: i64, last_uid: i64) -> Result<MailboxCursorRow>;
}

/// Read connections per store: enough for a busy API on a small machine. The web server
/// lets as many reads at a time reach the store, in arrival order.
pub const READ_CONNECTIONS: usize = 4;

/// Opens a store from a URL: `sqlite://PATH` (or a bare path) or `postgres://…`
/// (`postgresql://…` too), and applies pending migrations.
pub fn open(url: &str) -> Result<Box<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Box::new(PostgresStore::connect(url)?));
    }
    let path = url.strip_prefix("sqlite://").unwrap_or(url);
    Ok(Box::new(SqliteStore::open(std::path::Path::new(path))?))
}
