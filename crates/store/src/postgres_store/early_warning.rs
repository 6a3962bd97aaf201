//! Incidents, their mentions, alert rules and alerts in PostgreSQL.

use domain::MentionId;
use postgres::error::SqlState;
use postgres::{Client, Row};

use crate::early_warning::{details_from_text, details_to_text};
use crate::{AlertRow, AlertRuleRow, IncidentRow, Result, StoreError};

const INCIDENT_COLUMNS: &str = "id, slice, status, owner, started_at, ended_at, peak, details";

fn limit_param(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

fn incident_from_row(row: &Row) -> Result<IncidentRow> {
    Ok(IncidentRow {
        id: row.get(0),
        slice: row.get(1),
        status: row.get(2),
        owner: row.get(3),
        started_at: row.get(4),
        ended_at: row.get(5),
        peak: row.get(6),
        details: details_from_text(row.get(7))?,
    })
}

pub(super) fn create_incident(client: &mut Client, incident: &IncidentRow) -> Result<IncidentRow> {
    let inserted = client.query_one(
        "INSERT INTO incidents (slice, status, owner, started_at, ended_at, peak, details) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        &[
            &incident.slice,
            &incident.status,
            &incident.owner,
            &incident.started_at,
            &incident.ended_at,
            &incident.peak,
            &details_to_text(&incident.details),
        ],
    );
    match inserted {
        Ok(row) => Ok(IncidentRow {
            id: row.get(0),
            ..incident.clone()
        }),
        Err(error) if error.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
            Err(StoreError::Conflict(format!(
                "slice {} already has an incident starting at {}",
                incident.slice, incident.started_at
            )))
        }
        Err(error) => Err(error.into()),
    }
}

pub(super) fn update_incident(client: &mut Client, incident: &IncidentRow) -> Result<bool> {
    let changed = client.execute(
        "UPDATE incidents SET status = $2, owner = $3, ended_at = $4, peak = $5, details = $6 WHERE id = $1",
        &[
            &incident.id,
            &incident.status,
            &incident.owner,
            &incident.ended_at,
            &incident.peak,
            &details_to_text(&incident.details),
        ],
    )?;
    Ok(changed > 0)
}

pub(super) fn get_incident(client: &mut Client, id: i64) -> Result<Option<IncidentRow>> {
    let row = client.query_opt(
        &format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = $1"),
        &[&id],
    )?;
    row.as_ref().map(incident_from_row).transpose()
}

pub(super) fn list_incidents(
    client: &mut Client,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<IncidentRow>> {
    let rows = client.query(
        &format!(
            "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id < $1 ORDER BY id DESC LIMIT $2"
        ),
        &[&before.unwrap_or(i64::MAX), &limit_param(limit)],
    )?;
    rows.iter().map(incident_from_row).collect()
}

pub(super) fn link_incident_mentions(
    client: &mut Client,
    incident_id: i64,
    mentions: &[MentionId],
) -> Result<()> {
    let ids: Vec<i64> = mentions.iter().map(|mention| mention.0).collect();
    client.execute(
        "INSERT INTO incident_mentions (incident_id, mention_id) SELECT $1, unnest($2::bigint[]) \
         ON CONFLICT DO NOTHING",
        &[&incident_id, &ids],
    )?;
    Ok(())
}

pub(super) fn incident_mentions(
    client: &mut Client,
    incident_id: i64,
    after: MentionId,
    limit: usize,
) -> Result<Vec<MentionId>> {
    let rows = client.query(
        "SELECT mention_id FROM incident_mentions WHERE incident_id = $1 AND mention_id > $2 \
         ORDER BY mention_id LIMIT $3",
        &[&incident_id, &after.0, &limit_param(limit)],
    )?;
    Ok(rows.iter().map(|row| MentionId(row.get(0))).collect())
}

pub(super) fn create_alert_rule(client: &mut Client, rule: &AlertRuleRow) -> Result<AlertRuleRow> {
    let row = client.query_one(
        "INSERT INTO alert_rules (name, kind, settings, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        &[&rule.name, &rule.kind, &details_to_text(&rule.settings), &rule.created_at],
    )?;
    Ok(AlertRuleRow {
        id: row.get(0),
        ..rule.clone()
    })
}

pub(super) fn list_alert_rules(client: &mut Client) -> Result<Vec<AlertRuleRow>> {
    let rows = client.query(
        "SELECT id, name, kind, settings, created_at FROM alert_rules ORDER BY id",
        &[],
    )?;
    rows.iter()
        .map(|row| {
            Ok(AlertRuleRow {
                id: row.get(0),
                name: row.get(1),
                kind: row.get(2),
                settings: details_from_text(row.get(3))?,
                created_at: row.get(4),
            })
        })
        .collect()
}

pub(super) fn set_alert_rule_settings(client: &mut Client, id: i64, settings: &serde_json::Value) -> Result<bool> {
    Ok(client.execute("UPDATE alert_rules SET settings = $1 WHERE id = $2", &[&details_to_text(settings), &id])? > 0)
}

pub(super) fn delete_alert_rule(client: &mut Client, id: i64) -> Result<bool> {
    Ok(client.execute("DELETE FROM alert_rules WHERE id = $1", &[&id])? > 0)
}

pub(super) fn create_alert(client: &mut Client, alert: &AlertRow) -> Result<AlertRow> {
    let row = client.query_one(
        "INSERT INTO alerts (rule_id, incident_id, text, details, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        &[&alert.rule_id, &alert.incident_id, &alert.text, &details_to_text(&alert.details), &alert.created_at],
    )?;
    Ok(AlertRow {
        id: row.get(0),
        ..alert.clone()
    })
}

pub(super) fn list_alerts(client: &mut Client, limit: usize) -> Result<Vec<AlertRow>> {
    let rows = client.query(
        "SELECT id, rule_id, incident_id, text, details, created_at FROM alerts ORDER BY id DESC LIMIT $1",
        &[&limit_param(limit)],
    )?;
    rows.iter()
        .map(|row| {
            Ok(AlertRow {
                id: row.get(0),
                rule_id: row.get(1),
                incident_id: row.get(2),
                text: row.get(3),
                details: details_from_text(row.get(4))?,
                created_at: row.get(5),
            })
        })
        .collect()
}
