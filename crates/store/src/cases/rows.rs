//! The rows of the care tables, as the store reads and writes them.

use chrono::{DateTime, Utc};
use domain::{MentionId, Source};
use serde::Serialize;

/// One case. Statuses (`new`, `open`, `pending_customer`, `on_hold`, `resolved`,
/// `closed`) and priorities (`urgent`, `high`, `normal`, `low`) are the `care` crate's names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRow {
    pub id: i64,
    pub contact_id: Option<i64>,
    pub status: String,
    pub priority: String,
    pub team_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub tags: Vec<String>,
    pub language: Option<String>,
    pub source: Source,
    pub topic: Option<String>,
    pub intent: Option<String>,
    pub reason: Option<String>,
    pub first_mention_id: Option<MentionId>,
    /// The first words of the first message, for the inbox.
    pub subject: String,
    // The inbox writes seven timestamps per case: see `codec::serialize_time`.
    #[serde(serialize_with = "crate::codec::serialize_time")]
    pub opened_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::codec::serialize_opt_time")]
    pub first_response_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::codec::serialize_time")]
    pub first_response_due_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::codec::serialize_time")]
    pub resolution_due_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::codec::serialize_opt_time")]
    pub resolved_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::codec::serialize_time")]
    pub updated_at: DateTime<Utc>,
}

/// The statuses in which a case still needs work.
pub const ACTIVE_STATUSES: [&str; 4] = ["new", "open", "pending_customer", "on_hold"];

/// A new case from a mention; the contact is found by the author's handle at the source.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCase {
    pub case: CaseRow,
    pub author_handle: String,
    /// The mention's external id, so that replies to it join the case.
    pub external_id: String,
    pub mention_at: DateTime<Utc>,
}

/// A customer message that joins an open case (a reply in its thread).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseJoin {
    pub case_id: i64,
    pub mention_id: MentionId,
    pub source: Source,
    pub external_id: String,
    pub at: DateTime<Utc>,
    /// A case pending the customer, or resolved, goes back to this status (`open`).
    pub reopen_to: Option<String>,
}

/// What one writer batch did to cases.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseIntake {
    pub opened: Vec<NewCase>,
    pub joined: Vec<CaseJoin>,
}

/// Which cases to list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseFilter {
    pub status: Option<String>,
    pub team_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub unassigned: bool,
    /// Active cases whose first response or resolution is due before this instant.
    pub due_before: Option<DateTime<Utc>>,
    pub contact_id: Option<i64>,
    /// Exact matches on the case's own fields (`priority` is one of care's names).
    pub source: Option<Source>,
    pub language: Option<String>,
    pub intent: Option<String>,
    pub reason: Option<String>,
    pub priority: Option<String>,
    pub topic: Option<String>,
    /// The sentiment of the case's first message, as stored (corrections included).
    pub sentiment: Option<String>,
    /// Only cases of VIP contacts.
    pub vip: bool,
    /// Only cases carrying this tag.
    pub tag: Option<String>,
    pub sort: CaseSort,
    /// Keyset of [`CaseSort::Newest`]: cases below this id.
    pub before_id: Option<i64>,
    /// Keyset of the other orders: cases after this one ([`CaseKey::of`] the last row).
    pub after: Option<CaseKey>,
    pub limit: usize,
}

/// Which SLA target a due time belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueTarget {
    FirstResponse,
    Resolution,
}

impl DueTarget {
    pub fn as_str(self) -> &'static str {
        match self {
            DueTarget::FirstResponse => "first_response",
            DueTarget::Resolution => "resolution",
        }
    }
}

/// The inbox's orders.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CaseSort {
    /// Highest id first.
    #[default]
    Newest,
    Oldest,
    /// Active cases first, then by the next due time (first response while unanswered,
    /// else resolution), soonest first; id breaks ties.
    SlaDue,
    /// Active cases first, then urgent, high, normal, low; oldest first within each.
    Priority,
}

/// Where a case stands in every order: the keyset cursor of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseKey {
    pub id: i64,
    /// Resolved or closed (listed after the active cases).
    pub done: bool,
    /// 0 (urgent) to 3 (low).
    pub rank: i64,
    pub due_at: DateTime<Utc>,
}

impl CaseKey {
    /// Computed as the store's SQL computes it (`done`, `due`, `rank` of 0010_inbox_filters).
    pub fn of(case: &CaseRow) -> CaseKey {
        CaseKey {
            id: case.id,
            done: matches!(case.status.as_str(), "resolved" | "closed"),
            rank: priority_rank(&case.priority),
            due_at: if case.first_response_at.is_none() { case.first_response_due_at } else { case.resolution_due_at },
        }
    }
}

/// Everything stored about one case, read at once (one connection, one snapshot on
/// PostgreSQL's default isolation per statement, one reader on SQLite).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFile {
    pub case: CaseRow,
    /// Oldest first.
    pub events: Vec<CaseEventRow>,
    pub outbox: Vec<OutboxRow>,
    /// At most [`CASE_FILE_CALLBACKS`], newest first.
    pub callbacks: Vec<CallbackRow>,
    pub csat: Vec<CsatRow>,
}

/// The callbacks a [`CaseFile`] holds at most.
pub const CASE_FILE_CALLBACKS: usize = 100;

/// Urgent 0, high 1, normal 2, anything else 3.
pub fn priority_rank(priority: &str) -> i64 {
    match priority {
        "urgent" => 0,
        "high" => 1,
        "normal" => 2,
        _ => 3,
    }
}

/// One entry of a case's conversation and history: `customer_message`, `reply`, `note`,
/// `status`, `assignment`, `callback`, `csat`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseEventRow {
    pub id: i64,
    pub case_id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub mention_id: Option<MentionId>,
    pub user_id: Option<i64>,
    pub text: Option<String>,
    pub visibility: Option<String>,
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewCaseEvent {
    pub case_id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub mention_id: Option<MentionId>,
    pub user_id: Option<i64>,
    pub text: Option<String>,
    pub visibility: Option<String>,
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoutingRuleRow {
    pub id: i64,
    pub position: i64,
    pub name: String,
    /// JSON of `care::routing::RoutingCondition`.
    pub conditions: String,
    pub team_id: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaPolicyRow {
    pub id: i64,
    pub name: String,
    /// `None`: the default policy.
    pub team_id: Option<i64>,
    /// JSON of `care::SlaPolicy`.
    pub targets: String,
    /// JSON of `care::BusinessCalendar`.
    pub calendar: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamCareSettings {
    pub team_id: i64,
    /// Append the agent's signature to every reply.
    pub append_signature: bool,
    /// `round_robin` or `least_loaded`.
    pub assignment: String,
    /// Crowd team: cases go to members whose expertise tags meet the case's.
    pub crowd: bool,
    /// Crowd responders' replies wait for a supervisor's approval before they are sent.
    pub crowd_approval: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CannedRow {
    pub id: i64,
    pub title: String,
    pub template: String,
    pub created_at: DateTime<Utc>,
}

/// One outbound message in the sandbox sink: exactly what would be published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxRow {
    pub id: i64,
    pub case_id: i64,
    pub channel: Source,
    pub in_reply_to: Option<String>,
    pub recipient: Option<String>,
    pub text: String,
    pub visibility: String,
    /// `queued`, `sent` (to the sandbox), `failed`.
    pub status: String,
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallbackRow {
    pub id: i64,
    pub case_id: i64,
    /// E.164.
    pub phone: String,
    pub note: String,
    pub slot: Option<String>,
    /// `open` or `done`.
    pub status: String,
    pub outcome: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CsatRow {
    pub id: i64,
    pub case_id: i64,
    pub agent_id: Option<i64>,
    pub team_id: Option<i64>,
    pub rating: Option<u8>,
    pub comment: Option<String>,
    pub created_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CsatTotals {
    pub agent_id: Option<i64>,
    pub team_id: Option<i64>,
    pub answers: u64,
    pub rating_sum: u64,
}
