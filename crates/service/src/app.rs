//! The application: the store, the search index, the pipeline's writer and topics,
//! opened together from a [`Config`].

use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use domain::{ListeningTopic, NewListeningTopic, StoredMention, TopicId};
use listen::TopicMatcher;
use search::{SearchIndex, SearchRequest, Sort};
use sha2::{Digest, Sha256};
use store::Store;

use crate::counters::Counters;
use crate::early_warning::EarlyWarning;
use crate::writer::Writer;
use crate::{Config, ServiceError};

/// One search's answer: every match counted, one page of mentions returned.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchOutput {
    pub total: usize,
    pub mentions: Vec<StoredMention>,
    pub facets: search::Facets,
}

pub struct App {
    pub config: Config,
    store: Arc<dyn Store>,
    index: Arc<SearchIndex>,
    writer: Mutex<Writer>,
    topics: RwLock<Arc<TopicMatcher>>,
    /// Built once (from `[models]`, else the embedded models) and shared by every ingest path.
    analyzer: Arc<nlp::Analyzer>,
    counters: Arc<Counters>,
    /// The queue to the alert delivery thread.
    deliveries: crate::early_warning::Deliveries,
    /// New mentions and source health, for the web app's live pages.
    live_feed: Arc<crate::feed::LiveFeed>,
    /// The care settings the case rules read (issue #4), reloaded on every change.
    care_settings: crate::cases::settings::SharedSettings,
    case_events: crate::cases::CaseEvents,
    collisions: crate::cases::collision::Collisions,
    /// Callers behind tokens and session cookies, for a few seconds (see the module).
    principals: crate::principal_cache::PrincipalCache,
}

impl App {
    /// Opens the store (applying migrations) and the index, and brings the index in line
    /// with the store. When another process (a running server) owns the index, this one
    /// writes the store only and that process indexes what it wrote.
    pub fn open(config: Config) -> Result<App, ServiceError> {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(ServiceError::io(format!("cannot create the data directory {}", config.data_dir.display())))?;
        let analyzer = Arc::new(crate::understanding::load_analyzer(&config.models)?);
        let store: Arc<dyn Store> = Arc::from(store::open(&config.store_url())?);
        let index = Arc::new(open_index(&config.index_dir())?);
        let counters = Arc::new(Counters::default());
        let writer_index = index.is_writable().then(|| index.clone());
        if writer_index.is_none() {
            tracing::warn!("the search index is in use by another Comptoir process: it will index what this one stores");
        }
        let owns_index = writer_index.is_some();
        let mut writer = Writer::new(store.clone(), writer_index, counters.clone())?;
        let deliveries = crate::early_warning::Deliveries::start(config.smtp.clone());
        let live_feed = Arc::new(crate::feed::LiveFeed::default());
        writer.set_live_feed(live_feed.clone());
        if owns_index {
            let early_warning = EarlyWarning::load(store.clone(), config.early_warning.clone(), deliveries.clone())?;
            writer.set_early_warning(Some(early_warning));
        }
        let care_settings = crate::cases::settings::SharedSettings::load(store.as_ref())?;
        let webhook = store
            .get_state(crate::cases::settings::CASE_WEBHOOK_KEY)?
            .and_then(|json| serde_json::from_str::<crate::cases::CaseWebhook>(&json).ok());
        let case_events = crate::cases::CaseEvents::new(deliveries.clone(), webhook);
        writer.set_case_intake(Some(crate::cases::intake::CaseIntakeStage::new(care_settings.clone(), case_events.clone(), store.clone())));
        let app = App {
            care_settings,
            case_events,
            collisions: Default::default(),
            principals: Default::default(),
            config,
            store,
            index,
            writer: Mutex::new(writer),
            topics: RwLock::new(Arc::new(TopicMatcher::default())),
            analyzer,
            counters,
            deliveries,
            live_feed,
        };
        app.reload_topics()?;
        Ok(app)
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub(crate) fn care_settings(&self) -> &crate::cases::settings::SharedSettings {
        &self.care_settings
    }

    /// Callers behind secrets; every change to users, sessions or tokens must `clear()` it.
    pub(crate) fn principals(&self) -> &crate::principal_cache::PrincipalCache {
        &self.principals
    }

    pub(crate) fn collisions(&self) -> &crate::cases::collision::Collisions {
        &self.collisions
    }

    /// The feed of case events (created, updated, replied, presence…), for SSE.
    pub fn case_events(&self) -> &crate::cases::CaseEvents {
        &self.case_events
    }

    pub(crate) fn deliveries(&self) -> &crate::early_warning::Deliveries {
        &self.deliveries
    }

    /// Replaces the early warning's clock (tests replay hours of buckets in a second).
    pub fn set_early_warning_clock(&self, clock: crate::early_warning::Clock) {
        if let Some(early_warning) = self.writer().early_warning_mut() {
            early_warning.set_clock(clock);
        }
    }

    /// Newly stored mentions (broadcast) and per-source health.
    pub fn live_feed(&self) -> &Arc<crate::feed::LiveFeed> {
        &self.live_feed
    }

    pub fn counters(&self) -> &Arc<Counters> {
        &self.counters
    }

    /// The understanding models every ingest path enriches with.
    pub fn analyzer(&self) -> Arc<nlp::Analyzer> {
        self.analyzer.clone()
    }

    /// Identifies the current models, as stored with each enrichment.
    pub fn model_version(&self) -> &str {
        self.analyzer.version()
    }

    pub fn topics(&self) -> Arc<TopicMatcher> {
        self.topics.read().expect("topics lock").clone()
    }

    /// The pipeline's sequential stage (one per process).
    pub fn writer(&self) -> MutexGuard<'_, Writer> {
        self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Searches stored mentions with the listening query language.
    pub fn search(&self, query: &str, sort: Sort, limit: usize, offset: usize) -> Result<SearchOutput, ServiceError> {
        let parsed = listen::parse(query)?;
        self.search_parsed(parsed, None, sort, limit, offset)
    }

    /// Searches with a parsed query, optionally inside a window of creation times.
    pub(crate) fn search_parsed(
        &self,
        parsed: listen::Query,
        within: Option<search::TimeRange>,
        sort: Sort,
        limit: usize,
        offset: usize,
    ) -> Result<SearchOutput, ServiceError> {
        let results = self.index.search(&SearchRequest { query: parsed, sort, limit, offset, within })?;
        let ids: Vec<_> = results.hits.iter().map(|hit| hit.id).collect();
        let mut found = self.store.get_mentions(&ids)?;
        // Keep the index's order; a mention deleted since the last index commit is skipped.
        found.sort_by_key(|mention| ids.iter().position(|id| *id == mention.id));
        Ok(SearchOutput { total: results.total, mentions: found, facets: results.facets })
    }

    /// The search index, for the listening dashboard's counts.
    pub(crate) fn index(&self) -> &SearchIndex {
        &self.index
    }

    pub fn get_mention(&self, id: domain::MentionId) -> Result<Option<StoredMention>, ServiceError> {
        Ok(self.store.get_mention(id)?)
    }

    /// How many records are in quarantine, and the latest `limit` of them.
    pub fn quarantine(&self, limit: usize) -> Result<(u64, Vec<store::QuarantinedRecord>), ServiceError> {
        Ok((self.store.count_quarantine()?, self.store.list_quarantine(limit)?))
    }

    /// Rebuilds the search index from the store.
    pub fn reindex(&self, progress: &dyn Fn(u64)) -> Result<u64, ServiceError> {
        let mut writer = self.writer();
        if !writer.has_index() {
            return Err(ServiceError::Invalid(
                "the search index is in use by a running Comptoir server; stop it, then reindex".into(),
            ));
        }
        self.index.clear()?;
        let mut after_seq = 0;
        let mut indexed = 0u64;
        loop {
            let changes = self.store.changes_since(after_seq, 10_000)?;
            if changes.upserted.is_empty() && changes.deleted.is_empty() {
                break;
            }
            self.index.add_mentions(&changes.upserted)?;
            self.index.delete_mentions(&changes.deleted)?;
            indexed += changes.upserted.len() as u64;
            after_seq = changes.last_seq;
            progress(indexed);
        }
        self.index.commit(after_seq)?;
        let early_warning = writer.set_early_warning(None);
        let cases = writer.set_case_intake(None);
        *writer = Writer::new(self.store.clone(), Some(self.index.clone()), self.counters.clone())?;
        writer.set_early_warning(early_warning);
        writer.set_case_intake(cases);
        Ok(indexed)
    }

    pub fn create_topic(&self, topic: &NewListeningTopic) -> Result<ListeningTopic, ServiceError> {
        if topic.name.trim().is_empty() {
            return Err(ServiceError::Invalid("a topic needs a name".into()));
        }
        if [&topic.name, &topic.owner].iter().any(|text| text.chars().any(char::is_control)) || topic.query.contains('\0') {
            return Err(ServiceError::Invalid("a topic's name and owner have no control characters, nor its query a NUL".into()));
        }
        listen::parse(&topic.query)?;
        let created = self.store.create_topic(topic)?;
        self.reload_topics()?;
        Ok(created)
    }

    /// The most influential authors by real influence (not follower count).
    pub fn top_authors(&self, limit: usize) -> Result<Vec<AuthorView>, ServiceError> {
        Ok(self.store.top_authors(limit)?.into_iter().map(AuthorView::from).collect())
    }

    /// One author's real influence, `None` when no mention of theirs was stored.
    pub fn author(&self, source: domain::Source, handle: &str) -> Result<Option<AuthorView>, ServiceError> {
        let handle = handle.trim_start_matches('@');
        let found = self.store.author_influence(&[(source, handle)])?;
        Ok(found.into_iter().next().flatten().map(AuthorView::from))
    }

    pub fn list_topics(&self) -> Result<Vec<ListeningTopic>, ServiceError> {
        Ok(self.store.list_topics()?)
    }

    pub fn delete_topic(&self, id: TopicId) -> Result<bool, ServiceError> {
        let deleted = self.store.delete_topic(id)?;
        self.reload_topics()?;
        Ok(deleted)
    }

    pub(crate) fn reload_topic_matcher(&self) -> Result<(), ServiceError> {
        self.reload_topics()
    }

    fn reload_topics(&self) -> Result<(), ServiceError> {
        let topics = self.store.list_topics()?;
        let matcher = TopicMatcher::new(
            topics.iter().map(|t| (t.topic.name.as_str(), t.topic.query.as_str(), t.topic.languages.as_slice())),
        )
        .map_err(|error| ServiceError::Invalid(format!("topic {:?}: {}", error.topic, error.error)))?;
        *self.topics.write().expect("topics lock") = Arc::new(matcher);
        Ok(())
    }

    /// Creates an API token owned by nobody, acting as an administrator (the demo's and
    /// `token create` without `--email`), and returns its secret (shown once; only a
    /// hash is stored).
    pub fn create_api_token(&self, label: &str) -> Result<String, ServiceError> {
        let secret = format!("cpt_{}", hex::encode(rand::random::<[u8; 24]>()));
        self.store.create_api_token(label, &token_digest(&secret), None, &[])?;
        Ok(secret)
    }
}

/// Opens the index; one built by another version is derived data: it is rebuilt from
/// the store (the writer catches up from sequence 0).
fn open_index(dir: &std::path::Path) -> Result<SearchIndex, ServiceError> {
    match SearchIndex::open(dir) {
        Err(search::SearchError::SchemaMismatch { found, .. }) => {
            tracing::warn!(%found, "the search index has another schema: rebuilding it from the store");
            std::fs::remove_dir_all(dir).map_err(ServiceError::io(format!("cannot remove {}", dir.display())))?;
            Ok(SearchIndex::open(dir)?)
        }
        other => Ok(other?),
    }
}

/// The SHA-256 hex digest under which a token or session secret is stored.
pub(crate) fn token_digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// An author's real influence as the API and CLI show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuthorView {
    pub source: domain::Source,
    pub handle: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followers: Option<u64>,
    /// Real influence in [0, 100], rounded to one decimal.
    pub influence: f64,
    /// The author's own posts seen.
    pub posts: u64,
    /// Reposts, quotes and replies by others seen.
    pub echoes: u64,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<store::AuthorInfluence> for AuthorView {
    fn from(row: store::AuthorInfluence) -> AuthorView {
        AuthorView {
            source: row.source,
            handle: row.handle,
            display_name: row.display_name,
            followers: row.followers,
            influence: (row.score * 10.0).round() / 10.0,
            posts: row.posts,
            echoes: row.echoes,
            updated_at: row.updated_at,
        }
    }
}
