//! The store's one error type.

use domain::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] postgres::Error),
    #[error("cannot open the store at {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    /// Input no backend can store as given (text with a NUL character).
    #[error("{0}")]
    Invalid(String),
}

impl StoreError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            StoreError::Conflict(_) => ErrorKind::Conflict,
            StoreError::NotFound(_) => ErrorKind::NotFound,
            StoreError::Invalid(_) => ErrorKind::Invalid,
            StoreError::Open { .. } => ErrorKind::Unavailable,
            _ => ErrorKind::Internal,
        }
    }
}
