//! The search index: open or create it, write mentions, commit with the store's sequence
//! number, and search.

use std::path::Path;
use std::sync::Mutex;

use domain::{MentionId, StoredMention};
use listen::fold;
use listen::matcher::{author_key, body_text, language_key, reason_key};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Schema};
use tantivy::tokenizer::TokenStream;
use tantivy::{DateTime, DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term};

use crate::aggregate::{AggregateCollector, Aggregates, Buckets};
use crate::facets::{FacetCollector, Facets};
use crate::request::{Hit, SearchRequest, SearchResults, Sort, TimeRange};
use crate::schema::{self, names, Fields, SCHEMA_VERSION};
use crate::translate::{flag, to_tantivy};
use crate::{tokenizer, Result, SearchError};

/// Memory the writer buffers before flushing a segment.
const WRITER_HEAP_BYTES: usize = 96 * 1024 * 1024;

/// The tantivy index of stored mentions. Derived data: `reindex` rebuilds it from the store.
pub struct SearchIndex {
    index: Index,
    fields: Fields,
    /// `None` when another process holds the index's writer lock: this one only reads.
    writer: Option<Mutex<IndexWriter>>,
    reader: IndexReader,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it when absent. An index built with another
    /// schema is reported as [`SearchError::SchemaMismatch`]: the caller rebuilds it.
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema::build();
        let directory = tantivy::directory::MmapDirectory::open(dir)?;
        let mismatch = |found: String| SearchError::SchemaMismatch { path: dir.display().to_string(), found };
        if Index::exists(&directory)? {
            let index = Index::open(directory)?;
            if index.schema() != schema {
                return Err(mismatch("different fields".to_string()));
            }
            let payload = index.load_metas()?.payload;
            if let Some(version) = payload.as_deref().and_then(payload_version)
                && version != SCHEMA_VERSION
            {
                return Err(mismatch(format!("version {version}, expected {SCHEMA_VERSION}")));
            }
            return SearchIndex::with_index(index, fields);
        }
        SearchIndex::with_index(Index::create(directory, schema, Default::default())?, fields)
    }

    /// A fresh index in memory, for tests.
    pub fn open_in_ram() -> Result<SearchIndex> {
        let (schema, fields) = schema::build();
        SearchIndex::with_index(Index::create_in_ram(schema), fields)
    }

    fn with_index(index: Index, fields: Fields) -> Result<SearchIndex> {
        tokenizer::register(index.tokenizers());
        let writer = match index.writer(WRITER_HEAP_BYTES) {
            Ok(writer) => Some(Mutex::new(writer)),
            Err(tantivy::TantivyError::LockFailure(..)) => None,
            Err(error) => return Err(error.into()),
        };
        // A read-only index follows the commits of the process that writes it.
        let policy = if writer.is_some() { ReloadPolicy::Manual } else { ReloadPolicy::OnCommitWithDelay };
        let reader = index.reader_builder().reload_policy(policy).try_into()?;
        Ok(SearchIndex { index, fields, writer, reader })
    }

    /// Whether this process may write the index (no other process holds its lock).
    pub fn is_writable(&self) -> bool {
        self.writer.is_some()
    }

    fn writer(&self) -> Result<std::sync::MutexGuard<'_, IndexWriter>> {
        let writer = self.writer.as_ref().ok_or(SearchError::ReadOnly)?;
        Ok(writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    /// Adds mentions the index cannot hold yet: ids the store just assigned (ids are
    /// never reused). Skips the delete-before-add of [`SearchIndex::add_mentions`], which
    /// tantivy would otherwise apply to every segment at commit.
    pub fn add_new_mentions(&self, mentions: &[StoredMention]) -> Result<()> {
        let writer = self.writer()?;
        for stored in mentions {
            writer.add_document(self.document(stored))?;
        }
        Ok(())
    }

    /// Adds mentions, replacing any indexed mention with the same id. Visible after
    /// [`SearchIndex::commit`].
    pub fn add_mentions(&self, mentions: &[StoredMention]) -> Result<()> {
        let writer = self.writer()?;
        for stored in mentions {
            writer.delete_term(self.id_term(stored.id));
            writer.add_document(self.document(stored))?;
        }
        Ok(())
    }

    /// Removes mentions by id. Visible after [`SearchIndex::commit`].
    pub fn delete_mentions(&self, ids: &[MentionId]) -> Result<()> {
        let writer = self.writer()?;
        for &id in ids {
            writer.delete_term(self.id_term(id));
        }
        Ok(())
    }

    /// Makes every change visible and durable, recording `seq`: the store's change
    /// sequence number the index is now up to date with.
    pub fn commit(&self, seq: i64) -> Result<()> {
        let mut writer = self.writer()?;
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&format!("{SCHEMA_VERSION}:{seq}"));
        prepared.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// The sequence number of the last commit; 0 for a new or cleared index.
    pub fn indexed_seq(&self) -> Result<i64> {
        let payload = self.index.load_metas()?.payload;
        let seq = payload.as_deref().and_then(|payload| payload.split_once(':')).and_then(|(_, seq)| seq.parse().ok());
        Ok(seq.unwrap_or(0))
    }

    /// Removes every mention and commits with sequence number 0, before a reindex.
    pub fn clear(&self) -> Result<()> {
        self.writer()?.delete_all_documents()?;
        self.commit(0)
    }

    /// Runs a search: the total and facets cover all matches, the hits one page.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        let matching = self.within(to_tantivy(request.query.root(), &self.fields)?, request.within);
        let searcher = self.reader.searcher();
        let (total, counts) = searcher.search(&matching, &(Count, FacetCollector))?;
        let facets = Facets::from_counts(counts);
        if request.limit == 0 || request.offset >= total {
            return Ok(SearchResults { total, hits: Vec::new(), facets });
        }
        let page = TopDocs::with_limit(request.limit).and_offset(request.offset);
        // (score, date for date sorts, address)
        let addresses: Vec<(f32, Option<i64>, DocAddress)> = match request.sort {
            Sort::Relevance => searcher
                .search(&self.with_relevance_boosts(matching, &request.query), &page.order_by_score())?
                .into_iter()
                .map(|(score, address)| (score, None, address))
                .collect(),
            Sort::Newest | Sort::Oldest => {
                let order = if request.sort == Sort::Newest { Order::Desc } else { Order::Asc };
                let by_date = page.order_by_fast_field::<DateTime>(names::CREATED_AT, order);
                searcher
                    .search(&matching, &by_date)?
                    .into_iter()
                    .map(|(date, address)| (0.0, date.map(|date| date.into_timestamp_micros()), address))
                    .collect()
            }
        };
        let mut hits = Vec::with_capacity(addresses.len());
        let mut dates = Vec::with_capacity(addresses.len());
        for (score, date, address) in addresses {
            let ids = searcher.segment_reader(address.segment_ord).fast_fields().u64(names::ID)?;
            if let Some(id) = ids.first(address.doc_id) {
                hits.push(Hit { id: MentionId(id as i64), score });
                dates.push(date);
            }
        }
        if request.sort != Sort::Relevance {
            // Mentions of the same instant come in id order (the index's own order for
            // ties depends on which indexing thread took each document).
            let mut paired: Vec<(Option<i64>, Hit)> = dates.into_iter().zip(hits).collect();
            paired.sort_by(|(date_a, hit_a), (date_b, hit_b)| {
                let ascending = date_a.cmp(date_b).then(hit_a.id.0.cmp(&hit_b.id.0));
                if request.sort == Sort::Newest { ascending.reverse() } else { ascending }
            });
            hits = paired.into_iter().map(|(_, hit)| hit).collect();
        }
        Ok(SearchResults { total, hits, facets })
    }

    /// Mentions matching `query` written in `within` (`None`: any time).
    pub fn count(&self, query: &listen::Query, within: Option<TimeRange>) -> Result<usize> {
        let matching = self.within(to_tantivy(query.root(), &self.fields)?, within);
        Ok(self.reader.searcher().search(&matching, &Count)?)
    }

    /// The listening dashboard's counts over the mentions matching `query` inside the
    /// buckets: per bucket by source and sentiment, totals by reason and intent. Reads
    /// fast fields only, in one pass.
    pub fn aggregate(&self, query: &listen::Query, buckets: Buckets) -> Result<Aggregates> {
        let within = TimeRange { from: buckets.from, to: buckets.to() };
        let matching = self.within(to_tantivy(query.root(), &self.fields)?, Some(within));
        let fruit = self.reader.searcher().search(&matching, &AggregateCollector { buckets })?;
        Ok(Aggregates::from_fruit(fruit))
    }

    /// The creation times of the oldest and the newest indexed mention (Unix seconds),
    /// from the fast field's statistics; `None` for an empty index. Deleted mentions
    /// may still count until their segment is merged.
    pub fn time_span(&self) -> Result<Option<(i64, i64)>> {
        let searcher = self.reader.searcher();
        let mut span: Option<(i64, i64)> = None;
        for segment in searcher.segment_readers() {
            if segment.num_docs() == 0 {
                continue;
            }
            let column = segment.fast_fields().date(names::CREATED_AT)?;
            let (low, high) = (column.min_value().into_timestamp_secs(), column.max_value().into_timestamp_secs());
            span = Some(span.map_or((low, high), |(old_low, old_high)| (old_low.min(low), old_high.max(high))));
        }
        Ok(span)
    }

    /// Restricts a query to mentions created in `within`.
    fn within(&self, matching: Box<dyn Query>, within: Option<TimeRange>) -> Box<dyn Query> {
        let Some(range) = within else { return matching };
        // Tantivy counts nanoseconds in an i64: only 1677–2262 can be written.
        let at = |seconds: i64| Term::from_field_date_for_search(self.fields.created_at, index_date(seconds));
        let window = RangeQuery::new(std::ops::Bound::Included(at(range.from)), std::ops::Bound::Excluded(at(range.to)));
        Box::new(BooleanQuery::new(vec![(Occur::Must, matching), (Occur::Must, Box::new(window))]))
    }

    /// Adds optional clauses on the stemmed fields: they change the ranking, never the
    /// set of matches, which the required clause alone decides.
    fn with_relevance_boosts(&self, matching: Box<dyn Query>, query: &listen::Query) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, matching)];
        for (field, analyzer_name) in [(self.fields.body_fr, tokenizer::FRENCH), (self.fields.body_en, tokenizer::ENGLISH)] {
            let Some(mut analyzer) = self.index.tokenizers().get(analyzer_name) else { continue };
            for word in query.positive_words() {
                let mut stream = analyzer.token_stream(word);
                while let Some(token) = stream.next() {
                    let term = Term::from_field_text(field, &token.text);
                    clauses.push((Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))));
                }
            }
        }
        Box::new(BooleanQuery::new(clauses))
    }

    fn id_term(&self, id: MentionId) -> Term {
        Term::from_field_u64(self.fields.id, id.0 as u64)
    }

    fn document(&self, stored: &StoredMention) -> TantivyDocument {
        let fields = &self.fields;
        let mention = &stored.mention;
        let body = body_text(mention);
        let language = mention.language.as_deref().map(language_key).filter(|code| !code.is_empty());
        let mut document = TantivyDocument::default();
        document.add_u64(fields.id, stored.id.0 as u64);
        document.add_text(fields.body, &body);
        // Stemmed fields only rank; stemming a text in a language it is not in would
        // cost time for nothing, so a text of known language gets its own stemmer only.
        let language_is = |code: &str| language.as_deref().is_none_or(|known| known == code);
        if language_is("fr") {
            document.add_text(fields.body_fr, &body);
        }
        if language_is("en") || language.as_deref().is_some_and(|known| known != "fr") {
            document.add_text(fields.body_en, &body);
        }
        for hashtag in mention.hashtags.iter().map(|value| fold(value)).filter(|value| !value.is_empty()) {
            document.add_text(fields.hashtags, hashtag);
        }
        for handle in mention.mentioned.iter().map(|handle| author_key(handle)).filter(|handle| !handle.is_empty()) {
            document.add_text(fields.mentioned, handle);
        }
        let author = author_key(&mention.author.handle);
        if !author.is_empty() {
            document.add_text(fields.author, author);
        }
        document.add_text(fields.source, mention.source.as_str());
        if let Some(language) = &language {
            document.add_text(fields.lang, language);
        }
        let flags = [(mention.is_reply(), flag::REPLY), (mention.is_repost(), flag::REPOST), (mention.has_link(), flag::LINK)];
        for (_, name) in flags.into_iter().filter(|(is_set, _)| *is_set) {
            document.add_text(fields.flags, name);
        }
        document.add_date(fields.created_at, index_date(mention.created_at.timestamp()));
        document.add_text(fields.day, mention.created_at.format("%Y-%m-%d").to_string());
        if let Some(enrichment) = &stored.enrichment {
            document.add_text(fields.sentiment, enrichment.sentiment.as_str());
            document.add_text(fields.intent, enrichment.intent.as_str());
            let reason = enrichment.reason.as_deref().map(reason_key).filter(|reason| !reason.is_empty());
            if let Some(reason) = reason {
                document.add_text(fields.reason, reason);
            }
        }
        document
    }
}

fn payload_version(payload: &str) -> Option<u32> {
    payload.split_once(':').and_then(|(version, _)| version.parse().ok())
}

/// The schema this version of Comptoir builds (for diagnostics).
pub fn current_schema() -> Schema {
    schema::build().0
}

/// Tantivy counts nanoseconds in an i64: only the years 1677–2262 can be written. A date
/// outside (a stranger may send year 9999) is clamped to the nearest end rather than
/// overflowing (a panic in a debug build, a wrong date in a release build).
fn index_date(seconds: i64) -> DateTime {
    DateTime::from_timestamp_secs(seconds.clamp(-9_223_372_035, 9_223_372_035))
}

#[cfg(test)]
mod date_tests {
    use super::index_date;

    #[test]
    fn dates_outside_tantivys_range_are_clamped_not_overflowed() {
        let year_9999 = 253_402_300_800;
        assert_eq!(index_date(year_9999).into_timestamp_secs(), 9_223_372_035);
        assert_eq!(index_date(i64::MIN).into_timestamp_secs(), -9_223_372_035);
        assert_eq!(index_date(1_700_000_000).into_timestamp_secs(), 1_700_000_000);
    }
}
