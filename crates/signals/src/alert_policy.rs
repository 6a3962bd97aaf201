//! The alert policy: which alerts go out. Pure and deterministic: the caller passes each
//! alert's timestamp, nothing reads a clock, and the state is serde-persistable.
//!
//! Two rules, applied in this order by [`AlertPolicy::decide`]:
//!
//! 1. **De-duplication.** An alert is a rule and a key (e.g. rule "volume anomaly", key
//!    the incident `(slice, started_at)`). Once a key is sent, the same rule and key are
//!    suppressed for `dedup_window_seconds` after that send, and counted. A duplicate does
//!    not extend the window, so an alert that keeps firing goes out once per window.
//! 2. **Rate limiting.** Each rule has a token bucket: `burst` tokens, refilled at
//!    `alerts_per_hour`. A send takes one token; with none left the alert is refused with
//!    the time the next token arrives, and it is not recorded as sent (so retrying it then
//!    is not a duplicate). Duplicates take no token.
//!
//! Tokens are counted in integer units (one token = 3,600 units, refilled by
//! `alerts_per_hour` units per second), so a token arrives at an exact second, with no
//! rounding. A timestamp earlier than one already seen refills nothing and counts as
//! inside any de-duplication window it precedes. Memory: one entry per key sent within
//! the last window (expired entries are dropped at each decision) and one bucket per rule.
//!
//! Why not the `governor` crate: it reads a clock (or a fake one) and its state cannot be
//! persisted; this policy must replay identically from stored timestamps.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::SignalsError;

const UNITS_PER_TOKEN: u64 = 3_600;

/// How many alerts a rule may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimit {
    /// Tokens refilled per hour (at least 1).
    pub alerts_per_hour: u32,
    /// Tokens a quiet rule accumulates: the alerts it may send at once (at least 1).
    pub burst: u32,
}

/// Tuning of [`AlertPolicy`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AlertPolicyConfig {
    /// A sent key is suppressed this long (default 3,600 s: one message per hour about the
    /// same incident is what a person on call can act on).
    pub dedup_window_seconds: i64,
    /// The limit of rules without their own (default 12 per hour, bursts of 3: a real
    /// outage gets through at once, a flapping rule cannot flood a channel).
    pub default_limit: RateLimit,
    /// Limits by rule name.
    pub rule_limits: BTreeMap<String, RateLimit>,
}

impl Default for AlertPolicyConfig {
    fn default() -> Self {
        AlertPolicyConfig {
            dedup_window_seconds: 3_600,
            default_limit: RateLimit {
                alerts_per_hour: 12,
                burst: 3,
            },
            rule_limits: BTreeMap::new(),
        }
    }
}

impl AlertPolicyConfig {
    /// Checks a non-negative window and limits of at least 1.
    pub fn validate(&self) -> Result<(), SignalsError> {
        if self.dedup_window_seconds < 0 {
            return Err(SignalsError::InvalidConfig(
                "dedup_window_seconds must not be negative".into(),
            ));
        }
        let limits = std::iter::once(("(default)", &self.default_limit)).chain(
            self.rule_limits
                .iter()
                .map(|(rule, limit)| (rule.as_str(), limit)),
        );
        for (rule, limit) in limits {
            if limit.alerts_per_hour == 0 || limit.burst == 0 {
                return Err(SignalsError::InvalidConfig(format!(
                    "rate limit of rule `{rule}` needs alerts_per_hour and burst of at least 1"
                )));
            }
        }
        Ok(())
    }

    fn limit_of(&self, rule: &str) -> RateLimit {
        self.rule_limits
            .get(rule)
            .copied()
            .unwrap_or(self.default_limit)
    }
}

/// What to do with one alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlertDecision {
    /// Deliver it.
    Send,
    /// The same rule and key went out at `sent_at`; `suppressed` counts the duplicates
    /// since then, this one included.
    Duplicate { sent_at: i64, suppressed: u64 },
    /// The rule is out of tokens; one arrives at `next_allowed_at`.
    RateLimited { next_allowed_at: i64 },
}

/// Totals since the policy was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertCounts {
    pub sent: u64,
    pub duplicates: u64,
    pub rate_limited: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SentKey {
    sent_at: i64,
    suppressed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct TokenBucket {
    units: u64,
    updated_at: i64,
}

/// De-duplication and rate limiting of alerts (module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertPolicy {
    config: AlertPolicyConfig,
    /// Keys sent within the window, by rule then key (nested so JSON keys stay strings).
    sent: BTreeMap<String, BTreeMap<String, SentKey>>,
    buckets: BTreeMap<String, TokenBucket>,
    counts: AlertCounts,
}

impl Default for AlertPolicy {
    fn default() -> Self {
        AlertPolicy::new(AlertPolicyConfig::default()).expect("the default configuration is valid")
    }
}

impl AlertPolicy {
    pub fn new(config: AlertPolicyConfig) -> Result<Self, SignalsError> {
        config.validate()?;
        Ok(AlertPolicy {
            config,
            sent: BTreeMap::new(),
            buckets: BTreeMap::new(),
            counts: AlertCounts::default(),
        })
    }

    pub fn config(&self) -> &AlertPolicyConfig {
        &self.config
    }

    pub fn counts(&self) -> AlertCounts {
        self.counts
    }

    /// Decides whether the alert of `rule` about `key` at `at` (Unix seconds) goes out,
    /// and records the decision.
    pub fn decide(&mut self, rule: &str, key: &str, at: i64) -> AlertDecision {
        self.forget_expired(at);
        if let Some(sent) = self.sent.get_mut(rule).and_then(|keys| keys.get_mut(key)) {
            sent.suppressed += 1;
            self.counts.duplicates += 1;
            return AlertDecision::Duplicate {
                sent_at: sent.sent_at,
                suppressed: sent.suppressed,
            };
        }
        let limit = self.config.limit_of(rule);
        let capacity = u64::from(limit.burst) * UNITS_PER_TOKEN;
        let bucket = self.buckets.entry(rule.to_string()).or_insert(TokenBucket {
            units: capacity,
            updated_at: at,
        });
        let elapsed = at.saturating_sub(bucket.updated_at).max(0) as u64;
        let refill = elapsed.saturating_mul(u64::from(limit.alerts_per_hour));
        bucket.units = bucket.units.saturating_add(refill).min(capacity);
        bucket.updated_at = bucket.updated_at.max(at);
        if bucket.units < UNITS_PER_TOKEN {
            let missing = UNITS_PER_TOKEN - bucket.units;
            let wait = missing.div_ceil(u64::from(limit.alerts_per_hour));
            self.counts.rate_limited += 1;
            return AlertDecision::RateLimited {
                next_allowed_at: bucket.updated_at.saturating_add(wait as i64),
            };
        }
        bucket.units -= UNITS_PER_TOKEN;
        self.sent.entry(rule.to_string()).or_default().insert(
            key.to_string(),
            SentKey {
                sent_at: at,
                suppressed: 0,
            },
        );
        self.counts.sent += 1;
        AlertDecision::Send
    }

    fn forget_expired(&mut self, at: i64) {
        let window = self.config.dedup_window_seconds;
        for keys in self.sent.values_mut() {
            keys.retain(|_, sent| at < sent.sent_at.saturating_add(window));
        }
        self.sent.retain(|_, keys| !keys.is_empty());
    }
}

#[cfg(test)]
#[path = "alert_policy_tests.rs"]
mod tests;
