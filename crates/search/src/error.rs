//! The search crate's one error type.

/// What can go wrong with the search index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The index on disk was built by another version of Comptoir: run `reindex`.
    #[error("the search index at {path} was built with another schema ({found}); rebuild it with reindex")]
    SchemaMismatch { path: String, found: String },
    /// Another Comptoir process writes this index; this one can only read it.
    #[error("the search index is written by another Comptoir process; this one can only read it")]
    ReadOnly,
    #[error("search index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("search index directory error: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("search index directory error: {0}")]
    OpenRead(#[from] tantivy::directory::error::OpenReadError),
    #[error("search index I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl SearchError {
    pub fn kind(&self) -> domain::ErrorKind {
        match self {
            SearchError::SchemaMismatch { .. } | SearchError::ReadOnly => domain::ErrorKind::Unavailable,
            _ => domain::ErrorKind::Internal,
        }
    }
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;
