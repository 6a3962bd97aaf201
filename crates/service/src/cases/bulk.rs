//! Bulk actions from the inbox (issue #6 §2): one action on many cases, each case changed
//! exactly as `PATCH /api/v1/cases/{id}` would change it (same checks, same audit entry,
//! same case event), and a result per case: done, or why not.

use domain::{ErrorKind, Principal};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::inbox::CasePatch;
use crate::{App, ServiceError};

/// Most cases in one bulk request (one inbox page holds fewer).
pub const MAX_BULK_CASES: usize = 200;

/// `POST /api/v1/cases/bulk`: `{"ids": […], "action": "assign"|"tag"|"untag"|"resolve"|"status", …}`.
#[derive(Debug, Clone, Deserialize)]
pub struct BulkRequest {
    pub ids: Vec<i64>,
    #[serde(flatten)]
    pub action: BulkAction,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum BulkAction {
    /// `assignee_id: null` unassigns.
    Assign { assignee_id: Option<i64> },
    Tag { tag: String },
    Untag { tag: String },
    Resolve,
    Status { status: String },
}

/// What happened to one case.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BulkOutcome {
    pub id: i64,
    pub ok: bool,
    /// The case's status afterwards, when done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `not_found`, `forbidden`, `conflict`, `unprocessable`, `invalid`…, when refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::NotFound => "not_found",
        ErrorKind::Invalid => "invalid",
        ErrorKind::Unprocessable => "unprocessable",
        ErrorKind::Unauthenticated => "unauthenticated",
        ErrorKind::Conflict => "conflict",
        ErrorKind::Forbidden => "forbidden",
        ErrorKind::Unavailable => "unavailable",
        ErrorKind::Internal => "internal",
    }
}

impl App {
    /// Applies `request.action` to each case in turn; a refusal on one case does not stop
    /// the others. Fails as a whole only on a malformed request.
    pub fn bulk_update_cases(&self, principal: &Principal, request: &BulkRequest) -> Result<Vec<BulkOutcome>, ServiceError> {
        if request.ids.is_empty() || request.ids.len() > MAX_BULK_CASES {
            return Err(ServiceError::Invalid(format!("ids lists 1 to {MAX_BULK_CASES} cases")));
        }
        let mut ids = request.ids.clone();
        let mut seen = std::collections::HashSet::new();
        ids.retain(|id| seen.insert(*id));
        let outcomes: Vec<BulkOutcome> = ids.iter().map(|id| self.bulk_one(principal, *id, &request.action)).collect();
        let done: Vec<i64> = outcomes.iter().filter(|outcome| outcome.ok).map(|outcome| outcome.id).collect();
        let details = json!({ "action": request.action, "requested": ids, "done": done });
        self.audit(&principal.actor, "case.bulk", "case", 0, None, Some(details))?;
        Ok(outcomes)
    }

    fn bulk_one(&self, principal: &Principal, id: i64, action: &BulkAction) -> BulkOutcome {
        let changed = self.bulk_patch(principal, id, action).and_then(|patch| self.apply_case_patch(principal, id, &patch));
        match changed {
            Ok((case, _)) => BulkOutcome { id, ok: true, status: Some(case.status), error: None, detail: None },
            Err(error) => {
                let kind = error.kind();
                // Store or other internal failures keep their details in the log only.
                let detail = if kind == ErrorKind::Internal {
                    tracing::error!(case_id = id, %error, "bulk case update failed");
                    "internal error".to_string()
                } else {
                    error.to_string()
                };
                BulkOutcome { id, ok: false, status: None, error: Some(kind_name(kind)), detail: Some(detail) }
            }
        }
    }

    fn bulk_patch(&self, principal: &Principal, id: i64, action: &BulkAction) -> Result<CasePatch, ServiceError> {
        Ok(match action {
            BulkAction::Assign { assignee_id } => CasePatch { assignee_id: Some(*assignee_id), ..CasePatch::default() },
            BulkAction::Resolve => CasePatch { status: Some("resolved".into()), ..CasePatch::default() },
            BulkAction::Status { status } => CasePatch { status: Some(status.clone()), ..CasePatch::default() },
            BulkAction::Tag { tag } | BulkAction::Untag { tag } => {
                let mut tags = self.visible_case(principal, id)?.tags;
                let tag = tag.trim().to_lowercase();
                if matches!(action, BulkAction::Tag { .. }) {
                    tags.push(tag);
                } else {
                    tags.retain(|kept| *kept != tag);
                }
                CasePatch { tags: Some(tags), ..CasePatch::default() }
            }
        })
    }
}
