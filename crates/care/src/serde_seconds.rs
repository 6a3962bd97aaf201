//! Durations as whole seconds in JSON (chrono's own form is a `[seconds, nanoseconds]` pair,
//! awkward for an API). Sub-second parts are dropped; they never matter for SLAs.

use chrono::Duration;
use serde::{Deserialize, Deserializer, Serializer};

pub fn serialize<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_i64(duration.num_seconds())
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    let seconds = i64::deserialize(deserializer)?;
    Duration::try_seconds(seconds).ok_or_else(|| serde::de::Error::custom("duration out of range"))
}
