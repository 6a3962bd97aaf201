//! The care sweep (issue #4 §5): run every few seconds by the server, it
//! - acknowledges a case opened while its team is closed, with the opening hours and
//!   when the team opens again (an automatic reply: it does not stop the first-response
//!   clock);
//! - warns the people on a case shortly before a first response or a resolution falls due
//!   (`sla_warning`);
//! - escalates a case whose due time has passed (`sla_breach`): notifies (the live feed of
//!   the web app and the signed case webhook, `case.sla_breach`), raises its priority to
//!   urgent, and, when configured, gives it to the least-loaded available colleague.
//!
//! Each case is warned, escalated and acknowledged at most once per target: the sweep
//! reads only the cases whose due time crossed the threshold since its previous run (a
//! window kept in the store, so a restart continues), and checks the case's history
//! for an earlier event of the same kind before acting.

use care::routing::assign_least_loaded;
use care::channel::ChannelRules;
use care::Priority;
use chrono::{DateTime, Duration, Utc};
use domain::Principal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::{CaseRow, DueTarget};

use super::events::CaseEvent;
use crate::{App, ServiceError};

/// The state key of the escalation settings (JSON).
pub(crate) const ESCALATION_KEY: &str = "care.escalation";
/// The state key of the sweep's last run (RFC 3339).
const SWEEP_KEY: &str = "care.sweep.last_run";
/// On the first run (or after a long stop), at most this far back is looked at: an old
/// backlog is the supervisor's report, not a burst of notifications.
const LOOK_BACK: Duration = Duration::hours(1);
/// Cases handled per target and per run at most (the rest wait for the next run).
const PER_RUN: usize = 500;

/// `GET/PUT /api/v1/care/escalation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EscalationSettings {
    /// Acknowledge a case opened while its team is closed, giving the opening hours.
    pub out_of_hours_ack: bool,
    /// Warn this many minutes before a first response or a resolution falls due (0: never).
    pub warning_minutes: u32,
    /// On a breach, raise the case's priority to urgent.
    pub raise_priority_on_breach: bool,
    /// On a breach, give the case to the least-loaded available member of its team
    /// (other than its current owner), when there is one.
    pub reassign_on_breach: bool,
}

impl Default for EscalationSettings {
    fn default() -> Self {
        EscalationSettings { out_of_hours_ack: true, warning_minutes: 15, raise_priority_on_breach: true, reassign_on_breach: false }
    }
}

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    pub acknowledged: usize,
    pub warned: usize,
    pub breached: usize,
    pub reassigned: usize,
}

impl App {
    pub fn escalation_settings(&self) -> Result<EscalationSettings, ServiceError> {
        match self.store().get_state(ESCALATION_KEY)? {
            Some(text) if !text.is_empty() => serde_json::from_str(&text)
                .map_err(|error| ServiceError::Config(format!("the stored escalation settings are unreadable: {error}"))),
            _ => Ok(EscalationSettings::default()),
        }
    }

    pub fn set_escalation_settings(&self, principal: &Principal, settings: &EscalationSettings) -> Result<EscalationSettings, ServiceError> {
        if settings.warning_minutes > 7 * 24 * 60 {
            return Err(ServiceError::Unprocessable("warning_minutes is at most 10080 (a week)".into()));
        }
        let before = self.escalation_settings()?;
        self.store().set_state(ESCALATION_KEY, &json!(settings).to_string())?;
        self.audit(&principal.actor, "escalation.set", "escalation", "all", Some(json!(before)), Some(json!(settings)))?;
        Ok(settings.clone())
    }

    /// One run of the sweep at `now` (the server calls it every few seconds).
    pub fn care_sweep(&self, now: DateTime<Utc>) -> Result<SweepReport, ServiceError> {
        let settings = self.escalation_settings()?;
        let last = self
            .store()
            .get_state(SWEEP_KEY)?
            .and_then(|text| DateTime::parse_from_rfc3339(&text).ok())
            .map(|at| at.with_timezone(&Utc))
            .filter(|at| *at <= now)
            .map_or(now - LOOK_BACK, |at| at.max(now - LOOK_BACK));
        let mut report = SweepReport::default();
        // Where this run stopped: a full batch leaves the rest of the window to the next run.
        let mut reached = now;
        if settings.out_of_hours_ack {
            let opened = self.store().cases_opened_since(last, PER_RUN)?;
            if opened.len() == PER_RUN {
                reached = reached.min(opened.last().map_or(now, |case| case.opened_at - Duration::milliseconds(1)));
            }
            report.acknowledged = self.acknowledge_out_of_hours(&opened, now)?;
        }
        for target in [DueTarget::FirstResponse, DueTarget::Resolution] {
            if settings.warning_minutes > 0 {
                let lead = Duration::minutes(i64::from(settings.warning_minutes));
                let soon = self.store().cases_due_between(target, last + lead, now + lead, PER_RUN)?;
                if soon.len() == PER_RUN {
                    reached = reached.min(soon.last().map_or(now, |case| due_at(case, target) - lead - Duration::milliseconds(1)));
                }
                report.warned += self.notify_once(&soon, target, "sla_warning")?.len();
            }
            let late = self.store().cases_due_between(target, last, now, PER_RUN)?;
            if late.len() == PER_RUN {
                reached = reached.min(late.last().map_or(now, |case| due_at(case, target) - Duration::milliseconds(1)));
            }
            let breached = self.notify_once(&late, target, "sla_breach")?;
            report.breached += breached.len();
            for case in breached {
                if self.escalate(case, &settings)? {
                    report.reassigned += 1;
                }
            }
        }
        self.store().set_state(SWEEP_KEY, &reached.to_rfc3339())?;
        Ok(report)
    }

    /// Records `kind` on each case that has no such event for `target` yet, and tells the
    /// live feed and the webhook. Returns the cases notified.
    fn notify_once<'a>(&self, cases: &'a [CaseRow], target: DueTarget, kind: &str) -> Result<Vec<&'a CaseRow>, ServiceError> {
        if cases.is_empty() {
            return Ok(Vec::new());
        }
        let event_kind = format!("{kind}:{}", target.as_str());
        let ids: Vec<i64> = cases.iter().map(|case| case.id).collect();
        let done: Vec<i64> = self.store().case_event_kinds(&ids, &[&event_kind])?.into_iter().map(|(id, _)| id).collect();
        let mut notified = Vec::new();
        for case in cases.iter().filter(|case| !done.contains(&case.id)) {
            let due = due_at(case, target);
            let detail = json!({"target": target.as_str(), "due_at": due, "assignee_id": case.assignee_id, "team_id": case.team_id});
            self.add_case_event(case.id, &event_kind, None, None, None, detail.clone())?;
            self.case_events().send(CaseEvent::new(kind, case.id, case.assignee_id, Some(detail)));
            notified.push(case);
        }
        Ok(notified)
    }

    /// Raises the priority and, when configured, reassigns. Returns whether it reassigned.
    fn escalate(&self, case: &CaseRow, settings: &EscalationSettings) -> Result<bool, ServiceError> {
        // Read again: the case may have changed since the sweep listed it.
        let Some(mut current) = self.store().get_case(case.id)? else { return Ok(false) };
        let before = current.clone();
        if settings.raise_priority_on_breach {
            current.priority = Priority::Urgent.as_str().to_string();
        }
        let mut reassigned = false;
        if settings.reassign_on_breach
            && let Some(team) = current.team_id
            && let Some(colleague) = self.least_loaded_colleague(team, current.assignee_id)?
        {
            current.assignee_id = Some(colleague);
            reassigned = true;
            self.add_case_event(
                case.id,
                "assignment",
                None,
                None,
                None,
                json!({"from": before.assignee_id, "to": colleague, "reason": "sla_breach"}),
            )?;
        }
        if current != before {
            current.updated_at = Utc::now();
            self.store().update_case(&current)?;
            self.audit(
                "system:sla",
                "case.escalate",
                "case",
                case.id,
                Some(json!({"priority": before.priority, "assignee_id": before.assignee_id})),
                Some(json!({"priority": current.priority, "assignee_id": current.assignee_id})),
            )?;
            self.case_events().send(CaseEvent::new("updated", case.id, current.assignee_id, Some(json!({"reason": "sla_breach"}))));
        }
        Ok(reassigned)
    }

    fn least_loaded_colleague(&self, team: i64, current: Option<i64>) -> Result<Option<i64>, ServiceError> {
        let settings = self.care_settings().get();
        let workloads: std::collections::HashMap<i64, u32> = self.store().agent_workloads()?.into_iter().collect();
        let loads: Vec<_> = settings.agent_loads(team, &workloads).into_iter().filter(|load| Some(load.user_id.0) != current).collect();
        Ok(assign_least_loaded(&loads).map(|user| user.0))
    }

    /// Sends the out-of-hours acknowledgement to the cases opened while their team was
    /// closed, once each. Returns how many were sent.
    fn acknowledge_out_of_hours(&self, opened: &[CaseRow], now: DateTime<Utc>) -> Result<usize, ServiceError> {
        let settings = self.care_settings().get();
        let closed: Vec<&CaseRow> = opened
            .iter()
            .filter(|case| case.first_response_at.is_none() && case.resolved_at.is_none())
            // Only messages of the last hour: an import of old posts is not answered.
            .filter(|case| case.opened_at > now - LOOK_BACK)
            .filter(|case| !settings.policy(case.team_id).1.is_open(case.opened_at))
            .collect();
        if closed.is_empty() {
            return Ok(0);
        }
        let ids: Vec<i64> = closed.iter().map(|case| case.id).collect();
        let done: Vec<i64> = self.store().case_event_kinds(&ids, &["auto_reply"])?.into_iter().map(|(id, _)| id).collect();
        let mut sent = 0;
        for case in closed.into_iter().filter(|case| !done.contains(&case.id)) {
            let calendar = &settings.policy(case.team_id).1;
            let language = case.language.as_deref().unwrap_or("en");
            let Some(text) = out_of_hours_text(calendar, case, language, now) else { continue };
            let first_mention = self.first_mention(case)?;
            let message = self.send_outbound(case, first_mention.as_ref(), &text, "public")?;
            self.add_case_event(case.id, "auto_reply", None, Some(text), Some("public"), json!({"outbox": [message.id], "reason": "out_of_hours"}))?;
            self.case_events().send(CaseEvent::new("auto_reply", case.id, case.assignee_id, Some(json!({"outbox": [message.id]}))));
            sent += 1;
        }
        Ok(sent)
    }
}

fn due_at(case: &CaseRow, target: DueTarget) -> DateTime<Utc> {
    match target {
        DueTarget::FirstResponse => case.first_response_due_at,
        DueTarget::Resolution => case.resolution_due_at,
    }
}

/// The acknowledgement in the case's language (French or English), within the channel's
/// limits: with the opening hours when they fit, else only when the team opens again.
fn out_of_hours_text(calendar: &care::BusinessCalendar, case: &CaseRow, language: &str, now: DateTime<Utc>) -> Option<String> {
    let french = language.starts_with("fr");
    let next = calendar.next_opening(now).map(|at| {
        let local = at.with_timezone(&calendar.time_zone());
        if french { local.format("%d/%m à %Hh%M").to_string() } else { local.format("%b %-d at %H:%M").to_string() }
    });
    let hours = calendar.describe_opening_hours(if french { "fr" } else { "en" });
    let (long, short) = if french {
        (
            format!(
                "Merci pour votre message. Notre service client est fermé pour le moment ; il est ouvert {hours}.{}",
                next.as_ref().map(|next| format!(" Nous vous répondrons dès la réouverture, le {next}.")).unwrap_or_default()
            ),
            format!(
                "Merci pour votre message. Nous sommes fermés pour le moment{}.",
                next.as_ref().map(|next| format!(" et vous répondrons dès le {next}")).unwrap_or_default()
            ),
        )
    } else {
        (
            format!(
                "Thanks for your message. Our care team is closed right now; we are open {hours}.{}",
                next.as_ref().map(|next| format!(" We will answer as soon as we reopen, on {next}.")).unwrap_or_default()
            ),
            format!(
                "Thanks for your message. We are closed right now{}.",
                next.as_ref().map(|next| format!(" and will answer from {next}")).unwrap_or_default()
            ),
        )
    };
    let rules = ChannelRules::for_source(case.source);
    [long, short].into_iter().find(|text| rules.check(text).is_ok())
}

/// How often the server runs the sweep.
pub const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(15);

/// Runs the sweep every [`SWEEP_EVERY`] for as long as the server runs (a failed run is
/// logged and the next one tries again).
pub async fn run_care_sweep(app: std::sync::Arc<App>) {
    let mut interval = tokio::time::interval(SWEEP_EVERY);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let app = app.clone();
        match tokio::task::spawn_blocking(move || app.care_sweep(Utc::now())).await {
            Ok(Ok(report)) if report != SweepReport::default() => tracing::info!(?report, "care sweep"),
            Ok(Ok(_)) => {}
            Ok(Err(error)) => tracing::warn!(%error, "the care sweep failed"),
            Err(error) => tracing::warn!(%error, "the care sweep stopped"),
        }
    }
}
