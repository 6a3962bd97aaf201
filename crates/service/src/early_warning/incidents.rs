//! Incidents: opened by the tracker, explained by their drivers, then owned and moved
//! through `open → acknowledged → resolved` by people. Every change is on the timeline.

use chrono::{DateTime, Utc};
use domain::StoredMention;
use serde::{Deserialize, Serialize};
use signals::{Driver, DriversConfig, FeatureCounts, FeatureKind};
use store::IncidentRow;

use super::{EarlyWarning, in_slice};
use crate::ServiceError;

/// Where an incident is in its handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    Open,
    Acknowledged,
    Resolved,
}

impl IncidentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentStatus::Open => "open",
            IncidentStatus::Acknowledged => "acknowledged",
            IncidentStatus::Resolved => "resolved",
        }
    }

    fn parse(text: &str) -> Option<IncidentStatus> {
        [IncidentStatus::Open, IncidentStatus::Acknowledged, IncidentStatus::Resolved].into_iter().find(|status| status.as_str() == text)
    }

    /// Open may be acknowledged or resolved, acknowledged resolved, and a resolved
    /// incident reopened; nothing else (a status to itself is not a change).
    pub fn can_become(self, next: IncidentStatus) -> bool {
        use IncidentStatus::*;
        matches!((self, next), (Open, Acknowledged) | (Open, Resolved) | (Acknowledged, Resolved) | (Resolved, Open))
    }
}

/// One line of an incident's story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub at: DateTime<Utc>,
    /// `opened`, `grew`, `signal_ended`, `status`, `owner`.
    pub event: String,
    pub detail: String,
}

/// One bucket's count of the incident's slice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BucketCount {
    pub at: DateTime<Utc>,
    pub count: u64,
    pub score: f64,
}

/// What the store keeps as the incident's JSON `details`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Details {
    drivers: Vec<Driver>,
    timeline: Vec<TimelineEvent>,
    buckets: Vec<BucketCount>,
    mention_count: u64,
    /// People marked it an outage: its resolution is announced to the affected customers.
    #[serde(default)]
    outage: bool,
}

/// An incident as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    pub id: i64,
    pub slice: String,
    pub status: IncidentStatus,
    pub owner: Option<String>,
    pub started_at: DateTime<Utc>,
    /// When the signal ended (the last hot bucket), not when people resolved it.
    pub ended_at: Option<DateTime<Utc>>,
    pub peak: f64,
    pub mention_count: u64,
    pub drivers: Vec<Driver>,
    pub timeline: Vec<TimelineEvent>,
    pub buckets: Vec<BucketCount>,
    /// Marked as an outage (`PATCH … {"outage": true}`): when resolved, the affected
    /// customers can be notified (`POST /api/v1/incidents/{id}/notify`).
    pub outage: bool,
}

/// A person's change: `PATCH /api/v1/incidents/{id}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentPatch {
    pub status: Option<String>,
    /// Free text or a user id; an empty string clears it.
    pub owner: Option<String>,
    /// Marks (or unmarks) the incident as an outage.
    #[serde(default)]
    pub outage: Option<bool>,
    /// Who made the change, for the timeline.
    pub by: Option<String>,
}

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

fn details_of(row: &IncidentRow) -> Details {
    serde_json::from_value(row.details.clone()).unwrap_or_default()
}

fn to_value(details: &Details) -> Result<serde_json::Value, ServiceError> {
    serde_json::to_value(details).map_err(|error| ServiceError::Invalid(error.to_string()))
}

impl Incident {
    pub fn from_row(row: IncidentRow) -> Incident {
        let details = details_of(&row);
        Incident {
            id: row.id,
            status: IncidentStatus::parse(&row.status).unwrap_or(IncidentStatus::Open),
            slice: row.slice,
            owner: row.owner,
            started_at: at(row.started_at),
            ended_at: row.ended_at.map(at),
            peak: row.peak,
            mention_count: details.mention_count,
            drivers: details.drivers,
            timeline: details.timeline,
            buckets: details.buckets,
            outage: details.outage,
        }
    }
}

/// Applies a person's change to a stored incident; `Invalid` for an unknown status,
/// `Conflict` for a transition the status does not allow.
pub(crate) fn apply_patch(row: &mut IncidentRow, patch: &IncidentPatch, now: i64) -> Result<(), ServiceError> {
    let mut details = details_of(row);
    let by = patch.by.as_deref().unwrap_or("someone");
    if let Some(status) = &patch.status {
        let next = IncidentStatus::parse(status)
            .ok_or_else(|| ServiceError::Invalid(format!("{status:?} is not a status (open, acknowledged, resolved)")))?;
        let current = IncidentStatus::parse(&row.status).unwrap_or(IncidentStatus::Open);
        if !current.can_become(next) {
            return Err(ServiceError::Conflict(format!("an {} incident cannot become {}", current.as_str(), next.as_str())));
        }
        row.status = next.as_str().to_string();
        details.timeline.push(TimelineEvent { at: at(now), event: "status".into(), detail: format!("{by}: {} → {}", current.as_str(), next.as_str()) });
    }
    if let Some(owner) = &patch.owner {
        let owner = owner.trim();
        if owner.len() > 200 {
            return Err(ServiceError::Invalid("an owner is at most 200 bytes".into()));
        }
        row.owner = (!owner.is_empty()).then(|| owner.to_string());
        details.timeline.push(TimelineEvent { at: at(now), event: "owner".into(), detail: format!("{by}: owner is now {}", if owner.is_empty() { "nobody" } else { owner }) });
    }
    if let Some(outage) = patch.outage.filter(|outage| *outage != details.outage) {
        details.outage = outage;
        let detail = if outage { format!("{by}: marked as an outage") } else { format!("{by}: no longer an outage") };
        details.timeline.push(TimelineEvent { at: at(now), event: "outage".into(), detail });
    }
    row.details = to_value(&details)?;
    Ok(())
}

/// Adds a line to a stored incident's timeline (crisis mode, broadcasts, bulk replies).
pub(crate) fn push_timeline(row: &mut IncidentRow, event: &str, detail: String, now: i64) -> Result<(), ServiceError> {
    let mut details = details_of(row);
    details.timeline.push(TimelineEvent { at: at(now), event: event.into(), detail });
    row.details = to_value(&details)?;
    Ok(())
}

/// Counts `terms_of`, sources and authors of the slice's mentions.
fn features(slice: &str, mentions: &[StoredMention]) -> FeatureCounts {
    let mut counts = FeatureCounts::new();
    for mention in mentions.iter().filter(|mention| in_slice(slice, mention)) {
        for term in signals::terms_of(&mention.mention.text, mention.mention.language.as_deref()) {
            counts.add(FeatureKind::Term, &term, 1);
        }
        counts.add(FeatureKind::Source, mention.mention.source.as_str(), 1);
        counts.add(FeatureKind::Author, &mention.mention.author.handle, 1);
    }
    counts
}

impl EarlyWarning {
    pub(super) fn open_incident(&mut self, slice: &str, started_at: i64, peak: f64, count: u64, score: f64, mentions: &[StoredMention]) -> Result<(), ServiceError> {
        let baseline_after = self.state.boundaries.front().map_or(0, |&(_, last_id)| last_id);
        let baseline_up_to = self.state.boundaries.back().map_or(0, |&(_, last_id)| last_id);
        let baseline = self.mentions_between(baseline_after, baseline_up_to)?;
        let drivers = signals::drivers(&features(slice, mentions), &features(slice, &baseline), &DriversConfig::default())?;
        let linked: Vec<_> = mentions.iter().filter(|mention| in_slice(slice, mention)).map(|mention| mention.id).collect();
        let headline = drivers.iter().filter(|driver| driver.kind == FeatureKind::Term).take(3).map(|driver| driver.value.as_str()).collect::<Vec<_>>().join(", ");
        let details = Details {
            timeline: vec![TimelineEvent { at: at(started_at), event: "opened".into(), detail: format!("{count} mentions in the bucket, score {score:.2}; drivers: {headline}") }],
            buckets: vec![BucketCount { at: at(started_at), count, score }],
            mention_count: linked.len() as u64,
            drivers,
            outage: false,
        };
        let row = IncidentRow {
            id: 0,
            slice: slice.to_string(),
            status: IncidentStatus::Open.as_str().into(),
            owner: None,
            started_at,
            ended_at: None,
            peak,
            details: to_value(&details)?,
        };
        let row = self.store.create_incident(&row)?;
        self.store.link_incident_mentions(row.id, &linked)?;
        self.state.incident_ids.insert(slice.to_string(), row.id);
        tracing::info!(incident = row.id, slice, started_at, "incident opened");
        let text = format!("Incident #{}: spike in {slice} ({count} mentions in one bucket); drivers: {headline}", row.id);
        self.on_incident_opened(&row, &text)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn extend_incident(
        &mut self,
        slice: &str,
        bucket_at: i64,
        count: u64,
        score: f64,
        mentions: &[StoredMention],
        new_peak: Option<f64>,
        ended_at: Option<i64>,
    ) -> Result<(), ServiceError> {
        let Some(&id) = self.state.incident_ids.get(slice) else { return Ok(()) };
        let Some(mut row) = self.store.get_incident(id)? else { return Ok(()) };
        let mut details = details_of(&row);
        details.buckets.push(BucketCount { at: at(bucket_at), count, score });
        if ended_at.is_none() {
            let linked: Vec<_> = mentions.iter().filter(|mention| in_slice(slice, mention)).map(|mention| mention.id).collect();
            details.mention_count += linked.len() as u64;
            self.store.link_incident_mentions(id, &linked)?;
        }
        if let Some(peak) = new_peak.filter(|peak| *peak > row.peak) {
            row.peak = peak;
            details.timeline.push(TimelineEvent { at: at(bucket_at), event: "grew".into(), detail: format!("peak score {peak:.2}") });
        }
        if let Some(ended_at) = ended_at {
            row.ended_at = Some(ended_at);
            details.timeline.push(TimelineEvent { at: at(bucket_at), event: "signal_ended".into(), detail: "the volume is back to normal".into() });
        }
        row.details = to_value(&details)?;
        self.store.update_incident(&row)?;
        Ok(())
    }
}
