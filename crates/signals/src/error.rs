//! The crate's one error type.

/// Errors of the `signals` crate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SignalsError {
    #[error("invalid detector configuration: {0}")]
    InvalidConfig(String),
}
