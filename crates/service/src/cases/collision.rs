//! Collision warning: who is viewing a case and who is typing a reply, kept in memory for
//! a short while after each signal (the composer sends one every few seconds).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A signal older than this no longer counts.
const PRESENCE_TTL: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CasePresence {
    pub user_id: i64,
    /// `viewing` or `typing`.
    pub state: String,
    pub since: DateTime<Utc>,
}

#[derive(Default)]
pub(crate) struct Collisions {
    by_case: Mutex<HashMap<i64, HashMap<i64, (String, Instant, DateTime<Utc>)>>>,
}

impl Collisions {
    pub fn signal(&self, case_id: i64, user_id: i64, state: &str) {
        let mut by_case = self.by_case.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        by_case.retain(|_, users| {
            users.retain(|_, (_, seen, _)| seen.elapsed() < PRESENCE_TTL);
            !users.is_empty()
        });
        by_case.entry(case_id).or_default().insert(user_id, (state.to_string(), Instant::now(), Utc::now()));
    }

    pub fn on_case(&self, case_id: i64) -> Vec<CasePresence> {
        let by_case = self.by_case.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut present: Vec<CasePresence> = by_case
            .get(&case_id)
            .into_iter()
            .flatten()
            .filter(|(_, (_, seen, _))| seen.elapsed() < PRESENCE_TTL)
            .map(|(user, (state, _, since))| CasePresence { user_id: *user, state: state.clone(), since: *since })
            .collect();
        present.sort_by_key(|presence| presence.user_id);
        present
    }
}
