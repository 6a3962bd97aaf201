//! Users, sessions, API tokens, teams and the audit log, written once for both backends
//! over the portable [`Db`](crate::sql::Db) layer.

use chrono::{DateTime, Utc};
use domain::{Language, NewUser, Role, Scope, Team, TeamId, User, UserId};

use crate::codec::{from_json, now, to_json};
use crate::sql::{Db, Param, Row, is_unique_violation};
use crate::{Result, StoreError};

/// A stored API token (only its SHA-256 hash is kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub label: String,
    /// `None` for a token made before users existed (it acts as an administrator).
    pub user_id: Option<UserId>,
    /// Empty: the user's full rights.
    pub scopes: Vec<Scope>,
    pub created_at: DateTime<Utc>,
}

/// A signed-in browser session, found by the SHA-256 of its cookie's secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: UserId,
    /// Sent back in `X-CSRF-Token` by state-changing requests.
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// One change, as the audit log keeps it. `before` and `after` are JSON documents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// An audit entry to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Which audit entries to list: newest first, below `before_id`, at most `limit`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub before_id: Option<i64>,
    pub limit: usize,
}

const USER_COLUMNS: &str =
    "id, email, display_name, role, language, signature, expertise, capacity, active, created_at";

fn user_from_row(row: &Row) -> Result<User> {
    let corrupt = |error: domain::DomainError| StoreError::Corrupt(error.to_string());
    Ok(User {
        id: UserId(row.int(0)?),
        email: row.text(1)?,
        display_name: row.text(2)?,
        role: row.text(3)?.parse::<Role>().map_err(corrupt)?,
        language: row.text(4)?.parse::<Language>().map_err(corrupt)?,
        signature: row.opt_text(5)?,
        expertise: from_json("expertise", &row.text(6)?)?,
        capacity: row.int(7)?,
        active: row.bool(8)?,
        created_at: row.time(9)?,
    })
}

pub(crate) fn create_user(db: &mut dyn Db, user: &NewUser) -> Result<User> {
    let created_at = now();
    let expertise = to_json(&user.expertise);
    let inserted = db.query_opt(
        "INSERT INTO users (email, display_name, role, language, signature, expertise, capacity, active, \
         password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id",
        &[
            Param::Text(&user.email.to_lowercase()),
            Param::Text(&user.display_name),
            Param::Text(user.role.as_str()),
            Param::Text(user.language.as_str()),
            user.signature.as_deref().into(),
            Param::Text(&expertise),
            Param::Int(user.capacity),
            Param::Bool(true),
            Param::Text(&user.password_hash),
            Param::Time(created_at),
        ],
    );
    match inserted {
        Ok(row) => {
            let id = row.ok_or_else(|| StoreError::Corrupt("INSERT returned no id".into()))?.int(0)?;
            Ok(get_user(db, UserId(id))?.ok_or_else(|| StoreError::Corrupt("user vanished".into()))?)
        }
        Err(error) if is_unique_violation(&error) => {
            Err(StoreError::Conflict(format!("a user with the e-mail {} already exists", user.email)))
        }
        Err(error) => Err(error),
    }
}

pub(crate) fn get_user(db: &mut dyn Db, id: UserId) -> Result<Option<User>> {
    db.query_opt(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"), &[Param::Int(id.0)])?
        .map(|row| user_from_row(&row))
        .transpose()
}

/// The user with this e-mail (any case) and their password hash.
pub(crate) fn find_user_credentials(db: &mut dyn Db, email: &str) -> Result<Option<(User, String)>> {
    let row = db.query_opt(
        &format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE lower(email) = ?1"),
        &[Param::Text(&email.to_lowercase())],
    )?;
    row.map(|row| Ok((user_from_row(&row)?, row.text(10)?))).transpose()
}

pub(crate) fn list_users(db: &mut dyn Db) -> Result<Vec<User>> {
    db.query(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"), &[])?.iter().map(user_from_row).collect()
}

/// Writes every field of `user` (its id and creation time stay) and, when given, a new
/// password hash. `false` when no such user.
pub(crate) fn update_user(db: &mut dyn Db, user: &User, password_hash: Option<&str>) -> Result<bool> {
    let expertise = to_json(&user.expertise);
    let updated = db.execute(
        "UPDATE users SET email = ?2, display_name = ?3, role = ?4, language = ?5, signature = ?6, \
         expertise = ?7, capacity = ?8, active = ?9, password_hash = COALESCE(?10, password_hash) WHERE id = ?1",
        &[
            Param::Int(user.id.0),
            Param::Text(&user.email.to_lowercase()),
            Param::Text(&user.display_name),
            Param::Text(user.role.as_str()),
            Param::Text(user.language.as_str()),
            user.signature.as_deref().into(),
            Param::Text(&expertise),
            Param::Int(user.capacity),
            Param::Bool(user.active),
            password_hash.into(),
        ],
    );
    match updated {
        Ok(count) => {
            if !user.active {
                db.execute("DELETE FROM sessions WHERE user_id = ?1", &[Param::Int(user.id.0)])?;
            }
            Ok(count > 0)
        }
        Err(error) if is_unique_violation(&error) => {
            Err(StoreError::Conflict(format!("a user with the e-mail {} already exists", user.email)))
        }
        Err(error) => Err(error),
    }
}

pub(crate) fn create_session(db: &mut dyn Db, token_sha256_hex: &str, session: &Session) -> Result<()> {
    let created_at = now();
    db.execute("DELETE FROM sessions WHERE expires_at < ?1", &[Param::Time(created_at)])?;
    db.execute(
        "INSERT INTO sessions (token_sha256, user_id, csrf_token, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        &[
            Param::Text(token_sha256_hex),
            Param::Int(session.user_id.0),
            Param::Text(&session.csrf_token),
            Param::Time(created_at),
            Param::Time(session.expires_at),
        ],
    )?;
    Ok(())
}

/// The session with this digest, if it has not expired.
pub(crate) fn find_session(db: &mut dyn Db, token_sha256_hex: &str) -> Result<Option<Session>> {
    let row = db.query_opt(
        "SELECT user_id, csrf_token, expires_at FROM sessions WHERE token_sha256 = ?1 AND expires_at > ?2",
        &[Param::Text(token_sha256_hex), Param::Time(now())],
    )?;
    row.map(|row| Ok(Session { user_id: UserId(row.int(0)?), csrf_token: row.text(1)?, expires_at: row.time(2)? }))
        .transpose()
}

pub(crate) fn delete_session(db: &mut dyn Db, token_sha256_hex: &str) -> Result<bool> {
    Ok(db.execute("DELETE FROM sessions WHERE token_sha256 = ?1", &[Param::Text(token_sha256_hex)])? > 0)
}

pub(crate) fn create_api_token(
    db: &mut dyn Db,
    label: &str,
    token_sha256_hex: &str,
    user_id: Option<UserId>,
    scopes: &[Scope],
) -> Result<ApiToken> {
    let created_at = now();
    let scopes_json = to_json(scopes);
    let inserted = db.query_opt(
        "INSERT INTO api_tokens (label, token_sha256, created_at, user_id, scopes) VALUES (?1, ?2, ?3, ?4, ?5) \
         RETURNING id",
        &[
            Param::Text(label),
            Param::Text(token_sha256_hex),
            Param::Time(created_at),
            user_id.map(|id| id.0).into(),
            Param::Text(&scopes_json),
        ],
    );
    match inserted {
        Ok(row) => Ok(ApiToken {
            id: row.ok_or_else(|| StoreError::Corrupt("INSERT returned no id".into()))?.int(0)?,
            label: label.to_string(),
            user_id,
            scopes: scopes.to_vec(),
            created_at,
        }),
        Err(error) if is_unique_violation(&error) => {
            Err(StoreError::Conflict("an API token with this secret already exists".to_string()))
        }
        Err(error) => Err(error),
    }
}

pub(crate) fn find_api_token(db: &mut dyn Db, token_sha256_hex: &str) -> Result<Option<ApiToken>> {
    let row = db.query_opt(
        "SELECT id, label, created_at, user_id, scopes FROM api_tokens WHERE token_sha256 = ?1",
        &[Param::Text(token_sha256_hex)],
    )?;
    row.map(|row| {
        Ok(ApiToken {
            id: row.int(0)?,
            label: row.text(1)?,
            created_at: row.time(2)?,
            user_id: row.opt_int(3)?.map(UserId),
            scopes: from_json("scopes", &row.text(4)?)?,
        })
    })
    .transpose()
}

/// Every API token (never its secret), newest first.
pub(crate) fn list_api_tokens(db: &mut dyn Db) -> Result<Vec<ApiToken>> {
    db.query("SELECT id, label, created_at, user_id, scopes FROM api_tokens ORDER BY id DESC", &[])?
        .iter()
        .map(|row| {
            Ok(ApiToken {
                id: row.int(0)?,
                label: row.text(1)?,
                created_at: row.time(2)?,
                user_id: row.opt_int(3)?.map(UserId),
                scopes: from_json("scopes", &row.text(4)?)?,
            })
        })
        .collect()
}

pub(crate) fn delete_api_token(db: &mut dyn Db, id: i64) -> Result<bool> {
    Ok(db.execute("DELETE FROM api_tokens WHERE id = ?1", &[Param::Int(id)])? > 0)
}

pub(crate) fn create_team(db: &mut dyn Db, name: &str, members: &[UserId]) -> Result<Team> {
    let inserted = db.query_opt("INSERT INTO teams (name) VALUES (?1) RETURNING id", &[Param::Text(name)]);
    let id = match inserted {
        Ok(row) => TeamId(row.ok_or_else(|| StoreError::Corrupt("INSERT returned no id".into()))?.int(0)?),
        Err(error) if is_unique_violation(&error) => {
            return Err(StoreError::Conflict(format!("a team named {name:?} already exists")));
        }
        Err(error) => return Err(error),
    };
    set_members(db, id, members)?;
    Ok(Team { id, name: name.to_string(), members: members.to_vec() })
}

fn set_members(db: &mut dyn Db, team: TeamId, members: &[UserId]) -> Result<()> {
    db.execute("DELETE FROM team_members WHERE team_id = ?1", &[Param::Int(team.0)])?;
    for member in members {
        if get_user(db, *member)?.is_none() {
            return Err(StoreError::NotFound(format!("no user {member}")));
        }
        db.execute(
            "INSERT INTO team_members (team_id, user_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            &[Param::Int(team.0), Param::Int(member.0)],
        )?;
    }
    Ok(())
}

pub(crate) fn list_teams(db: &mut dyn Db) -> Result<Vec<Team>> {
    let mut teams: Vec<Team> = db
        .query("SELECT id, name FROM teams ORDER BY id", &[])?
        .iter()
        .map(|row| Ok(Team { id: TeamId(row.int(0)?), name: row.text(1)?, members: Vec::new() }))
        .collect::<Result<_>>()?;
    for row in db.query("SELECT team_id, user_id FROM team_members ORDER BY team_id, user_id", &[])? {
        let team_id = TeamId(row.int(0)?);
        if let Some(team) = teams.iter_mut().find(|team| team.id == team_id) {
            team.members.push(UserId(row.int(1)?));
        }
    }
    Ok(teams)
}

pub(crate) fn get_team(db: &mut dyn Db, id: TeamId) -> Result<Option<Team>> {
    let Some(row) = db.query_opt("SELECT name FROM teams WHERE id = ?1", &[Param::Int(id.0)])? else {
        return Ok(None);
    };
    let members = db
        .query("SELECT user_id FROM team_members WHERE team_id = ?1 ORDER BY user_id", &[Param::Int(id.0)])?
        .iter()
        .map(|row| row.int(0).map(UserId))
        .collect::<Result<_>>()?;
    Ok(Some(Team { id, name: row.text(0)?, members }))
}

/// Renames a team and replaces its members. `false` when no such team.
pub(crate) fn update_team(db: &mut dyn Db, team: &Team) -> Result<bool> {
    let updated = db.execute("UPDATE teams SET name = ?2 WHERE id = ?1", &[Param::Int(team.id.0), Param::Text(&team.name)]);
    match updated {
        Ok(0) => Ok(false),
        Ok(_) => {
            set_members(db, team.id, &team.members)?;
            Ok(true)
        }
        Err(error) if is_unique_violation(&error) => {
            Err(StoreError::Conflict(format!("a team named {:?} already exists", team.name)))
        }
        Err(error) => Err(error),
    }
}

pub(crate) fn delete_team(db: &mut dyn Db, id: TeamId) -> Result<bool> {
    db.execute("DELETE FROM team_members WHERE team_id = ?1", &[Param::Int(id.0)])?;
    Ok(db.execute("DELETE FROM teams WHERE id = ?1", &[Param::Int(id.0)])? > 0)
}

pub(crate) fn append_audit(db: &mut dyn Db, entry: &NewAuditEntry) -> Result<AuditEntry> {
    let at = now();
    let before = entry.before.as_ref().map(|value| value.to_string());
    let after = entry.after.as_ref().map(|value| value.to_string());
    let row = db
        .query_opt(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id, before_json, after_json) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
            &[
                Param::Time(at),
                Param::Text(&entry.actor),
                Param::Text(&entry.action),
                Param::Text(&entry.entity),
                Param::Text(&entry.entity_id),
                before.as_deref().into(),
                after.as_deref().into(),
            ],
        )?
        .ok_or_else(|| StoreError::Corrupt("INSERT returned no id".into()))?;
    Ok(AuditEntry {
        id: row.int(0)?,
        at,
        actor: entry.actor.clone(),
        action: entry.action.clone(),
        entity: entry.entity.clone(),
        entity_id: entry.entity_id.clone(),
        before: entry.before.clone(),
        after: entry.after.clone(),
    })
}

pub(crate) fn list_audit(db: &mut dyn Db, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
    let rows = db.query(
        "SELECT id, at, actor, action, entity, entity_id, before_json, after_json FROM audit_log \
         WHERE (CAST(?1 AS TEXT) IS NULL OR entity = ?1) AND (CAST(?2 AS TEXT) IS NULL OR entity_id = ?2) \
         AND (CAST(?3 AS BIGINT) IS NULL OR id < ?3) \
         ORDER BY id DESC LIMIT ?4",
        &[
            filter.entity.as_deref().into(),
            filter.entity_id.as_deref().into(),
            filter.before_id.into(),
            Param::Int(i64::try_from(filter.limit).unwrap_or(i64::MAX)),
        ],
    )?;
    rows.iter()
        .map(|row| {
            let json = |index: usize| -> Result<Option<serde_json::Value>> {
                row.opt_text(index)?.map(|text| from_json("audit_log", &text)).transpose()
            };
            Ok(AuditEntry {
                id: row.int(0)?,
                at: row.time(1)?,
                actor: row.text(2)?,
                action: row.text(3)?,
                entity: row.text(4)?,
                entity_id: row.text(5)?,
                before: json(6)?,
                after: json(7)?,
            })
        })
        .collect()
}
