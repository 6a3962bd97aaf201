//! Case statuses and the transitions allowed between them.
//!
//! | from \ to          | new | open | pending_customer | on_hold | resolved | closed |
//! |--------------------|-----|------|------------------|---------|----------|--------|
//! | `new`              |  –  | yes  | yes              | yes     | yes      | no     |
//! | `open`             | no  |  –   | yes              | yes     | yes      | no     |
//! | `pending_customer` | no  | yes  |  –               | yes     | yes      | no     |
//! | `on_hold`          | no  | yes  | yes              |  –      | yes      | no     |
//! | `resolved`         | no  | yes  | no               | no      |  –       | yes    |
//! | `closed`           | no  | no   | no               | no      | no       |  –     |
//!
//! Why: nothing goes back to `new` (it means "nobody has looked yet"); every status that is
//! not final can be resolved; a resolved case reopens when the customer writes again, or is
//! closed (by hand or after a quiet period); `closed` is final: a new message opens a new case.
//! A case is only closed once resolved, so every closed case has a resolution time.
//! Staying in the same status is not a transition and is refused too, so a caller that
//! records a status change never records a no-op.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::CareError;

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Just opened; nobody has worked on it yet.
    New,
    /// An agent is on it.
    Open,
    /// Waiting for the customer's answer: the SLA clock is paused.
    PendingCustomer,
    /// Waiting for something inside the company (another team, a supplier); the clock runs.
    OnHold,
    /// Answered; reopens if the customer writes again.
    Resolved,
    /// Final.
    Closed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 6] = [
        CaseStatus::New,
        CaseStatus::Open,
        CaseStatus::PendingCustomer,
        CaseStatus::OnHold,
        CaseStatus::Resolved,
        CaseStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::New => "new",
            CaseStatus::Open => "open",
            CaseStatus::PendingCustomer => "pending_customer",
            CaseStatus::OnHold => "on_hold",
            CaseStatus::Resolved => "resolved",
            CaseStatus::Closed => "closed",
        }
    }

    /// Parses a name of [`CaseStatus::as_str`] (any case, surrounding spaces ignored).
    pub fn parse(name: &str) -> Option<CaseStatus> {
        let name = name.trim().to_ascii_lowercase();
        CaseStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == name)
    }

    /// Whether the case still needs work (it counts in an agent's load).
    pub fn is_active(self) -> bool {
        !matches!(self, CaseStatus::Resolved | CaseStatus::Closed)
    }

    /// Whether `self → to` is in the table of this module.
    pub fn can_become(self, to: CaseStatus) -> bool {
        use CaseStatus::*;
        match (self, to) {
            (from, to) if from == to => false,
            (Closed, _) | (_, New) => false,
            (_, Resolved) => true,
            (Resolved, Open | Closed) => true,
            (Resolved, _) => false,
            (_, Closed) => false,
            (New | Open | PendingCustomer | OnHold, Open | PendingCustomer | OnHold) => true,
        }
    }

    /// The statuses a case in this status may go to, in [`CaseStatus::ALL`] order (for the
    /// buttons a case page offers).
    pub fn next_statuses(self) -> Vec<CaseStatus> {
        CaseStatus::ALL
            .into_iter()
            .filter(|to| self.can_become(*to))
            .collect()
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Checks that a case may go from `from` to `to`.
pub fn transition(from: CaseStatus, to: CaseStatus) -> Result<(), CareError> {
    if from.can_become(to) {
        Ok(())
    } else {
        Err(CareError::InvalidTransition { from, to })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseStatus::*;

    /// The module table, row by row, in the order of [`CaseStatus::ALL`].
    const TABLE: [(CaseStatus, [bool; 6]); 6] = [
        (New, [false, true, true, true, true, false]),
        (Open, [false, false, true, true, true, false]),
        (PendingCustomer, [false, true, false, true, true, false]),
        (OnHold, [false, true, true, false, true, false]),
        (Resolved, [false, true, false, false, false, true]),
        (Closed, [false, false, false, false, false, false]),
    ];

    #[test]
    fn every_pair_follows_the_table() {
        for (from, row) in TABLE {
            for (to, allowed) in CaseStatus::ALL.into_iter().zip(row) {
                let result = transition(from, to);
                assert_eq!(result.is_ok(), allowed, "{from} -> {to}");
                if !allowed {
                    assert_eq!(result, Err(CareError::InvalidTransition { from, to }));
                }
            }
        }
    }

    #[test]
    fn names_round_trip_through_serde_and_parse() {
        for status in CaseStatus::ALL {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(serde_json::from_str::<CaseStatus>(&json).unwrap(), status);
            assert_eq!(
                CaseStatus::parse(&format!(" {} ", status.as_str().to_uppercase())),
                Some(status)
            );
        }
        assert_eq!(CaseStatus::parse("pending"), None);
    }

    #[test]
    fn next_statuses_list_the_allowed_transitions() {
        assert_eq!(Resolved.next_statuses(), [Open, Closed]);
        assert!(Closed.next_statuses().is_empty());
        for status in CaseStatus::ALL {
            assert!(
                status
                    .next_statuses()
                    .iter()
                    .all(|to| transition(status, *to).is_ok())
            );
        }
    }

    #[test]
    fn only_resolved_and_closed_are_inactive() {
        let active: Vec<_> = CaseStatus::ALL
            .into_iter()
            .filter(|s| s.is_active())
            .collect();
        assert_eq!(active, [New, Open, PendingCustomer, OnHold]);
    }
}
