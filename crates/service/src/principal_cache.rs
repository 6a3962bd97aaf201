//! Who is behind a token or a session cookie, remembered for a few seconds.
//!
//! Every API request and page names its caller by a bearer token or a session cookie;
//! looking them up is two queries (the token or session, then its user). Under a busy
//! inbox that is a third of the work of a request, so the answer is kept here, keyed by
//! the secret's digest (the secret itself is never kept), for at most [`TTL`].
//!
//! Freshness: every change made through this process that can alter an answer (a user
//! changed or deactivated, a sign-out, a token created or revoked) empties the cache at
//! once. A change made by another process on the same database (a second server on
//! PostgreSQL, the CLI) takes effect within [`TTL`]. Only successful lookups are kept:
//! an unknown secret always reaches the store, so guessing cannot fill the memory, and
//! the cache holds at most [`CAPACITY`] callers (it is emptied when full).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use domain::Principal;

/// How long an answer is trusted without asking the store again.
pub const TTL: Duration = Duration::from_secs(5);
/// The most callers remembered at once.
pub const CAPACITY: usize = 10_000;

#[derive(Debug, Clone)]
struct Entry {
    principal: Principal,
    /// The session's CSRF token (empty for API tokens).
    csrf: String,
    /// When a session ends: an entry never outlives it.
    expires_at: Option<DateTime<Utc>>,
    cached_at: Instant,
}

/// Callers by secret digest (tokens and sessions have distinct prefixes, so distinct digests).
#[derive(Debug, Default)]
pub struct PrincipalCache {
    entries: Mutex<HashMap<String, Entry>>,
}

impl PrincipalCache {
    /// The remembered caller for this digest, if still fresh.
    pub fn get(&self, digest: &str) -> Option<(Principal, String)> {
        let entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let entry = entries.get(digest)?;
        let fresh = entry.cached_at.elapsed() < TTL && entry.expires_at.is_none_or(|end| end > Utc::now());
        fresh.then(|| (entry.principal.clone(), entry.csrf.clone()))
    }

    pub fn put(&self, digest: String, principal: Principal, csrf: String, expires_at: Option<DateTime<Utc>>) {
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(digest, Entry { principal, csrf, expires_at, cached_at: Instant::now() });
    }

    /// Forgets every caller: after any change to users, sessions or tokens.
    pub fn clear(&self) {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clear();
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{Role, UserId};

    fn principal() -> Principal {
        Principal { user_id: Some(UserId(1)), role: Role::Agent, scopes: Vec::new(), actor: "user:1".into() }
    }

    #[test]
    fn remembers_until_cleared_or_expired() {
        let cache = PrincipalCache::default();
        assert!(cache.get("d").is_none());
        cache.put("d".into(), principal(), "csrf".into(), None);
        assert_eq!(cache.get("d").map(|(p, csrf)| (p.role, csrf)), Some((Role::Agent, "csrf".to_string())));
        cache.clear();
        assert!(cache.get("d").is_none());
        cache.put("s".into(), principal(), String::new(), Some(Utc::now() - chrono::Duration::seconds(1)));
        assert!(cache.get("s").is_none(), "an ended session is not served from the cache");
    }

    #[test]
    fn never_grows_past_its_capacity() {
        let cache = PrincipalCache::default();
        for i in 0..CAPACITY + 5 {
            cache.put(format!("d{i}"), principal(), String::new(), None);
        }
        assert!(cache.len() <= CAPACITY);
    }
}
