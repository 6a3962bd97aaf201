//! The care settings over [`Db`]: agent presence, routing rules, SLA policies, team
//! settings and canned responses.

use super::rows::*;
use crate::codec::now;
use crate::sql::{Db, Param, Row, is_unique_violation};
use crate::{Result, StoreError};

/// Deletes one row by id from a settings table (the name is one of ours, never input).
pub(crate) fn delete_row(db: &mut dyn Db, table: &'static str, id: i64) -> Result<bool> {
    Ok(db.execute(&format!("DELETE FROM {table} WHERE id = ?1"), &[Param::Int(id)])? > 0)
}

pub(crate) fn set_presence(db: &mut dyn Db, user_id: i64, presence: &str) -> Result<()> {
    db.execute(
        "INSERT INTO agent_presence (user_id, presence, updated_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (user_id) DO UPDATE SET presence = excluded.presence, updated_at = excluded.updated_at",
        &[Param::Int(user_id), Param::Text(presence), Param::Time(now())],
    )?;
    Ok(())
}

pub(crate) fn list_presence(db: &mut dyn Db) -> Result<Vec<(i64, String)>> {
    db.query("SELECT user_id, presence FROM agent_presence ORDER BY user_id", &[])?
        .iter()
        .map(|row| Ok((row.int(0)?, row.text(1)?)))
        .collect()
}

fn rule_from_row(row: &Row) -> Result<RoutingRuleRow> {
    Ok(RoutingRuleRow {
        id: row.int(0)?,
        position: row.int(1)?,
        name: row.text(2)?,
        conditions: row.text(3)?,
        team_id: row.int(4)?,
        created_at: row.time(5)?,
    })
}

const RULE_COLUMNS: &str = "id, position, name, conditions, team_id, created_at";

pub(crate) fn create_routing_rule(db: &mut dyn Db, rule: &RoutingRuleRow) -> Result<RoutingRuleRow> {
    let inserted = db.query_opt(
        &format!(
            "INSERT INTO routing_rules (position, name, conditions, team_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5) \
             RETURNING {RULE_COLUMNS}"
        ),
        &[
            Param::Int(rule.position),
            Param::Text(&rule.name),
            Param::Text(&rule.conditions),
            Param::Int(rule.team_id),
            Param::Time(now()),
        ],
    )?;
    rule_from_row(&inserted.ok_or_else(|| StoreError::Corrupt("INSERT returned no row".into()))?)
}

pub(crate) fn list_routing_rules(db: &mut dyn Db) -> Result<Vec<RoutingRuleRow>> {
    db.query(&format!("SELECT {RULE_COLUMNS} FROM routing_rules ORDER BY position, id"), &[])?
        .iter()
        .map(rule_from_row)
        .collect()
}

const POLICY_COLUMNS: &str = "id, name, team_id, targets, calendar, updated_at";

fn policy_from_row(row: &Row) -> Result<SlaPolicyRow> {
    Ok(SlaPolicyRow {
        id: row.int(0)?,
        name: row.text(1)?,
        team_id: row.opt_int(2)?,
        targets: row.text(3)?,
        calendar: row.text(4)?,
        updated_at: row.time(5)?,
    })
}

pub(crate) fn create_sla_policy(db: &mut dyn Db, policy: &SlaPolicyRow) -> Result<SlaPolicyRow> {
    // The unique index allows many NULL teams: the default policy is checked here.
    if policy.team_id.is_none() && db.query_opt("SELECT 1 FROM sla_policies WHERE team_id IS NULL", &[])?.is_some() {
        return Err(StoreError::Conflict("a default SLA policy exists already".into()));
    }
    let inserted = db.query_opt(
        &format!(
            "INSERT INTO sla_policies (name, team_id, targets, calendar, updated_at) VALUES (?1, ?2, ?3, ?4, ?5) \
             RETURNING {POLICY_COLUMNS}"
        ),
        &[
            Param::Text(&policy.name),
            policy.team_id.into(),
            Param::Text(&policy.targets),
            Param::Text(&policy.calendar),
            Param::Time(now()),
        ],
    );
    match inserted {
        Ok(row) => policy_from_row(&row.ok_or_else(|| StoreError::Corrupt("INSERT returned no row".into()))?),
        Err(error) if is_unique_violation(&error) => Err(StoreError::Conflict("this team has an SLA policy already".into())),
        Err(error) => Err(error),
    }
}

pub(crate) fn list_sla_policies(db: &mut dyn Db) -> Result<Vec<SlaPolicyRow>> {
    db.query(&format!("SELECT {POLICY_COLUMNS} FROM sla_policies ORDER BY id"), &[])?
        .iter()
        .map(policy_from_row)
        .collect()
}

pub(crate) fn update_sla_policy(db: &mut dyn Db, policy: &SlaPolicyRow) -> Result<bool> {
    Ok(db.execute(
        "UPDATE sla_policies SET name = ?2, targets = ?3, calendar = ?4, updated_at = ?5 WHERE id = ?1",
        &[
            Param::Int(policy.id),
            Param::Text(&policy.name),
            Param::Text(&policy.targets),
            Param::Text(&policy.calendar),
            Param::Time(now()),
        ],
    )? > 0)
}

pub(crate) fn set_team_settings(db: &mut dyn Db, settings: &TeamCareSettings) -> Result<()> {
    let written = db.execute(
        "INSERT INTO team_care_settings (team_id, append_signature, assignment, crowd, crowd_approval) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (team_id) DO UPDATE SET append_signature = excluded.append_signature, \
         assignment = excluded.assignment, crowd = excluded.crowd, crowd_approval = excluded.crowd_approval",
        &[
            Param::Int(settings.team_id),
            Param::Bool(settings.append_signature),
            Param::Text(&settings.assignment),
            Param::Bool(settings.crowd),
            Param::Bool(settings.crowd_approval),
        ],
    );
    match written {
        Ok(_) => Ok(()),
        Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(failure, _)))
            if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY =>
        {
            Err(StoreError::NotFound(format!("no team {}", settings.team_id)))
        }
        Err(StoreError::Postgres(error)) if error.code() == Some(&postgres::error::SqlState::FOREIGN_KEY_VIOLATION) => {
            Err(StoreError::NotFound(format!("no team {}", settings.team_id)))
        }
        Err(error) => Err(error),
    }
}

pub(crate) fn list_team_settings(db: &mut dyn Db) -> Result<Vec<TeamCareSettings>> {
    db.query("SELECT team_id, append_signature, assignment, crowd, crowd_approval FROM team_care_settings ORDER BY team_id", &[])?
        .iter()
        .map(|row| {
            Ok(TeamCareSettings {
                team_id: row.int(0)?,
                append_signature: row.bool(1)?,
                assignment: row.text(2)?,
                crowd: row.bool(3)?,
                crowd_approval: row.bool(4)?,
            })
        })
        .collect()
}

pub(crate) fn create_canned(db: &mut dyn Db, title: &str, template: &str) -> Result<CannedRow> {
    let row = db.query_opt(
        "INSERT INTO canned_responses (title, template, created_at) VALUES (?1, ?2, ?3) \
         RETURNING id, title, template, created_at",
        &[Param::Text(title), Param::Text(template), Param::Time(now())],
    )?;
    canned_from_row(&row.ok_or_else(|| StoreError::Corrupt("INSERT returned no row".into()))?)
}

fn canned_from_row(row: &Row) -> Result<CannedRow> {
    Ok(CannedRow { id: row.int(0)?, title: row.text(1)?, template: row.text(2)?, created_at: row.time(3)? })
}

pub(crate) fn list_canned(db: &mut dyn Db, id: Option<i64>) -> Result<Vec<CannedRow>> {
    db.query(
        "SELECT id, title, template, created_at FROM canned_responses WHERE (CAST(?1 AS BIGINT) IS NULL OR id = ?1) ORDER BY title, id",
        &[id.into()],
    )?
    .iter()
    .map(canned_from_row)
    .collect()
}
