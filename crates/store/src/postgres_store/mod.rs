//! The PostgreSQL adapter, for deployments that already run PostgreSQL.
//!
//! `postgres::Client`s (a writer and a few readers), each behind a mutex. The `postgres`
//! crate is the synchronous client: it runs its own Tokio runtime and PANICS when called
//! from inside an async context, so async callers must use `tokio::task::spawn_blocking`
//! (as they must for SQLite anyway, which blocks on disk).
//!
//! Tables live in the first schema of the search path: `public` by default, or the schema
//! given to [`PostgresStore::connect_with_schema`] (each test gets its own).

mod corrections;
mod influence;
mod early_warning;
mod mentions;
mod records;

use std::sync::{Mutex, MutexGuard};

use domain::{
    Contact, ContactId, ContactMerge, ContactNote, Enrichment, Identity, IdentityKind, ListeningTopic, MentionId,
    NewIdentity, NewListeningTopic, NewUser, QuarantineRecord, Scope, Source, StoredMention, Team, TeamId, TopicId,
    User, UserId,
};
use postgres::{Client, Config, NoTls};

use crate::codec::{now, timestamp_to_text};
use crate::migrations::{CREATE_SCHEMA_MIGRATIONS, POSTGRES as MIGRATIONS};
use crate::sql::{Db, PgDb};
use crate::{
    ApiToken, AuditEntry, AuthorInfluence, AuditFilter, Changes, EnrichmentCorrection, MentionWrite, NewAuditEntry, QuarantinedRecord,
    Result, Session, Store, StoreError, WriteOutcome, contacts, people,
};

/// Serialises concurrent migrations (several processes starting at once).
const MIGRATION_LOCK_KEY: i64 = 0x636f_6d70_746f_6972; // "comptoir"

/// The store in a PostgreSQL database.
pub struct PostgresStore {
    writer: Mutex<Connection>,
    /// A few readers, so that concurrent API requests do not queue behind one connection.
    readers: crate::pool::Pool<Connection>,
}

impl PostgresStore {
    /// Connects with a libpq-style URL or key/value string and applies pending migrations.
    /// For a local Unix socket: `postgres:///DBNAME?host=/var/run/postgresql` (the user
    /// defaults to the OS user).
    pub fn connect(url: &str) -> Result<Self> {
        Self::connect_in(url, None)
    }

    /// Like [`PostgresStore::connect`], with every table in `schema` (created if missing).
    /// The name must be a plain identifier: ASCII letters, digits and `_`.
    pub fn connect_with_schema(url: &str, schema: &str) -> Result<Self> {
        Self::connect_in(url, Some(schema))
    }

    fn connect_in(url: &str, schema: Option<&str>) -> Result<Self> {
        let config: Config = url
            .parse()
            .map_err(|error: postgres::Error| StoreError::Open {
                path: "(PostgreSQL connection string)".to_string(),
                reason: error.to_string(),
            })?;
        let target = describe(&config);
        if let Some(schema) = schema {
            check_schema_name(schema, &target)?;
        }
        let open_client = || -> Result<Client> {
            let mut client = config.connect(NoTls).map_err(|error| StoreError::Open {
                path: target.clone(),
                reason: error.to_string(),
            })?;
            if let Some(schema) = schema {
                // Identifiers cannot be bound as parameters; the name was checked above.
                client.batch_execute(&format!(
                    "CREATE SCHEMA IF NOT EXISTS \"{schema}\"; SET search_path TO \"{schema}\""
                ))?;
            }
            Ok(client)
        };
        let store = PostgresStore {
            writer: Mutex::new(Connection::new(open_client()?)),
            readers: crate::pool::Pool::new((0..crate::READ_CONNECTIONS).map(|_| open_client().map(Connection::new)).collect::<Result<_>>()?),
        };
        store.migrate()?;
        tracing::debug!(target = %target, "connected to the PostgreSQL store");
        Ok(store)
    }

    fn writer(&self) -> MutexGuard<'_, Connection> {
        self.writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A reader with PostgreSQL choosing custom or generic plans (see
    /// [`PostgresStore::read_db_generic`] for the other kind).
    fn reader(&self) -> Result<crate::pool::Lease<'_, Connection>> {
        self.reader_planned(false)
    }

    fn reader_planned(&self, generic: bool) -> Result<crate::pool::Lease<'_, Connection>> {
        let mut connection = self.readers.get();
        if connection.generic_plans != generic {
            // Applies to the statements already prepared too: PostgreSQL reads it per call.
            let setting = if generic { "SET plan_cache_mode = force_generic_plan" } else { "SET plan_cache_mode = auto" };
            connection.client.batch_execute(setting)?;
            connection.generic_plans = generic;
        }
        Ok(connection)
    }

    /// Runs `work` in one transaction of the writer client.
    fn write_tx<T>(&self, work: impl FnOnce(&mut dyn Db) -> Result<T>) -> Result<T> {
        let mut connection = self.writer();
        let Connection { client, statements, .. } = &mut *connection;
        let mut transaction = client.transaction()?;
        let result = work(&mut PgDb::cached(&mut transaction, statements))?;
        transaction.commit()?;
        Ok(result)
    }

    /// Runs `work` on a reader client, with PostgreSQL choosing custom or generic plans.
    fn read_db<T>(&self, work: impl FnOnce(&mut dyn Db) -> Result<T>) -> Result<T> {
        self.read_db_planned(false, work)
    }

    /// Runs `work` on a reader client with generic plans only (`plan_cache_mode =
    /// force_generic_plan`), for the inbox's queries: their plan follows from their shape
    /// (an index walked in the inbox's order, or a key, with a LIMIT), and planning them
    /// for each call's values cost more than running them (0.15–0.8 ms against
    /// 0.02–0.4 ms at a million cases). A reader switches with one `SET` when it last
    /// served the other kind of read.
    fn read_db_generic<T>(&self, work: impl FnOnce(&mut dyn Db) -> Result<T>) -> Result<T> {
        self.read_db_planned(true, work)
    }

    fn read_db_planned<T>(&self, generic: bool, work: impl FnOnce(&mut dyn Db) -> Result<T>) -> Result<T> {
        let mut connection = self.reader_planned(generic)?;
        let Connection { client, statements, .. } = &mut *connection;
        work(&mut PgDb::cached(client, statements))
    }
}

/// One connection and the statements it has prepared, by SQL text: the portable layer's
/// queries are prepared once per connection instead of on every call (a round trip
/// saved per query). Prepared statements belong to the session, not to a transaction,
/// so a rolled-back transaction leaves them valid.
pub(crate) struct Connection {
    client: Client,
    statements: crate::sql::StatementCache,
    /// Whether the session is set to `plan_cache_mode = force_generic_plan`.
    generic_plans: bool,
}

impl Connection {
    fn new(client: Client) -> Connection {
        Connection { client, statements: Default::default(), generic_plans: false }
    }

    /// The statement for `sql` (PostgreSQL's own `$N` placeholders), prepared once on this
    /// connection.
    fn prepared(&mut self, sql: &str) -> Result<postgres::Statement> {
        self.statements.prepare_native(&mut self.client, sql)
    }
}

impl std::ops::Deref for Connection {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl std::ops::DerefMut for Connection {
    fn deref_mut(&mut self) -> &mut Client {
        &mut self.client
    }
}

/// Where we connect, for errors and logs, without the password.
fn describe(config: &Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|host| match host {
            postgres::config::Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    format!(
        "PostgreSQL database {:?} on {}",
        config.get_dbname().unwrap_or("(default)"),
        hosts.join(",")
    )
}

fn check_schema_name(schema: &str, target: &str) -> Result<()> {
    let plain = !schema.is_empty()
        && schema.len() <= 63
        && schema
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || character == '_')
        && !schema.starts_with(|character: char| character.is_ascii_digit());
    if plain {
        return Ok(());
    }
    Err(StoreError::Open {
        path: target.to_string(),
        reason: format!("schema name {schema:?} is not a plain identifier"),
    })
}

fn apply_pending_migrations(client: &mut Client) -> Result<()> {
    let mut transaction = client.transaction()?;
    transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK_KEY])?;
    transaction.batch_execute(CREATE_SCHEMA_MIGRATIONS)?;
    transaction.commit()?;
    for migration in MIGRATIONS {
        let mut transaction = client.transaction()?;
        transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK_KEY])?;
        let already_applied: bool = transaction
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)",
                &[&migration.version],
            )?
            .get(0);
        if already_applied {
            continue;
        }
        transaction.batch_execute(migration.sql)?;
        transaction.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            &[
                &migration.version,
                &migration.name,
                &timestamp_to_text(now()),
            ],
        )?;
        transaction.commit()?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "applied a PostgreSQL migration"
        );
    }
    Ok(())
}

impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn migrate(&self) -> Result<()> {
        apply_pending_migrations(&mut self.writer())
    }

    fn settle_after_bulk_load(&self) -> Result<()> {
        let mut writer = self.writer();
        writer.client.batch_execute(
            "VACUUM (ANALYZE) cases, care_rollup_hour, care_rollup_agent_day, care_rollup_duration, care_rollup_customer_sample",
        )?;
        if let Err(error) = writer.client.batch_execute("CHECKPOINT") {
            // Needs superuser or pg_checkpoint; the checkpointer gets there on its own.
            tracing::info!(%error, "no CHECKPOINT after the bulk load");
        }
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
        mentions::mentions_to_enrich(&mut *self.reader()?, model_version, after, limit)
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
        corrections::list_corrections(&mut *self.reader()?)
    }

    fn author_influence(&self, authors: &[(Source, &str)]) -> Result<Vec<Option<AuthorInfluence>>> {
        influence::author_influence(&mut *self.reader()?, authors)
    }

    fn upsert_author_influence(&self, rows: &[AuthorInfluence]) -> Result<()> {
        influence::upsert_author_influence(&mut self.writer(), rows)
    }

    fn top_authors(&self, limit: usize) -> Result<Vec<AuthorInfluence>> {
        influence::top_authors(&mut *self.reader()?, limit)
    }

    fn delete_mention(&self, source: Source, external_id: &str) -> Result<Option<MentionId>> {
        mentions::delete_mention(&mut self.writer(), source, external_id)
    }

    fn get_mention(&self, id: MentionId) -> Result<Option<StoredMention>> {
        mentions::get_mention(&mut *self.reader()?, id)
    }

    fn get_mentions(&self, ids: &[MentionId]) -> Result<Vec<StoredMention>> {
        mentions::get_mentions(&mut *self.reader()?, ids)
    }

    fn find_mention(&self, source: Source, external_id: &str) -> Result<Option<StoredMention>> {
        mentions::find_mention(&mut *self.reader()?, source, external_id)
    }

    fn count_mentions(&self) -> Result<u64> {
        records::count(&mut *self.reader()?, "SELECT COUNT(*) FROM mentions")
    }

    fn changes_since(&self, after_seq: i64, limit: usize) -> Result<Changes> {
        mentions::changes_since(&mut *self.reader()?, after_seq, limit)
    }

    fn last_seq(&self) -> Result<i64> {
        mentions::last_seq(&mut *self.reader()?)
    }

    fn quarantine(&self, records: &[QuarantineRecord]) -> Result<()> {
        records::quarantine(&mut self.writer(), records)
    }

    fn list_quarantine(&self, limit: usize) -> Result<Vec<QuarantinedRecord>> {
        records::list_quarantine(&mut *self.reader()?, limit)
    }

    fn count_quarantine(&self) -> Result<u64> {
        records::count(&mut *self.reader()?, "SELECT COUNT(*) FROM quarantine")
    }

    fn create_topic(&self, topic: &NewListeningTopic) -> Result<ListeningTopic> {
        records::create_topic(&mut self.writer(), topic)
    }

    fn list_topics(&self) -> Result<Vec<ListeningTopic>> {
        records::list_topics(&mut *self.reader()?)
    }

    fn delete_topic(&self, id: TopicId) -> Result<bool> {
        records::delete_topic(&mut self.writer(), id)
    }

    fn update_topic(&self, id: TopicId, topic: &NewListeningTopic) -> Result<Option<ListeningTopic>> {
        records::update_topic(&mut self.writer(), id, topic)
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
        records::get_state(&mut *self.reader()?, key)
    }

    fn set_state(&self, key: &str, value: &str) -> Result<()> {
        records::set_state(&mut self.writer(), key, value)
    }

    fn create_incident(&self, incident: &crate::IncidentRow) -> Result<crate::IncidentRow> {
        early_warning::create_incident(&mut self.writer(), incident)
    }

    fn update_incident(&self, incident: &crate::IncidentRow) -> Result<bool> {
        early_warning::update_incident(&mut self.writer(), incident)
    }

    fn get_incident(&self, id: i64) -> Result<Option<crate::IncidentRow>> {
        early_warning::get_incident(&mut *self.reader()?, id)
    }

    fn list_incidents(&self, before: Option<i64>, limit: usize) -> Result<Vec<crate::IncidentRow>> {
        early_warning::list_incidents(&mut *self.reader()?, before, limit)
    }

    fn link_incident_mentions(&self, incident_id: i64, mentions: &[MentionId]) -> Result<()> {
        early_warning::link_incident_mentions(&mut self.writer(), incident_id, mentions)
    }

    fn incident_mentions(&self, incident_id: i64, after: MentionId, limit: usize) -> Result<Vec<MentionId>> {
        early_warning::incident_mentions(&mut *self.reader()?, incident_id, after, limit)
    }

    fn create_alert_rule(&self, rule: &crate::AlertRuleRow) -> Result<crate::AlertRuleRow> {
        early_warning::create_alert_rule(&mut self.writer(), rule)
    }

    fn list_alert_rules(&self) -> Result<Vec<crate::AlertRuleRow>> {
        early_warning::list_alert_rules(&mut *self.reader()?)
    }

    fn delete_alert_rule(&self, id: i64) -> Result<bool> {
        early_warning::delete_alert_rule(&mut self.writer(), id)
    }

    fn set_alert_rule_settings(&self, id: i64, settings: &serde_json::Value) -> Result<bool> {
        early_warning::set_alert_rule_settings(&mut self.writer(), id, settings)
    }

    fn create_alert(&self, alert: &crate::AlertRow) -> Result<crate::AlertRow> {
        early_warning::create_alert(&mut self.writer(), alert)
    }

    fn list_alerts(&self, limit: usize) -> Result<Vec<crate::AlertRow>> {
        early_warning::list_alerts(&mut *self.reader()?, limit)
    }

    fn get_mailbox_cursor(&self, mailbox: &str) -> Result<Option<crate::MailboxCursorRow>> {
        self.read_db(|db| crate::mailboxes::get_mailbox_cursor(db, mailbox))
    }

    fn save_mailbox_cursor(&self, mailbox: &str, uid_validity: i64, last_uid: i64) -> Result<crate::MailboxCursorRow> {
        self.write_tx(|db| crate::mailboxes::save_mailbox_cursor(db, mailbox, uid_validity, last_uid))
    }
}

crate::cases::impl_care_store!(PostgresStore);
crate::publishing::impl_publishing_store!(PostgresStore);
