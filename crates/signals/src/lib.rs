#![doc = include_str!("../README.md")]

pub mod alert_policy;
mod config;
mod detector;
pub mod drivers;
mod error;
pub mod incident;
mod likelihood;
mod novelty;
mod seasonal;
mod stats;
mod terms;
pub mod weak_signals;

pub use alert_policy::{AlertCounts, AlertDecision, AlertPolicy, AlertPolicyConfig, RateLimit};
pub use config::{DetectorConfig, Transform};
pub use detector::Detector;
pub use drivers::{Driver, DriversConfig, FeatureCounts, FeatureKind, drivers};
pub use error::SignalsError;
pub use incident::{
    IncidentConfig, IncidentEvent, IncidentTracker, OpenIncident, TUNED_ALERT_THRESHOLD,
};
pub use terms::terms_of;
pub use weak_signals::{WeakSignal, WeakSignalTracker, WeakSignalsConfig};
