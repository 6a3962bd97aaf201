#![doc = include_str!("../README.md")]

pub mod calendar;
pub mod canned;
pub mod forecast;
pub mod channel;
pub mod phone;
pub mod priority;
pub mod routing;
pub mod sla;
pub mod staffing;
pub mod status;

mod error;
mod serde_seconds;

pub use calendar::BusinessCalendar;
pub use error::CareError;
pub use priority::Priority;
pub use sla::{SlaClock, SlaPolicy};
pub use status::CaseStatus;
