//! People and access: users, their roles, what each role may do, and the scopes that
//! narrow an API token. The table in [`role_allows`] is the one place that says who may
//! do what; every endpoint asks it.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::DomainError;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// The store's id of a user.
    UserId
);
id_type!(
    /// The store's id of a team.
    TeamId
);
id_type!(
    /// The store's id of a contact (one customer across channels).
    ContactId
);

/// What a user is in the organisation; the CLI and the API use the lower-case names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Supervisor,
    Agent,
    /// Any employee answering within their expertise tags, with limited rights.
    Crowd,
    /// Read-only: voice of the customer, reports.
    Analyst,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Admin, Role::Supervisor, Role::Agent, Role::Crowd, Role::Analyst];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Agent => "agent",
            Role::Crowd => "crowd",
            Role::Analyst => "analyst",
        }
    }
}

impl FromStr for Role {
    type Err = DomainError;

    fn from_str(text: &str) -> Result<Role, DomainError> {
        Role::ALL.into_iter().find(|role| role.as_str() == text).ok_or_else(|| DomainError::Invalid {
            field: "role",
            reason: format!("{text:?} is not one of admin, supervisor, agent, crowd, analyst"),
        })
    }
}

/// The language a user reads the interface in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Fr,
    En,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Fr => "fr",
            Language::En => "en",
        }
    }
}

impl FromStr for Language {
    type Err = DomainError;

    fn from_str(text: &str) -> Result<Language, DomainError> {
        match text {
            "fr" => Ok(Language::Fr),
            "en" => Ok(Language::En),
            _ => Err(DomainError::Invalid { field: "language", reason: format!("{text:?} is not fr or en") }),
        }
    }
}

/// A person who signs in. The password hash never leaves the store and the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    /// Unique, compared case-insensitively (stored lower-cased).
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub language: Language,
    /// Appended to public replies so every answer discloses who speaks ("^JD").
    pub signature: Option<String>,
    pub expertise: Vec<String>,
    /// Most open cases assigned at once.
    pub capacity: i64,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// What a user is created with (the password already hashed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub language: Language,
    pub signature: Option<String>,
    pub expertise: Vec<String>,
    pub capacity: i64,
    pub password_hash: String,
}

/// Longest e-mail address accepted (RFC 5321's path limit).
pub const MAX_EMAIL_BYTES: usize = 254;
/// Longest display name, signature, tag, label or CRM field.
pub const MAX_SHORT_TEXT_BYTES: usize = 200;

/// Lower-cases and checks an e-mail address (one `@`, no spaces, bounded).
pub fn normalise_email(email: &str) -> Result<String, DomainError> {
    let email = email.trim().to_lowercase();
    let invalid = |reason: &str| DomainError::Invalid { field: "email", reason: reason.to_string() };
    if email.is_empty() || email.len() > MAX_EMAIL_BYTES {
        return Err(invalid("an e-mail address has 1 to 254 bytes"));
    }
    let Some((local, domain)) = email.split_once('@') else { return Err(invalid("an e-mail address has an @")) };
    if local.is_empty() || domain.is_empty() || domain.contains('@') || email.chars().any(char::is_whitespace) {
        return Err(invalid("not an e-mail address"));
    }
    Ok(email)
}

/// Checks a short free text (name, signature, tag): bounded, no control characters.
pub fn check_short_text(field: &'static str, text: &str) -> Result<(), DomainError> {
    if text.len() > MAX_SHORT_TEXT_BYTES {
        return Err(DomainError::Invalid { field, reason: format!("at most {MAX_SHORT_TEXT_BYTES} bytes") });
    }
    if text.chars().any(char::is_control) {
        return Err(DomainError::Invalid { field, reason: "no control characters".into() });
    }
    Ok(())
}

/// A team of users (a care team, a crowd pool).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub members: Vec<UserId>,
}

/// What an API token may be narrowed to. A token without scopes has its user's rights;
/// with scopes, an action needs its role's permission AND one matching scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    #[serde(rename = "mentions:read")]
    MentionsRead,
    #[serde(rename = "mentions:write")]
    MentionsWrite,
    #[serde(rename = "cases:read")]
    CasesRead,
    #[serde(rename = "cases:write")]
    CasesWrite,
    #[serde(rename = "contacts:read")]
    ContactsRead,
    #[serde(rename = "contacts:write")]
    ContactsWrite,
    /// Every action the user's role allows.
    #[serde(rename = "admin")]
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 7] = [
        Scope::MentionsRead,
        Scope::MentionsWrite,
        Scope::CasesRead,
        Scope::CasesWrite,
        Scope::ContactsRead,
        Scope::ContactsWrite,
        Scope::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::MentionsRead => "mentions:read",
            Scope::MentionsWrite => "mentions:write",
            Scope::CasesRead => "cases:read",
            Scope::CasesWrite => "cases:write",
            Scope::ContactsRead => "contacts:read",
            Scope::ContactsWrite => "contacts:write",
            Scope::Admin => "admin",
        }
    }

    /// Whether holding this scope covers an action that needs `needed`
    /// (`admin` covers everything; `x:write` covers `x:read`).
    pub fn covers(self, needed: Scope) -> bool {
        self == needed
            || self == Scope::Admin
            || matches!(
                (self, needed),
                (Scope::MentionsWrite, Scope::MentionsRead)
                    | (Scope::CasesWrite, Scope::CasesRead)
                    | (Scope::ContactsWrite, Scope::ContactsRead)
            )
    }
}

impl FromStr for Scope {
    type Err = DomainError;

    fn from_str(text: &str) -> Result<Scope, DomainError> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == text).ok_or_else(|| DomainError::Invalid {
            field: "scope",
            reason: format!(
                "{text:?} is not one of {}",
                Scope::ALL.map(Scope::as_str).join(", ")
            ),
        })
    }
}

/// Everything a caller can ask for, one variant per kind of endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Search, read a mention, read the quarantine and the listening topics.
    ReadMentions,
    /// Ingest mentions over HTTP.
    IngestMentions,
    /// Correct a mention's sentiment, reason or intent.
    CorrectEnrichment,
    /// Create and delete listening topics.
    ManageTopics,
    ReadContacts,
    /// CRM fields, identities, notes, merge and undo.
    WriteContacts,
    /// GDPR: export everything about a contact, or erase it.
    ExportContacts,
    EraseContacts,
    ReadTeams,
    ManageTeams,
    ReadUsers,
    ManageUsers,
    ReadAudit,
    /// Read incidents, their mentions, weak signals and the alerts sent.
    ReadIncidents,
    /// Acknowledge, resolve or reopen an incident; give it an owner.
    ManageIncidents,
    /// Create, test and delete alert rules.
    ManageAlerts,
    /// The inbox, a case, the care settings, the agents and callbacks (issue #4).
    ReadCases,
    /// Change a case, note, reply, signal presence, escalate to a callback, log its outcome.
    WorkCases,
    /// Routing rules, SLA policies, team care settings, canned responses, case rules,
    /// the case webhook, other agents' capacity and expertise.
    ManageCare,
    /// CSAT results per agent and team.
    ReadCareReports,
    /// The brand's posts, the publishing calendar and its pause (issue #5 §4).
    ReadPosts,
    /// Compose posts and amplify customers' mentions, for approval.
    ProposePosts,
    /// Approve, reject and publish posts; pause and resume publishing; read the outbox.
    ApprovePosts,
    /// Crisis mode of an incident: turn it on and off, broadcast, bulk replies and the
    /// outage-resolved notice.
    RunCrisis,
}

impl Action {
    pub const ALL: [Action; 24] = [
        Action::ReadMentions,
        Action::IngestMentions,
        Action::CorrectEnrichment,
        Action::ManageTopics,
        Action::ReadContacts,
        Action::WriteContacts,
        Action::ExportContacts,
        Action::EraseContacts,
        Action::ReadTeams,
        Action::ManageTeams,
        Action::ReadUsers,
        Action::ManageUsers,
        Action::ReadAudit,
        Action::ReadIncidents,
        Action::ManageIncidents,
        Action::ManageAlerts,
        Action::ReadCases,
        Action::WorkCases,
        Action::ManageCare,
        Action::ReadCareReports,
        Action::ReadPosts,
        Action::ProposePosts,
        Action::ApprovePosts,
        Action::RunCrisis,
    ];

    /// The scope a token needs for this action.
    pub fn scope(self) -> Scope {
        match self {
            Action::ReadMentions | Action::ReadIncidents | Action::ReadPosts => Scope::MentionsRead,
            Action::ProposePosts | Action::ApprovePosts => Scope::MentionsWrite,
            Action::RunCrisis => Scope::CasesWrite,
            Action::ManageIncidents | Action::ManageAlerts => Scope::MentionsWrite,
            Action::IngestMentions | Action::CorrectEnrichment | Action::ManageTopics => Scope::MentionsWrite,
            Action::ReadContacts => Scope::ContactsRead,
            Action::WriteContacts | Action::ExportContacts | Action::EraseContacts => Scope::ContactsWrite,
            Action::ReadTeams | Action::ReadCases | Action::ReadCareReports => Scope::CasesRead,
            Action::WorkCases | Action::ManageCare => Scope::CasesWrite,
            Action::ManageTeams | Action::ReadUsers | Action::ManageUsers | Action::ReadAudit => Scope::Admin,
        }
    }
}

/// THE authorisation table: which role may do which action.
///
/// | action | admin | supervisor | agent | crowd | analyst |
/// |---|---|---|---|---|---|
/// | ReadMentions | ✓ | ✓ | ✓ | ✓ | ✓ |
/// | IngestMentions, CorrectEnrichment | ✓ | ✓ | ✓ | | |
/// | ManageTopics | ✓ | ✓ | | | |
/// | ReadContacts, WriteContacts | ✓ | ✓ | ✓ | | |
/// | ExportContacts, EraseContacts | ✓ | | | | |
/// | ReadTeams | ✓ | ✓ | ✓ | ✓ | ✓ |
/// | ManageTeams, ReadUsers | ✓ | ✓ | | | |
/// | ManageUsers, ReadAudit | ✓ | | | | |
/// | ReadCases | ✓ | ✓ | ✓ | ✓ (their cases) | ✓ |
/// | WorkCases | ✓ | ✓ | ✓ | ✓ (their cases) | |
/// | ManageCare | ✓ | ✓ | | | |
/// | ReadCareReports | ✓ | ✓ | | | ✓ |
/// | ReadPosts | ✓ | ✓ | ✓ | ✓ | ✓ |
/// | ProposePosts | ✓ | ✓ | ✓ | ✓ | |
/// | ApprovePosts, RunCrisis | ✓ | ✓ | | | |
pub fn role_allows(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        ReadMentions | ReadTeams | ReadIncidents | ReadCases | ReadPosts => true,
        ProposePosts => matches!(role, Admin | Supervisor | Agent | Crowd),
        ApprovePosts | RunCrisis => matches!(role, Admin | Supervisor),
        WorkCases => matches!(role, Admin | Supervisor | Agent | Crowd),
        ManageCare => matches!(role, Admin | Supervisor),
        ReadCareReports => matches!(role, Admin | Supervisor | Analyst),
        ManageIncidents => matches!(role, Admin | Supervisor | Agent),
        ManageAlerts => matches!(role, Admin | Supervisor),
        IngestMentions | CorrectEnrichment | ReadContacts | WriteContacts => matches!(role, Admin | Supervisor | Agent),
        ManageTopics | ManageTeams | ReadUsers => matches!(role, Admin | Supervisor),
        ExportContacts | EraseContacts | ManageUsers | ReadAudit => role == Admin,
    }
}

/// Who is calling: a user (by session or by token) with the token's scopes, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// `None` for an API token made before users existed: it acts as an administrator.
    pub user_id: Option<UserId>,
    pub role: Role,
    /// Empty: the user's full rights.
    pub scopes: Vec<Scope>,
    /// How the audit log names the caller: `user:3`, `token:7`.
    pub actor: String,
}

impl Principal {
    pub fn may(&self, action: Action) -> bool {
        role_allows(self.role, action)
            && (self.scopes.is_empty() || self.scopes.iter().any(|scope| scope.covers(action.scope())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_narrow_a_role_never_widen_it() {
        let agent_with_admin_scope =
            Principal { user_id: Some(UserId(1)), role: Role::Agent, scopes: vec![Scope::Admin], actor: "user:1".into() };
        assert!(!agent_with_admin_scope.may(Action::ManageUsers));
        assert!(agent_with_admin_scope.may(Action::WriteContacts));
        let admin_reading = Principal { user_id: None, role: Role::Admin, scopes: vec![Scope::MentionsRead], actor: "token:1".into() };
        assert!(admin_reading.may(Action::ReadMentions));
        assert!(!admin_reading.may(Action::IngestMentions));
        assert!(Scope::ContactsWrite.covers(Scope::ContactsRead));
    }

    #[test]
    fn emails_are_lower_cased_and_checked() {
        assert_eq!(normalise_email(" Jo@Example.COM ").unwrap(), "jo@example.com");
        assert!(normalise_email("no-at-sign").is_err());
        assert!(normalise_email("a@b@c").is_err());
        assert!(normalise_email(&format!("{}@x.fr", "a".repeat(300))).is_err());
    }
}
