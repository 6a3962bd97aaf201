//! People and access use cases: users (argon2 password hashes), sign-in sessions, API
//! tokens owned by users and narrowed by scopes, teams, and the audit log every change
//! is written to. Which role may do what is `domain::role_allows`; the web layer asks
//! [`Principal::may`] before calling in here.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use domain::{
    Language, NewUser, Principal, Role, Scope, Team, TeamId, User, UserId, check_short_text, normalise_email,
};
use serde::Deserialize;
use serde_json::{Value, json};
use store::{AuditEntry, AuditFilter, NewAuditEntry, Session};

use crate::app::token_digest;
use crate::{App, ServiceError};

/// How long a sign-in lasts.
pub const SESSION_TTL: Duration = Duration::hours(12);
/// Longest password accepted (argon2 takes any length; this bounds the work).
const MAX_PASSWORD_BYTES: usize = 1_024;
const WRONG_CREDENTIALS: &str = "wrong e-mail or password";

/// A user to create, as the CLI or `POST /api/v1/users` gives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRequest {
    pub email: String,
    pub password: String,
    pub role: Role,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub language: Language,
    #[serde(default)]
    pub signature: Option<String>,
    #[serde(default)]
    pub expertise: Vec<String>,
    #[serde(default)]
    pub capacity: Option<i64>,
}

/// A change to a user; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub language: Option<Language>,
    pub signature: Option<String>,
    pub expertise: Option<Vec<String>>,
    pub capacity: Option<i64>,
    pub active: Option<bool>,
    pub password: Option<String>,
}

/// A team to create or the new state of one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamRequest {
    pub name: String,
    #[serde(default)]
    pub members: Vec<UserId>,
}

/// What a successful sign-in hands back: the cookie secret is shown once.
#[derive(Debug, Clone)]
pub struct SignIn {
    pub user: User,
    pub session_secret: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

fn random_secret(prefix: &str) -> String {
    format!("{prefix}{}", hex::encode(rand::random::<[u8; 32]>()))
}

fn hash_password(password: &str) -> Result<String, ServiceError> {
    if password.is_empty() || password.len() > MAX_PASSWORD_BYTES {
        return Err(ServiceError::Invalid(format!("a password has 1 to {MAX_PASSWORD_BYTES} bytes")));
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|error| ServiceError::Config(format!("cannot hash a password: {error}")))
}

fn password_matches(password: &str, phc: &str) -> bool {
    // The PHC string carries its own parameters and salt.
    Argon2::default().verify_password(password.as_bytes(), phc).is_ok()
}

/// Verified when the e-mail is unknown, so a failure takes as long either way.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("comptoir-dummy-password").unwrap_or_default())
}

fn check_tags(tags: &[String]) -> Result<(), ServiceError> {
    if tags.len() > 50 {
        return Err(ServiceError::Invalid("at most 50 expertise tags".into()));
    }
    tags.iter().try_for_each(|tag| check_short_text("expertise", tag)).map_err(Into::into)
}

fn check_capacity(capacity: i64) -> Result<(), ServiceError> {
    if !(0..=10_000).contains(&capacity) {
        return Err(ServiceError::Invalid("capacity is 0 to 10000 open cases".into()));
    }
    Ok(())
}

impl App {
    /// Appends one entry to the audit log.
    pub fn audit(&self, actor: &str, action: &str, entity: &str, entity_id: impl ToString, before: Option<Value>, after: Option<Value>) -> Result<(), ServiceError> {
        self.store().append_audit(&NewAuditEntry {
            actor: actor.to_string(),
            action: action.to_string(),
            entity: entity.to_string(),
            entity_id: entity_id.to_string(),
            before,
            after,
        })?;
        Ok(())
    }

    pub fn create_user(&self, actor: &str, request: &UserRequest) -> Result<User, ServiceError> {
        let email = normalise_email(&request.email)?;
        let display_name = request.display_name.clone().unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_string());
        check_short_text("display_name", &display_name)?;
        if let Some(signature) = &request.signature {
            check_short_text("signature", signature)?;
        }
        check_tags(&request.expertise)?;
        let capacity = request.capacity.unwrap_or(10);
        check_capacity(capacity)?;
        let user = self.store().create_user(&NewUser {
            email,
            display_name,
            role: request.role,
            language: request.language,
            signature: request.signature.clone(),
            expertise: request.expertise.clone(),
            capacity,
            password_hash: hash_password(&request.password)?,
        })?;
        self.audit(actor, "user.create", "user", user.id, None, Some(json!(user)))?;
        Ok(user)
    }

    pub fn list_users(&self) -> Result<Vec<User>, ServiceError> {
        Ok(self.store().list_users()?)
    }

    pub fn get_user(&self, id: UserId) -> Result<User, ServiceError> {
        self.store().get_user(id)?.ok_or_else(|| ServiceError::NotFound(format!("no user {id}")))
    }

    /// Changes a user (deactivating signs them out everywhere).
    pub fn update_user(&self, actor: &str, id: UserId, patch: &UserPatch) -> Result<User, ServiceError> {
        let before = self.get_user(id)?;
        let mut user = before.clone();
        if let Some(name) = &patch.display_name {
            check_short_text("display_name", name)?;
            user.display_name = name.clone();
        }
        if let Some(signature) = &patch.signature {
            check_short_text("signature", signature)?;
            user.signature = Some(signature.clone()).filter(|signature| !signature.is_empty());
        }
        if let Some(tags) = &patch.expertise {
            check_tags(tags)?;
            user.expertise = tags.clone();
        }
        if let Some(capacity) = patch.capacity {
            check_capacity(capacity)?;
            user.capacity = capacity;
        }
        user.role = patch.role.unwrap_or(user.role);
        user.language = patch.language.unwrap_or(user.language);
        user.active = patch.active.unwrap_or(user.active);
        let password_hash = patch.password.as_deref().map(hash_password).transpose()?;
        self.store().update_user(&user, password_hash.as_deref())?;
        self.principals().clear();
        let mut after = json!(user);
        if password_hash.is_some() {
            after["password_changed"] = json!(true);
        }
        self.audit(actor, "user.update", "user", id, Some(json!(before)), Some(after))?;
        Ok(user)
    }

    /// Checks an e-mail and password; one answer for an unknown e-mail, an inactive
    /// user and a wrong password, after the same argon2 work.
    pub fn sign_in(&self, email: &str, password: &str) -> Result<SignIn, ServiceError> {
        let wrong = || ServiceError::Unauthenticated(WRONG_CREDENTIALS.into());
        if password.len() > MAX_PASSWORD_BYTES || email.len() > domain::MAX_EMAIL_BYTES {
            return Err(wrong());
        }
        let found = self.store().find_user_credentials(email.trim())?;
        let (user, hash) = match found {
            Some((user, hash)) if user.active => (Some(user), hash),
            _ => (None, dummy_hash().to_string()),
        };
        let matches = password_matches(password, &hash);
        let Some(user) = user.filter(|_| matches) else { return Err(wrong()) };
        let session_secret = random_secret("cps_");
        let session = Session { user_id: user.id, csrf_token: random_secret(""), expires_at: Utc::now() + SESSION_TTL };
        self.store().create_session(&token_digest(&session_secret), &session)?;
        self.audit(&format!("user:{}", user.id), "session.create", "user", user.id, None, None)?;
        Ok(SignIn { user, session_secret, csrf_token: session.csrf_token, expires_at: session.expires_at })
    }

    pub fn sign_out(&self, session_secret: &str) -> Result<bool, ServiceError> {
        let deleted = self.store().delete_session(&token_digest(session_secret))?;
        self.principals().clear();
        Ok(deleted)
    }

    /// The caller behind a token or a session secret if it was looked up in the last
    /// seconds (no store access: cheap enough for an async thread), with the session's
    /// CSRF token (empty for a token). `None`: ask [`Self::token_principal`] or
    /// [`Self::session_principal`].
    pub fn remembered_caller(&self, secret: &str) -> Option<(Principal, String)> {
        self.principals().get(&token_digest(secret))
    }

    /// The signed-in user behind a session cookie, with the session's CSRF token.
    pub fn session_principal(&self, session_secret: &str) -> Result<Option<(Principal, String)>, ServiceError> {
        let digest = token_digest(session_secret);
        if let Some(found) = self.principals().get(&digest) {
            return Ok(Some(found));
        }
        let Some(session) = self.store().find_session(&digest)? else { return Ok(None) };
        let Some(user) = self.store().get_user(session.user_id)?.filter(|user| user.active) else { return Ok(None) };
        let principal = Principal { user_id: Some(user.id), role: user.role, scopes: Vec::new(), actor: format!("user:{}", user.id) };
        self.principals().put(digest, principal.clone(), session.csrf_token.clone(), Some(session.expires_at));
        Ok(Some((principal, session.csrf_token)))
    }

    /// Who a bearer token acts for: its user's role narrowed by its scopes; a token
    /// made before users existed (no owner) acts as an administrator.
    pub fn token_principal(&self, secret: &str) -> Result<Option<Principal>, ServiceError> {
        let digest = token_digest(secret);
        if let Some((principal, _)) = self.principals().get(&digest) {
            return Ok(Some(principal));
        }
        let Some(token) = self.store().find_api_token(&digest)? else { return Ok(None) };
        let role = match token.user_id {
            None => Role::Admin,
            Some(user_id) => match self.store().get_user(user_id)?.filter(|user| user.active) {
                Some(user) => user.role,
                None => return Ok(None),
            },
        };
        let principal = Principal { user_id: token.user_id, role, scopes: token.scopes, actor: format!("token:{}", token.id) };
        self.principals().put(digest, principal.clone(), String::new(), None);
        Ok(Some(principal))
    }

    /// Creates an API token for the user with this e-mail, narrowed by `scopes` (none:
    /// the user's rights). Returns the secret, shown once.
    pub fn create_user_api_token(&self, actor: &str, email: &str, label: &str, scopes: &[Scope]) -> Result<String, ServiceError> {
        check_short_text("label", label)?;
        let (user, _) = self
            .store()
            .find_user_credentials(&normalise_email(email)?)?
            .ok_or_else(|| ServiceError::NotFound(format!("no user with the e-mail {email}")))?;
        let secret = format!("cpt_{}", hex::encode(rand::random::<[u8; 24]>()));
        let token = self.store().create_api_token(label, &token_digest(&secret), Some(user.id), scopes)?;
        self.principals().clear();
        let scopes: Vec<&str> = scopes.iter().map(|scope| scope.as_str()).collect();
        self.audit(actor, "token.create", "api_token", token.id, None, Some(json!({"user_id": user.id, "label": label, "scopes": scopes})))?;
        Ok(secret)
    }

    /// Every API token: label, owner, scopes and creation time (the secret is never kept).
    pub fn list_api_tokens(&self) -> Result<Vec<TokenView>, ServiceError> {
        Ok(self.store().list_api_tokens()?.into_iter().map(TokenView::of).collect())
    }

    /// Revokes a token at once (it no longer authenticates); audited.
    pub fn revoke_api_token(&self, actor: &str, id: i64) -> Result<(), ServiceError> {
        let token = self.list_api_tokens()?.into_iter().find(|token| token.id == id);
        let token = token.ok_or_else(|| ServiceError::NotFound(format!("no API token {id}")))?;
        if !self.store().delete_api_token(id)? {
            return Err(ServiceError::NotFound(format!("no API token {id}")));
        }
        self.principals().clear();
        self.audit(actor, "token.revoke", "api_token", id, Some(json!({"user_id": token.user_id, "label": token.label, "scopes": token.scopes})), None)?;
        Ok(())
    }

    pub fn create_team(&self, actor: &str, request: &TeamRequest) -> Result<Team, ServiceError> {
        check_team(request)?;
        let team = self.store().create_team(request.name.trim(), &request.members)?;
        self.audit(actor, "team.create", "team", team.id, None, Some(json!(team)))?;
        Ok(team)
    }

    pub fn list_teams(&self) -> Result<Vec<Team>, ServiceError> {
        Ok(self.store().list_teams()?)
    }

    pub fn get_team(&self, id: TeamId) -> Result<Team, ServiceError> {
        self.store().get_team(id)?.ok_or_else(|| ServiceError::NotFound(format!("no team {id}")))
    }

    pub fn update_team(&self, actor: &str, id: TeamId, request: &TeamRequest) -> Result<Team, ServiceError> {
        check_team(request)?;
        let before = self.get_team(id)?;
        let team = Team { id, name: request.name.trim().to_string(), members: request.members.clone() };
        self.store().update_team(&team)?;
        let team = self.get_team(id)?;
        self.audit(actor, "team.update", "team", id, Some(json!(before)), Some(json!(team)))?;
        Ok(team)
    }

    pub fn delete_team(&self, actor: &str, id: TeamId) -> Result<(), ServiceError> {
        let before = self.get_team(id)?;
        self.store().delete_team(id)?;
        self.audit(actor, "team.delete", "team", id, Some(json!(before)), None)
    }

    pub fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, ServiceError> {
        Ok(self.store().list_audit(filter)?)
    }
}

fn check_team(request: &TeamRequest) -> Result<(), ServiceError> {
    if request.name.trim().is_empty() {
        return Err(ServiceError::Invalid("a team needs a name".into()));
    }
    check_short_text("name", &request.name)?;
    if request.members.len() > 1_000 {
        return Err(ServiceError::Invalid("at most 1000 members".into()));
    }
    Ok(())
}

/// An API token as the API shows it: never its secret (only its hash is stored).
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenView {
    pub id: i64,
    pub label: String,
    pub user_id: Option<i64>,
    pub scopes: Vec<&'static str>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl TokenView {
    fn of(token: store::ApiToken) -> TokenView {
        TokenView {
            id: token.id,
            label: token.label,
            user_id: token.user_id.map(|user| user.0),
            scopes: token.scopes.iter().map(|scope| scope.as_str()).collect(),
            created_at: token.created_at,
        }
    }
}
