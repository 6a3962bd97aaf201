//! The crate's one error type.

/// Errors of the `signals` crate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SignalsError {
    #[error("invalid signals configuration: {0}")]
    /// A configuration value is out of range; the message names the field.
    InvalidConfig(String),
    /// A bucket came at or before one already observed for the same series.
    #[error("bucket {got} of `{series}` is not after the last one observed ({previous})")]
    OutOfOrder {
        series: String,
        previous: i64,
        got: i64,
    },
}

impl SignalsError {
    /// The kind the web and CLI layers map to a status or an exit code.
    pub fn kind(&self) -> domain::ErrorKind {
        match self {
            SignalsError::InvalidConfig(_) | SignalsError::OutOfOrder { .. } => {
                domain::ErrorKind::Invalid
            }
        }
    }
}
