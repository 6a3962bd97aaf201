//! What a search asks for and what it returns.

use domain::MentionId;

pub use crate::facets::Facets;

/// How to order hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Best match first (BM25, boosted by French and English stemmed forms).
    #[default]
    Relevance,
    Newest,
    Oldest,
}

/// A search: a parsed listening query, an order and a page.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: listen::Query,
    pub sort: Sort,
    /// Hits to return (0 returns only the total and the facets).
    pub limit: usize,
    /// Hits to skip, for paging.
    pub offset: usize,
    /// Only mentions written in this window (`None`: any time).
    pub within: Option<TimeRange>,
}

impl SearchRequest {
    /// The first `limit` hits by relevance.
    pub fn new(query: listen::Query, limit: usize) -> SearchRequest {
        SearchRequest { query, sort: Sort::Relevance, limit, offset: 0, within: None }
    }
}

/// A window of mention creation times, `[from, to)` in Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub from: i64,
    pub to: i64,
}

/// One matching mention.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub id: MentionId,
    /// Relevance score; 0 when sorted by date.
    pub score: f32,
}

/// The page of hits, with the total and facets over all matches.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchResults {
    /// Number of matching mentions, whatever the limit.
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
}
