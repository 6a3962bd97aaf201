//! The one error type of this crate.

use domain::ErrorKind;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NlpError {
    /// Model bytes that are not a model this version can read.
    #[error("invalid model file: {0}")]
    InvalidModel(String),
    /// Training data that cannot give a model (no examples, a single label…).
    #[error("cannot train: {0}")]
    InvalidTrainingData(String),
}

impl NlpError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            NlpError::InvalidModel(_) | NlpError::InvalidTrainingData(_) => ErrorKind::Invalid,
        }
    }
}
