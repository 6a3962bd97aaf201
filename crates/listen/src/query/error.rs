//! Why a query does not parse, in plain words, with the byte offset of the problem.

/// A query the parser rejects. `offset()` is the byte offset in the query text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("the query is empty")]
    Empty,
    #[error("missing closing parenthesis opened at position {opened_at}")]
    UnclosedParenthesis { opened_at: usize },
    #[error("closing parenthesis at position {at} was never opened")]
    UnopenedParenthesis { at: usize },
    #[error("empty parentheses at position {at}")]
    EmptyParentheses { at: usize },
    #[error("missing closing quote for the phrase opened at position {opened_at}")]
    UnclosedQuote { opened_at: usize },
    #[error("NEAR needs a number, as in NEAR/3 (position {at})")]
    NearNeedsNumber { at: usize },
    #[error("NEAR at position {at} links a word or phrase on each side, as in luggage NEAR/3 lost")]
    NearOperand { at: usize },
    #[error("{operator} at position {at} needs something on each side")]
    MissingOperand { operator: &'static str, at: usize },
    #[error("{operator} at position {at} needs something after it")]
    NothingToExclude { operator: &'static str, at: usize },
    #[error("\"{text}\" at position {at} has no letters or digits to search for")]
    NoWords { text: String, at: usize },
    #[error("unknown field \"{name}\" (known: lang, source, author, has, is, sentiment, intent, reason) at position {at}")]
    UnknownField { name: String, at: usize },
    #[error("\"{value}\" is not a valid value for {field}: (known: {known}) at position {at}")]
    InvalidValue { field: &'static str, value: String, known: &'static str, at: usize },
    #[error("a wildcard needs at least 2 letters before the *, as in retard* (position {at})")]
    ShortPrefix { at: usize },
    #[error("the wildcard * only goes at the end of one word, as in retard* (position {at})")]
    MisplacedWildcard { at: usize },
    #[error("spelling tolerance applies to one word, as in ~bagage or ~1bagage (position {at})")]
    BadFuzzy { at: usize },
}

impl QueryError {
    /// Byte offset in the query text where the problem is.
    pub fn offset(&self) -> usize {
        match self {
            QueryError::Empty => 0,
            QueryError::UnclosedParenthesis { opened_at }
            | QueryError::UnclosedQuote { opened_at } => *opened_at,
            QueryError::UnopenedParenthesis { at }
            | QueryError::EmptyParentheses { at }
            | QueryError::NearNeedsNumber { at }
            | QueryError::NearOperand { at }
            | QueryError::MissingOperand { at, .. }
            | QueryError::NothingToExclude { at, .. }
            | QueryError::NoWords { at, .. }
            | QueryError::UnknownField { at, .. }
            | QueryError::InvalidValue { at, .. }
            | QueryError::ShortPrefix { at }
            | QueryError::MisplacedWildcard { at }
            | QueryError::BadFuzzy { at } => *at,
        }
    }

    /// Always [`domain::ErrorKind::Invalid`]: a query error is the user's to fix.
    pub fn kind(&self) -> domain::ErrorKind {
        domain::ErrorKind::Invalid
    }
}
