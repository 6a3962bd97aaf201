//! The sequential stage of the pipeline: link copies to their originals, commit to the
//! store (durably), then bring the search index along.
//!
//! One `Writer` per process, behind a mutex: near-duplicate memory and the index
//! watermark are its state.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use domain::{MentionId, QuarantineRecord, StoredMention};
use search::SearchIndex;
use store::{MentionWrite, Store, WriteOutcome};

use crate::counters::Counters;
use crate::early_warning::EarlyWarning;
use crate::neardup::{NearDuplicateIndex, Signature};
use crate::prepare::Prepared;
use crate::ServiceError;

/// What one batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct BatchReport {
    /// Mention records received (stored + duplicates + quarantined).
    pub read: u64,
    pub stored: u64,
    pub duplicates: u64,
    pub quarantined: u64,
    /// Well-formed records without a mention (likes, follows, profile updates).
    pub ignored: u64,
    pub edited: u64,
    pub deleted: u64,
    /// Stored mentions linked to an original they copy or repost.
    pub linked_copies: u64,
    /// The first quarantined records' positions and reasons (at most
    /// [`BatchReport::MAX_SAMPLES`]).
    pub quarantine_samples: Vec<QuarantineSample>,
}

/// Where and why one record was quarantined.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QuarantineSample {
    pub origin: String,
    pub position: String,
    pub reason: String,
}

impl BatchReport {
    pub fn add(&mut self, other: &BatchReport) {
        self.read += other.read;
        self.stored += other.stored;
        self.duplicates += other.duplicates;
        self.quarantined += other.quarantined;
        self.ignored += other.ignored;
        self.edited += other.edited;
        self.deleted += other.deleted;
        self.linked_copies += other.linked_copies;
        let room = Self::MAX_SAMPLES.saturating_sub(self.quarantine_samples.len());
        self.quarantine_samples.extend(other.quarantine_samples.iter().take(room).cloned());
    }

    pub const MAX_SAMPLES: usize = 20;
}

/// How often the search index is committed while mentions keep coming: new mentions
/// are searchable within about a second.
pub const LIVE_COMMIT_INTERVAL: Duration = Duration::from_millis(1000);
/// Ids of recently stored originals remembered to link reposts without a store lookup.
const RECENT_IDS: usize = 200_000;

pub struct Writer {
    store: Arc<dyn Store>,
    /// `None` when another process owns the index: it will catch up from the store.
    index: Option<Arc<SearchIndex>>,
    counters: Arc<Counters>,
    near_duplicates: NearDuplicateIndex,
    recent_ids: HashMap<(domain::Source, String), MentionId>,
    influence: crate::influence::InfluenceTracker,
    /// Every change with a sequence up to this one is in the index.
    index_seq: i64,
    dirty_since: Option<Instant>,
    commit_interval: Duration,
    /// Counts what is stored per bucket and slice (issue #5); `None` when another
    /// process runs it.
    early_warning: Option<EarlyWarning>,
    /// Where newly stored mentions and rejected records are announced (the web app's
    /// live page and source health).
    live_feed: Option<Arc<crate::feed::LiveFeed>>,
    /// Opens and threads cases (issue #4); `None` in tools that only load mentions.
    cases: Option<crate::cases::intake::CaseIntakeStage>,
}

impl Writer {
    pub fn new(store: Arc<dyn Store>, index: Option<Arc<SearchIndex>>, counters: Arc<Counters>) -> Result<Writer, ServiceError> {
        let index_seq = match &index {
            Some(index) => index.indexed_seq()?,
            None => 0,
        };
        let mut writer = Writer {
            store,
            index,
            counters,
            near_duplicates: NearDuplicateIndex::default(),
            recent_ids: HashMap::new(),
            influence: Default::default(),
            index_seq,
            dirty_since: None,
            commit_interval: LIVE_COMMIT_INTERVAL,
            early_warning: None,
            live_feed: None,
            cases: None,
        };
        writer.catch_up()?;
        Ok(writer)
    }

    /// Sets how often the index commits while writing continues: a bulk import commits
    /// rarely (each commit finalises a segment), a live server every second.
    pub fn set_commit_interval(&mut self, interval: Duration) -> Duration {
        std::mem::replace(&mut self.commit_interval, interval)
    }

    /// Hands the early warning to this writer (or takes it back with `None`).
    pub fn set_early_warning(&mut self, early_warning: Option<EarlyWarning>) -> Option<EarlyWarning> {
        std::mem::replace(&mut self.early_warning, early_warning)
    }

    /// Announces what this writer stores to `feed`'s listeners.
    pub fn set_live_feed(&mut self, feed: Arc<crate::feed::LiveFeed>) {
        self.live_feed = Some(feed);
    }

    /// Hands the case rules to this writer (or takes them back with `None`).
    pub(crate) fn set_case_intake(
        &mut self,
        cases: Option<crate::cases::intake::CaseIntakeStage>,
    ) -> Option<crate::cases::intake::CaseIntakeStage> {
        std::mem::replace(&mut self.cases, cases)
    }

    pub fn early_warning_mut(&mut self) -> Option<&mut EarlyWarning> {
        self.early_warning.as_mut()
    }

    pub fn has_index(&self) -> bool {
        self.index.is_some()
    }

    /// Brings the index in line with the store: applies every change after the index's
    /// watermark. Run at start (after a crash or a kill) and when another process wrote.
    pub fn catch_up(&mut self) -> Result<u64, ServiceError> {
        let Some(index) = self.index.clone() else { return Ok(0) };
        let mut applied = 0u64;
        loop {
            let changes = self.store.changes_since(self.index_seq, 5_000)?;
            if changes.upserted.is_empty() && changes.deleted.is_empty() {
                break;
            }
            index.delete_mentions(&changes.deleted)?;
            index.add_mentions(&changes.upserted)?;
            applied += (changes.upserted.len() + changes.deleted.len()) as u64;
            self.index_seq = changes.last_seq;
        }
        if applied > 0 {
            index.commit(self.index_seq)?;
            Counters::add(&self.counters.index_commits, 1);
            tracing::info!(applied, seq = self.index_seq, "search index caught up with the store");
        }
        Ok(applied)
    }

    /// Catches up only when the store has changes the index has not seen.
    pub fn catch_up_if_behind(&mut self) -> Result<u64, ServiceError> {
        if self.index.is_some() && self.dirty_since.is_none() && self.store.last_seq()? > self.index_seq {
            return self.catch_up();
        }
        Ok(0)
    }

    /// Writes one batch of prepared records, in order.
    pub fn write(&mut self, batch: Vec<Prepared>) -> Result<BatchReport, ServiceError> {
        let mut report = BatchReport::default();
        let seq_before = self.store.last_seq()?;
        let mut seq_consumed = 0i64;
        let mut quarantine = Vec::new();
        let mut run: Vec<(MentionWrite, Option<Signature>)> = Vec::new();
        for prepared in batch {
            match prepared {
                Prepared::Mention { write, signature } => run.push((write, signature)),
                Prepared::Rejected(record) => quarantine.push(record),
                Prepared::Ignored => report.ignored += 1,
                Prepared::Edit(write) => {
                    seq_consumed += self.write_mentions(std::mem::take(&mut run), &mut report)?;
                    if let Some(id) = self.store.update_mention(&write)? {
                        seq_consumed += 1;
                        report.edited += 1;
                        self.index_written(&[stored(id, write)])?;
                    }
                }
                Prepared::Delete { source, external_id } => {
                    seq_consumed += self.write_mentions(std::mem::take(&mut run), &mut report)?;
                    if let Some(id) = self.store.delete_mention(source, &external_id)? {
                        seq_consumed += 1;
                        report.deleted += 1;
                        if let Some(index) = &self.index {
                            index.delete_mentions(&[id])?;
                            self.dirty_since.get_or_insert_with(Instant::now);
                        }
                    }
                }
            }
        }
        seq_consumed += self.write_mentions(run, &mut report)?;
        self.write_quarantine(quarantine, &mut report)?;
        Counters::add(&self.counters.mentions_edited, report.edited);
        Counters::add(&self.counters.mentions_deleted, report.deleted);
        self.advance_watermark(seq_before, seq_consumed)?;
        self.commit_index_if_due()?;
        Ok(report)
    }

    /// Commits the index now (at the end of an import, before shutdown).
    pub fn flush(&mut self) -> Result<(), ServiceError> {
        self.commit_index_now()?;
        self.catch_up_if_behind()?;
        Ok(())
    }

    /// Periodic work for a long-running writer: commit, and catch up with other writers.
    pub fn tick(&mut self) -> Result<(), ServiceError> {
        if let Some(early_warning) = &mut self.early_warning {
            if let Err(error) = early_warning.close_due_buckets() {
                tracing::error!(%error, "the early warning failed to close a bucket");
            }
        }
        self.commit_index_if_due()?;
        self.catch_up_if_behind()?;
        Ok(())
    }

    fn write_quarantine(&mut self, records: Vec<QuarantineRecord>, report: &mut BatchReport) -> Result<(), ServiceError> {
        if records.is_empty() {
            return Ok(());
        }
        self.store.quarantine(&records)?;
        if let Some(feed) = &self.live_feed {
            records.iter().for_each(|record| feed.rejected(&record.format, &record.reason));
        }
        report.quarantine_samples.extend(records.iter().take(BatchReport::MAX_SAMPLES).map(|record| QuarantineSample {
            origin: record.origin.clone(),
            position: record.position.clone(),
            reason: record.reason.clone(),
        }));
        report.quarantined += records.len() as u64;
        report.read += records.len() as u64;
        Ok(())
    }

    /// Stores a run of new mentions: originals first, then the copies of originals
    /// of the same run (which need their original's id). Returns sequences consumed.
    fn write_mentions(&mut self, run: Vec<(MentionWrite, Option<Signature>)>, report: &mut BatchReport) -> Result<i64, ServiceError> {
        if run.is_empty() {
            return Ok(0);
        }
        report.read += run.len() as u64;
        let mut batch_copies = NearDuplicateIndex::default();
        let mut first_pass = Vec::with_capacity(run.len());
        let mut first_pass_signatures = Vec::with_capacity(run.len());
        // (write, position in first_pass of its original)
        let mut second_pass: Vec<(MentionWrite, usize)> = Vec::new();
        for (mut write, signature) in run {
            write.duplicate_of = self.known_original(&write, signature.as_ref())?;
            if write.duplicate_of.is_none() {
                if let Some(signature) = &signature {
                    if let Some(MentionId(position)) = batch_copies.find(signature) {
                        second_pass.push((write, position as usize));
                        continue;
                    }
                    batch_copies.insert(*signature, MentionId(first_pass.len() as i64));
                }
            }
            first_pass_signatures.push(signature);
            first_pass.push(write);
        }
        let started = Instant::now();
        let outcomes = self.store.insert_mentions(&first_pass)?;
        Counters::time(&self.counters.store_micros, started);
        for ((write, signature), outcome) in first_pass.iter().zip(&first_pass_signatures).zip(&outcomes) {
            if let (WriteOutcome::Inserted { id, .. }, None, Some(signature)) = (outcome, write.duplicate_of, signature) {
                self.near_duplicates.insert(*signature, *id);
            }
        }
        let mut consumed = self.account(first_pass, &outcomes, report)?;
        if !second_pass.is_empty() {
            let copies: Vec<MentionWrite> = second_pass
                .into_iter()
                .map(|(mut write, position)| {
                    write.duplicate_of = Some(outcome_id(&outcomes[position]));
                    write
                })
                .collect();
            let started = Instant::now();
            let outcomes = self.store.insert_mentions(&copies)?;
            Counters::time(&self.counters.store_micros, started);
            consumed += self.account(copies, &outcomes, report)?;
        }
        Counters::add(&self.counters.store_batches, 1);
        Ok(consumed)
    }

    /// Counts outcomes, remembers ids, indexes what was inserted.
    fn account(&mut self, writes: Vec<MentionWrite>, outcomes: &[WriteOutcome], report: &mut BatchReport) -> Result<i64, ServiceError> {
        let written = writes.len();
        let mut inserted = Vec::with_capacity(written);
        for (write, outcome) in writes.into_iter().zip(outcomes) {
            match outcome {
                WriteOutcome::Inserted { id, .. } => {
                    report.stored += 1;
                    if write.duplicate_of.is_some() {
                        report.linked_copies += 1;
                        if write.mention.is_repost() {
                            Counters::add(&self.counters.mentions_repost, 1);
                        } else {
                            Counters::add(&self.counters.mentions_near_duplicate, 1);
                        }
                    }
                    self.remember(&write, *id);
                    inserted.push(stored(*id, write));
                }
                WriteOutcome::Duplicate { .. } => report.duplicates += 1,
            }
        }
        Counters::add(&self.counters.mentions_stored, inserted.len() as u64);
        Counters::add(&self.counters.mentions_duplicate, (written - inserted.len()) as u64);
        let consumed = inserted.len() as i64;
        self.record_influence(&inserted);
        if let Some(early_warning) = &mut self.early_warning {
            // A failure of the early warning never fails the ingestion it watches.
            if let Err(error) = early_warning.count(&inserted) {
                tracing::error!(%error, "the early warning failed to count a batch");
            }
        }
        self.open_cases(&inserted);
        self.index_inserted(&inserted)?;
        if let Some(feed) = &self.live_feed {
            feed.stored(&inserted);
        }
        Ok(consumed)
    }

    /// Runs the case rules over newly stored mentions. A failure is logged: the mentions
    /// are stored, and an agent still finds them by search.
    fn open_cases(&mut self, inserted: &[StoredMention]) {
        let Some(cases) = &mut self.cases else { return };
        let started = Instant::now();
        let influence = &self.influence;
        let score = |source: domain::Source, handle: &str| influence.score(source, handle).unwrap_or(0.0);
        match cases.run(self.store.as_ref(), inserted, &score) {
            Ok(opened) => Counters::add(&self.counters.cases_opened, opened as u64),
            Err(error) => tracing::error!(%error, "the case rules failed on a batch"),
        }
        Counters::time(&self.counters.cases_micros, started);
    }

    /// The stored original a mention reposts, or a near-duplicate of it.
    fn known_original(&mut self, write: &MentionWrite, signature: Option<&Signature>) -> Result<Option<MentionId>, ServiceError> {
        let mention = &write.mention;
        if let Some(reposted) = &mention.links.reposted {
            let key = (mention.source, reposted.clone());
            if let Some(id) = self.recent_ids.get(&key) {
                return Ok(Some(*id));
            }
            if let Some(original) = self.store.find_mention(mention.source, reposted)? {
                return Ok(Some(original.id));
            }
        }
        Ok(signature.and_then(|signature| self.near_duplicates.find(signature)))
    }

    fn remember(&mut self, write: &MentionWrite, id: MentionId) {
        if self.recent_ids.len() >= RECENT_IDS {
            self.recent_ids.clear();
        }
        self.recent_ids.insert((write.mention.source, write.mention.external_id.clone()), id);
    }

    /// Updates the real influence of the authors of (and echoed by) newly stored
    /// mentions. Derived data: a failure is logged, never fails the batch.
    fn record_influence(&mut self, inserted: &[StoredMention]) {
        let started = Instant::now();
        if let Err(error) = self.influence.record(self.store.as_ref(), inserted) {
            tracing::warn!(%error, "author influence not updated for a batch");
        }
        Counters::time(&self.counters.influence_micros, started);
    }

    /// Indexes mentions the store has just inserted (new ids: nothing to replace).
    fn index_inserted(&mut self, mentions: &[StoredMention]) -> Result<(), ServiceError> {
        let Some(index) = &self.index else { return Ok(()) };
        if mentions.is_empty() {
            return Ok(());
        }
        let started = Instant::now();
        index.add_new_mentions(mentions)?;
        Counters::time(&self.counters.index_micros, started);
        Counters::add(&self.counters.mentions_indexed, mentions.len() as u64);
        self.dirty_since.get_or_insert_with(Instant::now);
        Ok(())
    }

    fn index_written(&mut self, mentions: &[StoredMention]) -> Result<(), ServiceError> {
        let Some(index) = &self.index else { return Ok(()) };
        if mentions.is_empty() {
            return Ok(());
        }
        let started = Instant::now();
        index.add_mentions(mentions)?;
        Counters::time(&self.counters.index_micros, started);
        Counters::add(&self.counters.mentions_indexed, mentions.len() as u64);
        self.dirty_since.get_or_insert_with(Instant::now);
        Ok(())
    }

    /// Moves the index watermark over this batch's changes when no other writer took
    /// sequences meanwhile; otherwise catches up from the store.
    fn advance_watermark(&mut self, seq_before: i64, seq_consumed: i64) -> Result<(), ServiceError> {
        if self.index.is_none() || seq_consumed == 0 {
            return Ok(());
        }
        let seq_after = self.store.last_seq()?;
        if seq_before == self.index_seq && seq_after - seq_before == seq_consumed {
            self.index_seq = seq_after;
            return Ok(());
        }
        self.commit_index_now()?;
        self.catch_up()?;
        Ok(())
    }

    fn commit_index_if_due(&mut self) -> Result<(), ServiceError> {
        match self.dirty_since {
            Some(since) if since.elapsed() >= self.commit_interval => self.commit_index_now(),
            _ => Ok(()),
        }
    }

    fn commit_index_now(&mut self) -> Result<(), ServiceError> {
        if let (Some(index), Some(_)) = (&self.index, self.dirty_since.take()) {
            let started = Instant::now();
            index.commit(self.index_seq)?;
            Counters::time(&self.counters.index_commit_micros, started);
            Counters::add(&self.counters.index_commits, 1);
        }
        Ok(())
    }
}

fn outcome_id(outcome: &WriteOutcome) -> MentionId {
    match outcome {
        WriteOutcome::Inserted { id, .. } | WriteOutcome::Duplicate { id } => *id,
    }
}

fn stored(id: MentionId, write: MentionWrite) -> StoredMention {
    StoredMention {
        id,
        mention: write.mention,
        duplicate_of: write.duplicate_of,
        topics: write.topics,
        enrichment: write.enrichment,
        ingested_at: Utc::now(),
    }
}
