//! The care side (issue #4): mentions become cases in the pipeline ([`intake`]), and the
//! use cases the API offers on them: the inbox and a case ([`inbox`]), replies, callbacks
//! and CSAT ([`replies`]), and the care settings ([`admin`]). The rules themselves are the
//! pure `care` crate's; every change is written to the audit log.

mod admin;
mod bulk;
mod demo_setup;
pub(crate) mod collision;
mod events;
mod filters;
mod inbox;
pub(crate) mod intake;
mod replies;
mod reports;
mod staffing;
mod sweep;
pub(crate) mod settings;

pub use admin::{AgentPatch, AgentView, CannedRequest, RoutingRuleRequest, SlaPolicyRequest, TeamSettingsRequest};
pub use bulk::{BulkAction, BulkOutcome, BulkRequest, MAX_BULK_CASES};
pub use events::{CaseEvent, CaseEvents, CaseWebhook};
pub use filters::InboxSort;
pub use inbox::{CaseListQuery, CasePage, CasePatch, CaseSummary, CaseView, ConversationEntry, NoteRequest, Queue};
pub use replies::{CallbackRequest, CsatForm, CsatReport, MoveRequest, ReplyRequest, ReplyResult, MOVED_TO_EMAIL, MOVED_TO_PRIVATE, PENDING_APPROVAL};
pub use settings::CaseRule;
pub use reports::{
    care_report_csv, csv_safe, CareReport, CareReportQuery, CareTotals, Compliance, DurationBin, DurationStats, ReportLine,
    CARE_REPORT_TABLES, MAX_REPORT_DAYS,
};
pub use staffing::{StaffingQuery, StaffingReport};
pub use sweep::{EscalationSettings, SweepReport, run_care_sweep, SWEEP_EVERY};
