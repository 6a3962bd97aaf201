#![doc = include_str!("../README.md")]

mod config;
mod detector;
mod error;
pub mod incident;
mod likelihood;
mod seasonal;
mod stats;

pub use config::{DetectorConfig, Transform};
pub use detector::Detector;
pub use error::SignalsError;
pub use incident::{
    IncidentConfig, IncidentEvent, IncidentTracker, OpenIncident, TUNED_ALERT_THRESHOLD,
};
