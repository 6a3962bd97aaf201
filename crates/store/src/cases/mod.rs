//! Cases (issue #4): the rows of the care side and the [`CareStore`] port, written once
//! for both backends over the portable [`Db`](crate::sql::Db) layer.
//!
//! The store keeps statuses, priorities and JSON settings as plain text: the `care` crate
//! owns their meaning and the service converts. `Store: CareStore`, so every store has
//! these methods.

pub(crate) mod reports;
pub(crate) mod rollup;
mod rows;
pub(crate) mod settings;
pub(crate) mod sql;

use chrono::{DateTime, Utc};
use domain::Source;

pub use rollup::{in_customer_sample, CUSTOMER_SAMPLE_ONE_IN};
pub use reports::{duration_step_floor, CareDuration, CareGrouping, CareHourCounts, CareReportFilter, CustomersServed, EXACT_CUSTOMERS_UP_TO};
pub use rows::*;

use crate::Result;

/// The care side of the persistence port (see [`crate::Store`] for the threading rules).
pub trait CareStore: Send + Sync {
    /// Opens new cases and adds messages to existing ones, in one transaction. Each new
    /// case's contact is its author's (by handle at the source). Returns the new ids.
    fn apply_case_intake(&self, intake: &CaseIntake) -> Result<Vec<i64>>;

    /// The cases that already hold these messages of `source`: `(external id, case id)`.
    fn find_case_threads(&self, source: Source, external_ids: &[&str]) -> Result<Vec<(String, i64)>>;

    fn get_case(&self, id: i64) -> Result<Option<CaseRow>>;

    /// Records that a message (e.g. an e-mail we sent, by its Message-ID) belongs to a
    /// case, so that an answer to it joins the case. A message already in a case stays there.
    fn add_case_thread(&self, case_id: i64, source: Source, external_id: &str) -> Result<()>;

    /// A case with its conversation, outbox, callbacks and surveys, read on one connection
    /// (what opening a case needs, in one trip to the pool).
    fn case_file(&self, id: i64) -> Result<Option<CaseFile>>;

    /// Whether each author (a handle at `source`) belongs to a VIP contact, in order.
    fn authors_are_vip(&self, source: Source, handles: &[&str]) -> Result<Vec<bool>>;

    /// Newest first (highest id first), keyset-paginated by `before_id`.
    fn list_cases(&self, filter: &CaseFilter) -> Result<Vec<CaseRow>>;

    /// Writes the mutable fields of a case (status, priority, team, assignee, tags, times,
    /// and the reason and intent an agent corrected on its first message).
    fn update_case(&self, case: &CaseRow) -> Result<bool>;

    /// A contact's cases, newest first.
    fn contact_cases(&self, contact_id: i64, limit: usize) -> Result<Vec<CaseRow>>;

    fn add_case_event(&self, event: &NewCaseEvent) -> Result<CaseEventRow>;

    /// GDPR erasure of a contact's cases: subjects, conversation texts, outbound texts and
    /// recipients, callback numbers and notes, survey comments are blanked. Returns the
    /// number of cases touched.
    fn erase_contact_cases(&self, contact_id: i64) -> Result<u64>;

    /// Oldest first.
    fn list_case_events(&self, case_id: i64) -> Result<Vec<CaseEventRow>>;

    /// Active cases whose first response (not yet given) or resolution (not yet done) is
    /// due in `(after, until]`, soonest first, at most `limit`: what the SLA sweep warns
    /// about or escalates.
    fn cases_due_between(&self, target: DueTarget, after: DateTime<Utc>, until: DateTime<Utc>, limit: usize) -> Result<Vec<CaseRow>>;

    /// Cases opened after `since`, oldest first, at most `limit`.
    fn cases_opened_since(&self, since: DateTime<Utc>, limit: usize) -> Result<Vec<CaseRow>>;

    /// Which of these cases already have an event of one of these kinds: `(case id, kind)`.
    fn case_event_kinds(&self, case_ids: &[i64], kinds: &[&str]) -> Result<Vec<(i64, String)>>;

    /// Active cases per assignee: `(user id, count)`.
    fn agent_workloads(&self) -> Result<Vec<(i64, u32)>>;

    /// Loads many cases fast (benchmarks, imports): multi-row inserts in one transaction.
    fn bulk_insert_cases(&self, cases: &[CaseRow]) -> Result<()>;

    // --- Settings ---------------------------------------------------------------------

    fn set_presence(&self, user_id: i64, presence: &str) -> Result<()>;
    fn list_presence(&self) -> Result<Vec<(i64, String)>>;
    fn create_routing_rule(&self, rule: &RoutingRuleRow) -> Result<RoutingRuleRow>;
    /// By position, then id.
    fn list_routing_rules(&self) -> Result<Vec<RoutingRuleRow>>;
    fn delete_routing_rule(&self, id: i64) -> Result<bool>;
    /// [`crate::StoreError::Conflict`] when the team (or the default, no team) has a policy.
    fn create_sla_policy(&self, policy: &SlaPolicyRow) -> Result<SlaPolicyRow>;
    fn list_sla_policies(&self) -> Result<Vec<SlaPolicyRow>>;
    fn update_sla_policy(&self, policy: &SlaPolicyRow) -> Result<bool>;
    fn delete_sla_policy(&self, id: i64) -> Result<bool>;
    fn set_team_settings(&self, settings: &TeamCareSettings) -> Result<()>;
    fn list_team_settings(&self) -> Result<Vec<TeamCareSettings>>;
    fn create_canned(&self, title: &str, template: &str) -> Result<CannedRow>;
    fn list_canned(&self) -> Result<Vec<CannedRow>>;
    fn get_canned(&self, id: i64) -> Result<Option<CannedRow>>;
    fn delete_canned(&self, id: i64) -> Result<bool>;

    // --- Replies, callbacks, CSAT -----------------------------------------------------

    fn add_outbox(&self, row: &OutboxRow) -> Result<OutboxRow>;
    fn list_outbox(&self, case_id: i64) -> Result<Vec<OutboxRow>>;
    fn get_outbox(&self, id: i64) -> Result<Option<OutboxRow>>;
    /// Outbound messages in one status (e.g. `pending_approval`), newest first, below `before_id`.
    fn outbox_by_status(&self, status: &str, before_id: Option<i64>, limit: usize) -> Result<Vec<OutboxRow>>;
    /// Moves a message from status `from` to `to`; `false` when it was not in `from`
    /// (someone else moved it first). Does not count an attempt.
    fn move_outbox(&self, id: i64, from: &str, to: &str) -> Result<bool>;
    /// Sets an outbound message's status and counts one more attempt.
    fn set_outbox_status(&self, id: i64, status: &str) -> Result<bool>;
    fn create_callback(&self, row: &CallbackRow) -> Result<CallbackRow>;
    fn get_callback(&self, id: i64) -> Result<Option<CallbackRow>>;
    /// Open callbacks first, newest first, below `before_id`.
    fn list_callbacks(&self, status: Option<&str>, case_id: Option<i64>, before_id: Option<i64>, limit: usize) -> Result<Vec<CallbackRow>>;
    /// Logs the outcome of an open callback; `false` when unknown or already done.
    fn complete_callback(&self, id: i64, outcome: &str, at: DateTime<Utc>) -> Result<bool>;
    fn create_csat(&self, row: &CsatRow, token_sha256_hex: &str) -> Result<CsatRow>;
    fn find_csat(&self, token_sha256_hex: &str) -> Result<Option<CsatRow>>;
    /// Answers a survey once; `false` when unknown or already answered.
    fn answer_csat(&self, id: i64, rating: u8, comment: Option<&str>, at: DateTime<Utc>) -> Result<bool>;
    fn case_csat(&self, case_id: i64) -> Result<Vec<CsatRow>>;
    /// Answered surveys per agent and per team: `(agent, team, answers, rating sum)`; all
    /// of them, or those answered in a report's period (and of its team or agent).
    fn csat_report(&self, period: Option<&CareReportFilter>) -> Result<Vec<CsatTotals>>;
    /// Cases opened per UTC hour since `since` (for one team, or all), oldest first; hours
    /// without a case are left out.
    fn case_arrivals_by_hour(&self, team_id: Option<i64>, since: DateTime<Utc>) -> Result<Vec<(DateTime<Utc>, u32)>>;
    /// The cases holding at least one of an incident's mentions, newest first, below
    /// `before_id`.
    fn incident_cases(&self, incident_id: i64, before_id: Option<i64>, limit: usize) -> Result<Vec<CaseRow>>;

    /// The cases whose conversation holds this mention (through `case_events.mention_id`).
    fn cases_holding_mention(&self, mention_id: domain::MentionId) -> Result<Vec<CaseRow>>;

    // --- Care reports (issue #7) ----------------------------------------------------

    /// The cases received in the period, counted per UTC hour of reception and team, or
    /// per assignee: received, answered (met, breached), resolved (met, breached), backlog.
    fn care_report_counts(&self, filter: &CareReportFilter, grouping: CareGrouping) -> Result<Vec<CareHourCounts>>;
    /// How many of the period's cases took each whole number of minutes to the first
    /// response (or the resolution): `(minutes, cases)`, shortest first.
    fn care_report_durations(&self, filter: &CareReportFilter, which: CareDuration) -> Result<Vec<(u64, u64)>>;
    /// Distinct contacts among the period's cases.
    /// Distinct contacts among the period's cases; `received` (the period's case count)
    /// chooses between an exact count and the sketch.
    fn care_report_customers(&self, filter: &CareReportFilter, received: u64) -> Result<CustomersServed>;
}

/// Implements [`CareStore`] for a backend with `write_tx` and `read_db`.
macro_rules! impl_care_store {
    ($backend:ty) => {
        impl $crate::cases::CareStore for $backend {
            fn apply_case_intake(&self, intake: &$crate::CaseIntake) -> $crate::Result<Vec<i64>> {
                self.write_tx(|db| $crate::cases::sql::apply_case_intake(db, intake))
            }
            fn find_case_threads(&self, source: domain::Source, ids: &[&str]) -> $crate::Result<Vec<(String, i64)>> {
                self.read_db(|db| $crate::cases::sql::find_case_threads(db, source, ids))
            }
            fn authors_are_vip(&self, source: domain::Source, handles: &[&str]) -> $crate::Result<Vec<bool>> {
                self.read_db(|db| $crate::cases::sql::authors_are_vip(db, source, handles))
            }
            fn get_case(&self, id: i64) -> $crate::Result<Option<$crate::CaseRow>> {
                self.read_db_generic(|db| $crate::cases::sql::get_case(db, id))
            }
            fn add_case_thread(&self, case_id: i64, source: domain::Source, external_id: &str) -> $crate::Result<()> {
                self.write_tx(|db| $crate::cases::sql::add_case_thread(db, case_id, source, external_id))
            }
            fn case_file(&self, id: i64) -> $crate::Result<Option<$crate::CaseFile>> {
                self.read_db_generic(|db| $crate::cases::sql::case_file(db, id))
            }
            fn list_cases(&self, filter: &$crate::CaseFilter) -> $crate::Result<Vec<$crate::CaseRow>> {
                self.read_db_generic(|db| $crate::cases::sql::list_cases(db, filter))
            }
            fn update_case(&self, case: &$crate::CaseRow) -> $crate::Result<bool> {
                self.write_tx(|db| $crate::cases::sql::update_case(db, case))
            }
            fn contact_cases(&self, contact_id: i64, limit: usize) -> $crate::Result<Vec<$crate::CaseRow>> {
                self.read_db(|db| $crate::cases::sql::contact_cases(db, contact_id, limit))
            }
            fn add_case_event(&self, event: &$crate::NewCaseEvent) -> $crate::Result<$crate::CaseEventRow> {
                self.write_tx(|db| $crate::cases::sql::add_case_event(db, event))
            }
            fn erase_contact_cases(&self, contact_id: i64) -> $crate::Result<u64> {
                self.write_tx(|db| $crate::cases::sql::erase_contact_cases(db, contact_id))
            }
            fn list_case_events(&self, case_id: i64) -> $crate::Result<Vec<$crate::CaseEventRow>> {
                self.read_db(|db| $crate::cases::sql::list_case_events(db, case_id))
            }
            fn cases_due_between(&self, target: $crate::DueTarget, after: chrono::DateTime<chrono::Utc>, until: chrono::DateTime<chrono::Utc>, limit: usize) -> $crate::Result<Vec<$crate::CaseRow>> {
                self.read_db(|db| $crate::cases::sql::cases_due_between(db, target, after, until, limit))
            }
            fn cases_opened_since(&self, since: chrono::DateTime<chrono::Utc>, limit: usize) -> $crate::Result<Vec<$crate::CaseRow>> {
                self.read_db(|db| $crate::cases::sql::cases_opened_since(db, since, limit))
            }
            fn case_event_kinds(&self, case_ids: &[i64], kinds: &[&str]) -> $crate::Result<Vec<(i64, String)>> {
                self.read_db(|db| $crate::cases::sql::case_event_kinds(db, case_ids, kinds))
            }
            fn agent_workloads(&self) -> $crate::Result<Vec<(i64, u32)>> {
                self.read_db($crate::cases::sql::agent_workloads)
            }
            fn bulk_insert_cases(&self, cases: &[$crate::CaseRow]) -> $crate::Result<()> {
                self.write_tx(|db| $crate::cases::sql::bulk_insert_cases(db, cases))
            }
            fn set_presence(&self, user_id: i64, presence: &str) -> $crate::Result<()> {
                self.write_tx(|db| $crate::cases::settings::set_presence(db, user_id, presence))
            }
            fn list_presence(&self) -> $crate::Result<Vec<(i64, String)>> {
                self.read_db($crate::cases::settings::list_presence)
            }
            fn create_routing_rule(&self, rule: &$crate::RoutingRuleRow) -> $crate::Result<$crate::RoutingRuleRow> {
                self.write_tx(|db| $crate::cases::settings::create_routing_rule(db, rule))
            }
            fn list_routing_rules(&self) -> $crate::Result<Vec<$crate::RoutingRuleRow>> {
                self.read_db($crate::cases::settings::list_routing_rules)
            }
            fn delete_routing_rule(&self, id: i64) -> $crate::Result<bool> {
                self.write_tx(|db| $crate::cases::settings::delete_row(db, "routing_rules", id))
            }
            fn create_sla_policy(&self, policy: &$crate::SlaPolicyRow) -> $crate::Result<$crate::SlaPolicyRow> {
                self.write_tx(|db| $crate::cases::settings::create_sla_policy(db, policy))
            }
            fn list_sla_policies(&self) -> $crate::Result<Vec<$crate::SlaPolicyRow>> {
                self.read_db($crate::cases::settings::list_sla_policies)
            }
            fn update_sla_policy(&self, policy: &$crate::SlaPolicyRow) -> $crate::Result<bool> {
                self.write_tx(|db| $crate::cases::settings::update_sla_policy(db, policy))
            }
            fn delete_sla_policy(&self, id: i64) -> $crate::Result<bool> {
                self.write_tx(|db| $crate::cases::settings::delete_row(db, "sla_policies", id))
            }
            fn set_team_settings(&self, settings: &$crate::TeamCareSettings) -> $crate::Result<()> {
                self.write_tx(|db| $crate::cases::settings::set_team_settings(db, settings))
            }
            fn list_team_settings(&self) -> $crate::Result<Vec<$crate::TeamCareSettings>> {
                self.read_db($crate::cases::settings::list_team_settings)
            }
            fn create_canned(&self, title: &str, template: &str) -> $crate::Result<$crate::CannedRow> {
                self.write_tx(|db| $crate::cases::settings::create_canned(db, title, template))
            }
            fn list_canned(&self) -> $crate::Result<Vec<$crate::CannedRow>> {
                self.read_db(|db| $crate::cases::settings::list_canned(db, None))
            }
            fn get_canned(&self, id: i64) -> $crate::Result<Option<$crate::CannedRow>> {
                self.read_db(|db| $crate::cases::settings::list_canned(db, Some(id))).map(|rows| rows.into_iter().next())
            }
            fn delete_canned(&self, id: i64) -> $crate::Result<bool> {
                self.write_tx(|db| $crate::cases::settings::delete_row(db, "canned_responses", id))
            }
            fn add_outbox(&self, row: &$crate::OutboxRow) -> $crate::Result<$crate::OutboxRow> {
                self.write_tx(|db| $crate::cases::sql::add_outbox(db, row))
            }
            fn list_outbox(&self, case_id: i64) -> $crate::Result<Vec<$crate::OutboxRow>> {
                self.read_db(|db| $crate::cases::sql::list_outbox(db, case_id))
            }
            fn get_outbox(&self, id: i64) -> $crate::Result<Option<$crate::OutboxRow>> {
                self.read_db(|db| $crate::cases::sql::get_outbox(db, id))
            }
            fn outbox_by_status(&self, status: &str, before_id: Option<i64>, limit: usize) -> $crate::Result<Vec<$crate::OutboxRow>> {
                self.read_db(|db| $crate::cases::sql::outbox_by_status(db, status, before_id, limit))
            }
            fn move_outbox(&self, id: i64, from: &str, to: &str) -> $crate::Result<bool> {
                self.write_tx(|db| $crate::cases::sql::move_outbox(db, id, from, to))
            }
            fn set_outbox_status(&self, id: i64, status: &str) -> $crate::Result<bool> {
                self.write_tx(|db| $crate::cases::sql::set_outbox_status(db, id, status))
            }
            fn create_callback(&self, row: &$crate::CallbackRow) -> $crate::Result<$crate::CallbackRow> {
                self.write_tx(|db| $crate::cases::sql::create_callback(db, row))
            }
            fn get_callback(&self, id: i64) -> $crate::Result<Option<$crate::CallbackRow>> {
                self.read_db(|db| $crate::cases::sql::get_callback(db, id))
            }
            fn list_callbacks(&self, status: Option<&str>, case_id: Option<i64>, before_id: Option<i64>, limit: usize) -> $crate::Result<Vec<$crate::CallbackRow>> {
                self.read_db(|db| $crate::cases::sql::list_callbacks(db, status, case_id, before_id, limit))
            }
            fn complete_callback(&self, id: i64, outcome: &str, at: chrono::DateTime<chrono::Utc>) -> $crate::Result<bool> {
                self.write_tx(|db| $crate::cases::sql::complete_callback(db, id, outcome, at))
            }
            fn create_csat(&self, row: &$crate::CsatRow, token: &str) -> $crate::Result<$crate::CsatRow> {
                self.write_tx(|db| $crate::cases::sql::create_csat(db, row, token))
            }
            fn find_csat(&self, token: &str) -> $crate::Result<Option<$crate::CsatRow>> {
                self.read_db(|db| $crate::cases::sql::find_csat(db, token))
            }
            fn answer_csat(&self, id: i64, rating: u8, comment: Option<&str>, at: chrono::DateTime<chrono::Utc>) -> $crate::Result<bool> {
                self.write_tx(|db| $crate::cases::sql::answer_csat(db, id, rating, comment, at))
            }
            fn case_csat(&self, case_id: i64) -> $crate::Result<Vec<$crate::CsatRow>> {
                self.read_db(|db| $crate::cases::sql::case_csat(db, case_id))
            }
            fn csat_report(&self, period: Option<&$crate::CareReportFilter>) -> $crate::Result<Vec<$crate::CsatTotals>> {
                self.read_db(|db| $crate::cases::sql::csat_report(db, period))
            }
            fn case_arrivals_by_hour(&self, team_id: Option<i64>, since: chrono::DateTime<chrono::Utc>) -> $crate::Result<Vec<(chrono::DateTime<chrono::Utc>, u32)>> {
                self.read_db(|db| $crate::cases::sql::case_arrivals_by_hour(db, team_id, since))
            }
            fn cases_holding_mention(&self, mention_id: domain::MentionId) -> $crate::Result<Vec<$crate::CaseRow>> {
                self.read_db(|db| $crate::cases::sql::cases_holding_mention(db, mention_id))
            }
            fn incident_cases(&self, incident_id: i64, before_id: Option<i64>, limit: usize) -> $crate::Result<Vec<$crate::CaseRow>> {
                self.read_db(|db| $crate::cases::sql::incident_cases(db, incident_id, before_id, limit))
            }
            fn care_report_counts(&self, filter: &$crate::CareReportFilter, grouping: $crate::CareGrouping) -> $crate::Result<Vec<$crate::CareHourCounts>> {
                self.read_db(|db| $crate::cases::reports::care_report_counts(db, filter, grouping))
            }
            fn care_report_durations(&self, filter: &$crate::CareReportFilter, which: $crate::CareDuration) -> $crate::Result<Vec<(u64, u64)>> {
                self.read_db(|db| $crate::cases::reports::care_report_durations(db, filter, which))
            }
            fn care_report_customers(&self, filter: &$crate::CareReportFilter, received: u64) -> $crate::Result<$crate::CustomersServed> {
                self.read_db(|db| $crate::cases::reports::care_report_customers(db, filter, received))
            }
        }
    };
}
pub(crate) use impl_care_store;
