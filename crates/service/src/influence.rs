//! Real influence per author (a handle at a source), kept up to date as mentions are
//! stored: each of the author's own posts feeds its engagement into the author's
//! [`nlp::InfluenceState`], and each repost, quote or reply by someone else counts as an
//! echo for the author of the original. The formula is documented in the nlp crate
//! (`influence.rs`) and in docs/understanding.md.
//!
//! The writer calls [`InfluenceTracker::record`] after each stored batch. States are
//! cached in memory (bounded) and written through to the store, one row per author
//! touched by the batch, so the store always has the latest score. Influence is derived
//! data: a batch whose influence write failed leaves the mentions stored (logged).
//!
//! Limits, on purpose: the original of a repost, quote or reply is attributed only when
//! it was stored by this process recently (the last [`RECENT_POSTS`] posts), since the
//! connectors' formats do not all carry the original's author; an edit (new metrics for
//! a known post) does not revise the engagement already counted.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use domain::{Source, StoredMention};
use nlp::{Echo, InfluenceState};
use store::{AuthorInfluence, Store};

use crate::ServiceError;

/// Authors whose state stays in memory; past it the cache starts afresh (states are
/// then read back from the store on their next post).
const CACHED_AUTHORS: usize = 500_000;
/// Recent posts whose author is remembered, to credit echoes.
pub(crate) const RECENT_POSTS: usize = 500_000;

#[derive(Debug, Clone)]
struct AuthorEntry {
    state: InfluenceState,
    display_name: Option<String>,
    followers: Option<u64>,
}

/// The writer's view of authors' influence.
#[derive(Debug, Default)]
pub(crate) struct InfluenceTracker {
    authors: HashMap<(Source, String), AuthorEntry>,
    /// (source, external id of a post) → its author's handle.
    recent_posts: HashMap<(Source, String), String>,
}

impl InfluenceTracker {
    /// An author's current real influence in [0, 100], when they are in memory.
    pub(crate) fn score(&self, source: Source, handle: &str) -> Option<f64> {
        self.authors.get(&(source, handle.to_string())).map(|entry| entry.state.score())
    }

    /// Accounts for a batch of newly stored mentions and writes the authors it touched.
    pub(crate) fn record(&mut self, store: &dyn Store, inserted: &[StoredMention]) -> Result<usize, ServiceError> {
        if inserted.is_empty() {
            return Ok(0);
        }
        if self.recent_posts.len() + inserted.len() > RECENT_POSTS {
            self.recent_posts.clear();
        }
        for stored in inserted {
            let mention = &stored.mention;
            self.recent_posts
                .insert((mention.source, mention.external_id.clone()), mention.author.handle.clone());
        }
        let mut touched: Vec<(Source, String)> = Vec::new();
        let mut seen: HashSet<(Source, String)> = HashSet::new();
        let mut updates: Vec<((Source, String), Update)> = Vec::with_capacity(inserted.len());
        for stored in inserted {
            let mention = &stored.mention;
            let author = (mention.source, mention.author.handle.clone());
            if let Some(echo) = echo_of(stored) {
                let (echo, original) = echo;
                if let Some(original_author) = self.recent_posts.get(&(mention.source, original.to_string())) {
                    if *original_author != mention.author.handle {
                        updates.push(((mention.source, original_author.clone()), Update::Echo(echo)));
                    }
                }
            }
            if !mention.is_repost() {
                updates.push((author, Update::Post(stored)));
            }
        }
        self.load_missing(store, updates.iter().map(|(key, _)| key))?;
        for (key, update) in updates {
            let entry = self.authors.entry(key.clone()).or_insert_with(|| AuthorEntry {
                state: InfluenceState::default(),
                display_name: None,
                followers: None,
            });
            match update {
                Update::Post(stored) => {
                    let author = &stored.mention.author;
                    entry.state.observe_post(&stored.mention.metrics, author.followers);
                    if author.display_name.is_some() {
                        entry.display_name.clone_from(&author.display_name);
                    }
                    if author.followers.is_some() {
                        entry.followers = author.followers;
                    }
                }
                Update::Echo(echo) => entry.state.observe_echo(echo),
            }
            if seen.insert(key.clone()) {
                touched.push(key);
            }
        }
        let now = Utc::now();
        let rows: Vec<AuthorInfluence> = touched
            .iter()
            .filter_map(|key| self.authors.get(key).map(|entry| row(key, entry, now)))
            .collect();
        store.upsert_author_influence(&rows)?;
        Ok(rows.len())
    }

    /// Reads from the store the states of authors not in memory.
    fn load_missing<'a>(
        &mut self,
        store: &dyn Store,
        keys: impl Iterator<Item = &'a (Source, String)>,
    ) -> Result<(), ServiceError> {
        let mut missing: Vec<&(Source, String)> = keys.filter(|key| !self.authors.contains_key(*key)).collect();
        missing.sort();
        missing.dedup();
        if missing.is_empty() {
            return Ok(());
        }
        if self.authors.len() + missing.len() > CACHED_AUTHORS {
            self.authors.clear();
        }
        let asked: Vec<(Source, &str)> = missing.iter().map(|(source, handle)| (*source, handle.as_str())).collect();
        let found = store.author_influence(&asked)?;
        let loaded: Vec<((Source, String), AuthorEntry)> = missing
            .into_iter()
            .zip(found)
            .filter_map(|(key, row)| {
                let row = row?;
                // A state the current code cannot read starts afresh rather than failing ingestion.
                let state = serde_json::from_str(&row.state).unwrap_or_default();
                Some((key.clone(), AuthorEntry { state, display_name: row.display_name, followers: row.followers }))
            })
            .collect();
        self.authors.extend(loaded);
        Ok(())
    }
}

enum Update<'a> {
    Post(&'a StoredMention),
    Echo(Echo),
}

/// How a mention echoes another post, and that post's external id.
fn echo_of(stored: &StoredMention) -> Option<(Echo, &str)> {
    let links = &stored.mention.links;
    if let Some(original) = &links.reposted {
        return Some((Echo::Repost, original));
    }
    if let Some(original) = &links.quoted {
        return Some((Echo::Quote, original));
    }
    links.in_reply_to.as_deref().map(|original| (Echo::Reply, original))
}

fn row(key: &(Source, String), entry: &AuthorEntry, now: chrono::DateTime<Utc>) -> AuthorInfluence {
    AuthorInfluence {
        source: key.0,
        handle: key.1.clone(),
        display_name: entry.display_name.clone(),
        followers: entry.followers,
        score: entry.state.score(),
        posts: entry.state.posts,
        echoes: entry.state.echoes,
        state: serde_json::to_string(&entry.state).unwrap_or_else(|_| "{}".into()),
        updated_at: now,
    }
}
