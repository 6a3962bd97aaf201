//! SLA policies and the clocks they give a case: when its first response, next response
//! and resolution are due, in business time on a [`BusinessCalendar`](crate::BusinessCalendar),
//! and whether each is pending, in warning, met or breached.
//!
//! The clocks run while the case is `new`, `open` or `on_hold`; they are paused while it is
//! `pending_customer` (so every due time moves later by the business time spent waiting for
//! the customer) and stopped once it is `resolved` or `closed` (a reopened case resumes).

mod clock;
mod policy;

pub use clock::{
    CaseEvent, CaseEventKind, CaseHistory, CaseMetrics, ElapsedTime, SlaClock, SlaDue, SlaState,
};
pub use policy::{SlaPolicy, SlaTargets};

#[cfg(test)]
mod tests;
