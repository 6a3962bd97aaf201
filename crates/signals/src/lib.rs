#![doc = include_str!("../README.md")]

mod config;
mod detector;
mod error;
mod likelihood;
mod seasonal;
mod stats;

pub use config::{DetectorConfig, Transform};
pub use detector::Detector;
pub use error::SignalsError;
