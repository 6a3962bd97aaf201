//! The small set of error kinds every crate maps its errors to; only `web` turns a kind
//! into an HTTP status and only `cli` into an exit code.

/// What went wrong, as a caller needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    /// Malformed input.
    Invalid,
    /// Well-formed, but a rule refuses it (merging a contact with itself).
    Unprocessable,
    /// No valid credentials (or wrong ones at login).
    Unauthenticated,
    Conflict,
    Forbidden,
    Unavailable,
    Internal,
}

/// Errors raised by the domain rules themselves.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DomainError {
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}

impl DomainError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            DomainError::Invalid { .. } => ErrorKind::Invalid,
        }
    }
}
