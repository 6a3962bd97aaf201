//! The crate's one error type, mapped to the small set of [`domain::ErrorKind`]s.

use domain::ErrorKind;

use crate::channel::ReplyRejected;
use crate::status::CaseStatus;

/// Errors raised by the care rules.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CareError {
    /// A case cannot go from one status to another (see [`crate::status`]).
    #[error("a case cannot go from {from} to {to}")]
    InvalidTransition { from: CaseStatus, to: CaseStatus },
    /// A calendar, an SLA policy, a routing rule or a staffing question is malformed.
    #[error("invalid {what}: {reason}")]
    InvalidConfig { what: &'static str, reason: String },
    /// A canned response names a variable that does not exist.
    #[error("unknown variable {{{{{0}}}}} in the canned response")]
    UnknownVariable(String),
    /// A canned response uses a known variable for which no value was given.
    #[error("no value for {{{{{0}}}}} in the canned response")]
    MissingValue(String),
    /// A reply breaks its channel's rules.
    #[error(transparent)]
    ReplyRejected(#[from] ReplyRejected),
    /// A phone number could not be read.
    #[error("invalid phone number {input:?}: {reason}")]
    InvalidPhone { input: String, reason: String },
}

impl CareError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            // The request is well-formed but conflicts with the case's current state.
            CareError::InvalidTransition { .. } => ErrorKind::Conflict,
            CareError::InvalidConfig { .. }
            | CareError::UnknownVariable(_)
            | CareError::MissingValue(_)
            | CareError::ReplyRejected(_)
            | CareError::InvalidPhone { .. } => ErrorKind::Invalid,
        }
    }

    pub(crate) fn config(what: &'static str, reason: impl Into<String>) -> CareError {
        CareError::InvalidConfig {
            what,
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_problem_and_kinds_stay_small() {
        let error = CareError::InvalidTransition {
            from: CaseStatus::Closed,
            to: CaseStatus::Open,
        };
        assert_eq!(error.to_string(), "a case cannot go from closed to open");
        assert_eq!(error.kind(), ErrorKind::Conflict);
        let error = CareError::UnknownVariable("nickname".into());
        assert_eq!(
            error.to_string(),
            "unknown variable {{nickname}} in the canned response"
        );
        assert_eq!(error.kind(), ErrorKind::Invalid);
        assert_eq!(
            CareError::MissingValue("agent_name".into()).to_string(),
            "no value for {{agent_name}} in the canned response"
        );
    }
}
