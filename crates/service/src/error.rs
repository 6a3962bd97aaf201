//! The service's one error type; each variant keeps its cause's kind.

use domain::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Search(#[from] search::SearchError),
    #[error(transparent)]
    Connector(#[from] connectors::ConnectorError),
    #[error("invalid query: {0}")]
    Query(#[from] listen::QueryError),
    #[error("configuration: {0}")]
    Config(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Forbidden(String),
    /// Wrong e-mail or password, or no valid session or token (one message for all).
    #[error("{0}")]
    Unauthenticated(String),
    #[error(transparent)]
    Domain(#[from] domain::DomainError),
    #[error(transparent)]
    Signals(#[from] signals::SignalsError),
    #[error(transparent)]
    Care(#[from] care::CareError),
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
}

impl ServiceError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            ServiceError::Store(error) => error.kind(),
            ServiceError::Search(_) => ErrorKind::Internal,
            ServiceError::Connector(error) => error.kind(),
            ServiceError::Query(_) | ServiceError::Invalid(_) | ServiceError::Config(_) => ErrorKind::Invalid,
            ServiceError::NotFound(_) => ErrorKind::NotFound,
            ServiceError::Unprocessable(_) => ErrorKind::Unprocessable,
            ServiceError::Conflict(_) => ErrorKind::Conflict,
            ServiceError::Forbidden(_) => ErrorKind::Forbidden,
            ServiceError::Unauthenticated(_) => ErrorKind::Unauthenticated,
            ServiceError::Domain(error) => error.kind(),
            ServiceError::Signals(error) => error.kind(),
            ServiceError::Care(error) => error.kind(),
            ServiceError::Io { .. } => ErrorKind::Unavailable,
        }
    }

    pub fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> ServiceError {
        let context = context.into();
        move |source| ServiceError::Io { context, source }
    }
}
