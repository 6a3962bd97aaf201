//! Incidents, their mentions, alert rules and alerts in SQLite.

use domain::MentionId;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior};

use crate::early_warning::{details_from_text, details_to_text};
use crate::{AlertRow, AlertRuleRow, IncidentRow, Result, StoreError};

const INCIDENT_COLUMNS: &str = "id, slice, status, owner, started_at, ended_at, peak, details";

fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
    )
}

fn limit_param(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

fn incident_from_row(row: &Row<'_>) -> rusqlite::Result<(IncidentRow, String)> {
    Ok((
        IncidentRow {
            id: row.get(0)?,
            slice: row.get(1)?,
            status: row.get(2)?,
            owner: row.get(3)?,
            started_at: row.get(4)?,
            ended_at: row.get(5)?,
            peak: row.get(6)?,
            details: serde_json::Value::Null,
        },
        row.get(7)?,
    ))
}

fn with_details((mut incident, details): (IncidentRow, String)) -> Result<IncidentRow> {
    incident.details = details_from_text(&details)?;
    Ok(incident)
}

pub(super) fn create_incident(
    connection: &Connection,
    incident: &IncidentRow,
) -> Result<IncidentRow> {
    let inserted = connection
        .prepare_cached(
            "INSERT INTO incidents (slice, status, owner, started_at, ended_at, peak, details) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        )?
        .query_row(
            (
                &incident.slice,
                &incident.status,
                &incident.owner,
                incident.started_at,
                incident.ended_at,
                incident.peak,
                details_to_text(&incident.details),
            ),
            |row| row.get::<_, i64>(0),
        );
    match inserted {
        Ok(id) => Ok(IncidentRow {
            id,
            ..incident.clone()
        }),
        Err(error) if is_unique_violation(&error) => Err(StoreError::Conflict(format!(
            "slice {} already has an incident starting at {}",
            incident.slice, incident.started_at
        ))),
        Err(error) => Err(error.into()),
    }
}

pub(super) fn update_incident(connection: &Connection, incident: &IncidentRow) -> Result<bool> {
    let changed = connection
        .prepare_cached(
            "UPDATE incidents SET status = ?2, owner = ?3, ended_at = ?4, peak = ?5, details = ?6 \
             WHERE id = ?1",
        )?
        .execute((
            incident.id,
            &incident.status,
            &incident.owner,
            incident.ended_at,
            incident.peak,
            details_to_text(&incident.details),
        ))?;
    Ok(changed > 0)
}

pub(super) fn get_incident(connection: &Connection, id: i64) -> Result<Option<IncidentRow>> {
    let found = connection
        .prepare_cached(&format!(
            "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = ?1"
        ))?
        .query_row([id], incident_from_row)
        .optional()?;
    found.map(with_details).transpose()
}

pub(super) fn list_incidents(
    connection: &Connection,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<IncidentRow>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id < ?1 ORDER BY id DESC LIMIT ?2"
    ))?;
    let rows = statement.query_map(
        (before.unwrap_or(i64::MAX), limit_param(limit)),
        incident_from_row,
    )?;
    rows.map(|row| with_details(row?)).collect()
}

pub(super) fn link_incident_mentions(
    connection: &mut Connection,
    incident_id: i64,
    mentions: &[MentionId],
) -> Result<()> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        let mut insert = transaction.prepare_cached(
            "INSERT INTO incident_mentions (incident_id, mention_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        )?;
        for mention in mentions {
            insert.execute((incident_id, mention.0))?;
        }
    }
    transaction.commit()?;
    Ok(())
}

pub(super) fn incident_mentions(
    connection: &Connection,
    incident_id: i64,
    after: MentionId,
    limit: usize,
) -> Result<Vec<MentionId>> {
    let mut statement = connection.prepare_cached(
        "SELECT mention_id FROM incident_mentions WHERE incident_id = ?1 AND mention_id > ?2 \
         ORDER BY mention_id LIMIT ?3",
    )?;
    let rows = statement.query_map((incident_id, after.0, limit_param(limit)), |row| {
        row.get(0).map(MentionId)
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn create_alert_rule(
    connection: &Connection,
    rule: &AlertRuleRow,
) -> Result<AlertRuleRow> {
    let id = connection
        .prepare_cached("INSERT INTO alert_rules (name, kind, settings, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id")?
        .query_row((&rule.name, &rule.kind, details_to_text(&rule.settings), rule.created_at), |row| row.get(0))?;
    Ok(AlertRuleRow { id, ..rule.clone() })
}

pub(super) fn list_alert_rules(connection: &Connection) -> Result<Vec<AlertRuleRow>> {
    let mut statement = connection.prepare_cached(
        "SELECT id, name, kind, settings, created_at FROM alert_rules ORDER BY id",
    )?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get(0)?,
            row.get(1)?,
            row.get(2)?,
            row.get::<_, String>(3)?,
            row.get(4)?,
        ))
    })?;
    rows.map(|row| {
        let (id, name, kind, settings, created_at) = row?;
        Ok(AlertRuleRow {
            id,
            name,
            kind,
            settings: details_from_text(&settings)?,
            created_at,
        })
    })
    .collect()
}

pub(super) fn set_alert_rule_settings(connection: &Connection, id: i64, settings: &serde_json::Value) -> Result<bool> {
    Ok(connection.prepare_cached("UPDATE alert_rules SET settings = ?1 WHERE id = ?2")?.execute((details_to_text(settings), id))? > 0)
}

pub(super) fn delete_alert_rule(connection: &Connection, id: i64) -> Result<bool> {
    Ok(connection
        .prepare_cached("DELETE FROM alert_rules WHERE id = ?1")?
        .execute([id])?
        > 0)
}

pub(super) fn create_alert(connection: &Connection, alert: &AlertRow) -> Result<AlertRow> {
    let id = connection
        .prepare_cached(
            "INSERT INTO alerts (rule_id, incident_id, text, details, created_at) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        )?
        .query_row(
            (alert.rule_id, alert.incident_id, &alert.text, details_to_text(&alert.details), alert.created_at),
            |row| row.get(0),
        )?;
    Ok(AlertRow {
        id,
        ..alert.clone()
    })
}

pub(super) fn list_alerts(connection: &Connection, limit: usize) -> Result<Vec<AlertRow>> {
    let mut statement = connection.prepare_cached(
        "SELECT id, rule_id, incident_id, text, details, created_at FROM alerts ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = statement.query_map([limit_param(limit)], |row| {
        Ok((
            row.get(0)?,
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
            row.get::<_, String>(4)?,
            row.get(5)?,
        ))
    })?;
    rows.map(|row| {
        let (id, rule_id, incident_id, text, details, created_at) = row?;
        Ok(AlertRow {
            id,
            rule_id,
            incident_id,
            text,
            details: details_from_text(&details)?,
            created_at,
        })
    })
    .collect()
}
