//! What `comptoir demo` sets up for the care side on a fresh data directory: the team
//! "Service client" with three agents online and a supervisor, the default SLA policy on
//! the Monday–Friday 9:00–19:00 Europe/Paris calendar with the French public holidays,
//! signatures on, round-robin assignment, and a canned response.

use domain::{Language, Role, UserId};

use super::admin::{CannedRequest, SlaPolicyRequest, TeamSettingsRequest};
use super::settings::fresh_install_policy;
use crate::{App, ServiceError, TeamRequest, UserRequest};

/// `(e-mail, display name, signature, role)`.
const DEMO_PEOPLE: [(&str, &str, &str, Role); 4] = [
    ("julie.dupont@demo.comptoir", "Julie Dupont", "^JD", Role::Agent),
    ("marc.leroy@demo.comptoir", "Marc Leroy", "^ML", Role::Agent),
    ("sofia.benali@demo.comptoir", "Sofia Benali", "^SB", Role::Agent),
    ("chef.equipe@demo.comptoir", "Claire Martin", "^CM", Role::Supervisor),
];

impl App {
    /// Creates the demo's care team once; returns an API token of its first agent.
    pub fn seed_demo_care(&self) -> Result<Option<String>, ServiceError> {
        if !self.store().list_teams()?.is_empty() {
            return Ok(None);
        }
        let system = domain::Principal { user_id: None, role: Role::Admin, scopes: vec![], actor: "demo".into() };
        let mut members = Vec::new();
        for (email, name, signature, role) in DEMO_PEOPLE {
            let user = self.create_user(
                "demo",
                &UserRequest {
                    email: email.into(),
                    password: hex::encode(rand::random::<[u8; 16]>()),
                    role,
                    display_name: Some(name.into()),
                    language: Language::Fr,
                    signature: Some(signature.into()),
                    expertise: vec!["bagages".into(), "remboursement".into()],
                    capacity: Some(20),
                },
            )?;
            self.store().set_presence(user.id.0, "online")?;
            members.push(user.id);
        }
        let agents: Vec<UserId> = members.iter().take(3).copied().collect();
        let team = self.create_team("demo", &TeamRequest { name: "Service client".into(), members: agents })?;
        let (targets, calendar) = fresh_install_policy();
        self.create_sla_policy(&system, &SlaPolicyRequest { name: "Standard".into(), team_id: None, targets, calendar })?;
        let settings = TeamSettingsRequest { append_signature: true, assignment: "round_robin".into(), crowd: false, crowd_approval: false };
        self.set_team_care_settings(&system, team.id.0, &settings)?;
        let template = "Bonjour {{customer_name}}, nous sommes désolés. Votre dossier n°{{case_number}} est suivi : \
                        nous revenons vers vous (horaires : {{opening_hours}}).";
        self.create_canned(&system, &CannedRequest { title: "Excuses et suivi".into(), template: template.into() })?;
        Ok(Some(self.create_user_api_token("demo", DEMO_PEOPLE[0].0, "demo agent", &[])?))
    }
}
