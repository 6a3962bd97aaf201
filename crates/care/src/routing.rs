//! Routing: which team gets a case (ordered rules, first match wins, else the default
//! team), which agent of the team takes it (round-robin or least-loaded, within each
//! agent's capacity and only when online), and which crowd responders can help (their
//! expertise tags meet the case's tags).
//!
//! Everything here is a pure function over plain values the caller loads: the round-robin
//! cursor comes in and goes out, for the caller to persist.

use std::collections::BTreeSet;

use domain::{Intent, Source, TopicId};
use serde::{Deserialize, Serialize};

/// The store's id of a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TeamId(pub i64);

/// The store's id of a user (agent, crowd responder…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

/// What routing looks at in a case.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CaseFacts {
    pub topic_ids: Vec<TopicId>,
    /// An ISO 639-1 code such as `fr`, when detected.
    pub language: Option<String>,
    pub intent: Option<Intent>,
    /// The complaint reason label, when the case is a complaint.
    pub reason: Option<String>,
    pub vip: bool,
    pub source: Option<Source>,
    /// The case's tags, for crowd routing.
    pub tags: Vec<String>,
}

/// The conditions of one rule; every condition given must hold, an empty list or `None`
/// means "any". Languages, reasons and tags compare without regard to case.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoutingCondition {
    /// At least one of these topics matched the case.
    pub topics: Vec<TopicId>,
    pub languages: Vec<String>,
    pub intents: Vec<Intent>,
    pub reasons: Vec<String>,
    pub vip: Option<bool>,
    pub sources: Vec<Source>,
}

impl RoutingCondition {
    pub fn matches(&self, case: &CaseFacts) -> bool {
        let any_text = |wanted: &[String], actual: &Option<String>| {
            wanted.is_empty()
                || actual.as_deref().is_some_and(|actual| {
                    wanted
                        .iter()
                        .any(|w| w.trim().eq_ignore_ascii_case(actual.trim()))
                })
        };
        (self.topics.is_empty()
            || self
                .topics
                .iter()
                .any(|topic| case.topic_ids.contains(topic)))
            && any_text(&self.languages, &case.language)
            && (self.intents.is_empty()
                || case
                    .intent
                    .is_some_and(|intent| self.intents.contains(&intent)))
            && any_text(&self.reasons, &case.reason)
            && self.vip.is_none_or(|vip| vip == case.vip)
            && (self.sources.is_empty()
                || case
                    .source
                    .is_some_and(|source| self.sources.contains(&source)))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingRule {
    pub name: String,
    pub when: RoutingCondition,
    pub team: TeamId,
}

/// Ordered rules and the team that gets every case no rule matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingRules {
    pub rules: Vec<RoutingRule>,
    pub default_team: TeamId,
}

/// Where a case goes, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoutingDecision<'a> {
    pub team: TeamId,
    /// The rule that matched; `None` for the default team.
    pub rule: Option<&'a str>,
}

impl RoutingRules {
    pub fn route(&self, case: &CaseFacts) -> RoutingDecision<'_> {
        match self.rules.iter().find(|rule| rule.when.matches(case)) {
            Some(rule) => RoutingDecision {
                team: rule.team,
                rule: Some(&rule.name),
            },
            None => RoutingDecision {
                team: self.default_team,
                rule: None,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Online,
    Away,
    Offline,
}

/// One member of a team as assignment sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentLoad {
    pub user_id: UserId,
    /// Cases assigned to them that are still active.
    pub open_cases: u32,
    /// The most active cases they take at once.
    pub capacity: u32,
    pub presence: Presence,
    /// Expertise tags, for crowd routing.
    pub tags: Vec<String>,
}

impl AgentLoad {
    /// Online and below capacity.
    pub fn can_take_a_case(&self) -> bool {
        self.presence == Presence::Online && self.open_cases < self.capacity
    }
}

/// The last agent round-robin gave a case to, for the caller to keep between calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoundRobinCursor(pub Option<UserId>);

/// The next agent, by user id, after the cursor's, going round, among those who can take a
/// case; with the cursor to keep. `None` when nobody can.
pub fn assign_round_robin(
    agents: &[AgentLoad],
    cursor: RoundRobinCursor,
) -> Option<(UserId, RoundRobinCursor)> {
    let mut eligible: Vec<UserId> = agents
        .iter()
        .filter(|agent| agent.can_take_a_case())
        .map(|agent| agent.user_id)
        .collect();
    eligible.sort();
    eligible.dedup();
    let next = match cursor.0 {
        Some(last) => eligible
            .iter()
            .find(|user| **user > last)
            .or(eligible.first()),
        None => eligible.first(),
    }?;
    Some((*next, RoundRobinCursor(Some(*next))))
}

/// The agent with the fewest active cases among those who can take one; ties go to the
/// one with the most room left, then to the lowest user id (so the result is stable).
pub fn assign_least_loaded(agents: &[AgentLoad]) -> Option<UserId> {
    agents
        .iter()
        .filter(|agent| agent.can_take_a_case())
        .min_by_key(|agent| {
            (
                agent.open_cases,
                std::cmp::Reverse(agent.capacity - agent.open_cases),
                agent.user_id,
            )
        })
        .map(|agent| agent.user_id)
}

/// The crowd responders who know about the case: those who can take a case and share at
/// least one tag with it, most shared tags first, then least loaded, then by user id.
pub fn crowd_responders(case_tags: &[String], responders: &[AgentLoad]) -> Vec<UserId> {
    let normalise = |tag: &String| tag.trim().to_lowercase();
    let wanted: BTreeSet<String> = case_tags
        .iter()
        .map(normalise)
        .filter(|tag| !tag.is_empty())
        .collect();
    let mut matching: Vec<(usize, u32, UserId)> = responders
        .iter()
        .filter(|responder| responder.can_take_a_case())
        .filter_map(|responder| {
            let theirs: BTreeSet<String> = responder.tags.iter().map(normalise).collect();
            let shared = wanted.intersection(&theirs).count();
            (shared > 0).then_some((shared, responder.open_cases, responder.user_id))
        })
        .collect();
    matching
        .sort_by_key(|(shared, open_cases, user)| (std::cmp::Reverse(*shared), *open_cases, *user));
    matching.into_iter().map(|(_, _, user)| user).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(
        id: i64,
        open_cases: u32,
        capacity: u32,
        presence: Presence,
        tags: &[&str],
    ) -> AgentLoad {
        AgentLoad {
            user_id: UserId(id),
            open_cases,
            capacity,
            presence,
            tags: tags.iter().map(|t| t.to_string()).collect(),
        }
    }

    fn rules() -> RoutingRules {
        serde_json::from_str(
            r#"{
                "rules": [
                    {"name": "VIP", "when": {"vip": true}, "team": 1},
                    {"name": "outages", "when": {"intents": ["outage_report"]}, "team": 2},
                    {"name": "English refunds on X", "when": {"languages": ["EN"], "reasons": ["refund"], "sources": ["x"]}, "team": 3},
                    {"name": "Brand topic", "when": {"topics": [7, 8]}, "team": 4}
                ],
                "default_team": 9
            }"#,
        )
        .unwrap()
    }

    #[test]
    fn the_first_matching_rule_wins_and_the_default_team_takes_the_rest() {
        let rules = rules();
        let vip_outage = CaseFacts {
            vip: true,
            intent: Some(Intent::OutageReport),
            ..CaseFacts::default()
        };
        assert_eq!(
            rules.route(&vip_outage),
            RoutingDecision {
                team: TeamId(1),
                rule: Some("VIP")
            }
        );
        let outage = CaseFacts {
            intent: Some(Intent::OutageReport),
            ..CaseFacts::default()
        };
        assert_eq!(rules.route(&outage).team, TeamId(2));
        let refund = CaseFacts {
            language: Some("en".into()),
            reason: Some("Refund".into()),
            source: Some(Source::X),
            ..CaseFacts::default()
        };
        assert_eq!(rules.route(&refund).team, TeamId(3));
        let refund_on_mastodon = CaseFacts {
            source: Some(Source::Mastodon),
            ..refund.clone()
        };
        assert_eq!(
            rules.route(&refund_on_mastodon),
            RoutingDecision {
                team: TeamId(9),
                rule: None
            }
        );
        let refund_without_language = CaseFacts {
            language: None,
            ..refund
        };
        assert_eq!(rules.route(&refund_without_language).team, TeamId(9));
        let topic = CaseFacts {
            topic_ids: vec![TopicId(3), TopicId(8)],
            ..CaseFacts::default()
        };
        assert_eq!(rules.route(&topic).team, TeamId(4));
        assert_eq!(rules.route(&CaseFacts::default()).team, TeamId(9));
    }

    #[test]
    fn round_robin_goes_round_and_skips_the_unavailable() {
        let team = [
            agent(3, 0, 5, Presence::Online, &[]),
            agent(1, 0, 5, Presence::Online, &[]),
            agent(2, 5, 5, Presence::Online, &[]), // full
            agent(4, 0, 5, Presence::Away, &[]),
        ];
        let mut cursor = RoundRobinCursor::default();
        let mut picked = Vec::new();
        for _ in 0..4 {
            let (user, next) = assign_round_robin(&team, cursor).unwrap();
            picked.push(user.0);
            cursor = next;
        }
        assert_eq!(picked, [1, 3, 1, 3]);
        // A cursor on an agent who has since left still moves on to the next one.
        assert_eq!(
            assign_round_robin(&team, RoundRobinCursor(Some(UserId(2))))
                .unwrap()
                .0,
            UserId(3)
        );
        assert_eq!(serde_json::to_string(&cursor).unwrap(), "3");
        let nobody = [
            agent(1, 0, 5, Presence::Offline, &[]),
            agent(2, 0, 0, Presence::Online, &[]),
        ];
        assert_eq!(assign_round_robin(&nobody, cursor), None);
    }

    #[test]
    fn least_loaded_picks_the_fewest_open_cases_within_capacity() {
        let team = [
            agent(1, 3, 10, Presence::Online, &[]),
            agent(2, 1, 1, Presence::Online, &[]), // full
            agent(3, 2, 4, Presence::Online, &[]),
            agent(4, 2, 8, Presence::Online, &[]), // same load, more room
            agent(5, 0, 8, Presence::Offline, &[]),
        ];
        assert_eq!(assign_least_loaded(&team), Some(UserId(4)));
        assert_eq!(assign_least_loaded(&team[..1]), Some(UserId(1)));
        assert_eq!(assign_least_loaded(&[]), None);
    }

    #[test]
    fn crowd_routing_matches_expertise_tags() {
        let crowd = [
            agent(1, 0, 3, Presence::Online, &["billing"]),
            agent(2, 1, 3, Presence::Online, &["Billing", "refunds"]),
            agent(3, 0, 3, Presence::Online, &["baggage"]),
            agent(4, 0, 3, Presence::Away, &["refunds"]),
            agent(5, 2, 3, Presence::Online, &["refunds"]),
        ];
        let tags = vec!["refunds".to_string(), " billing ".to_string()];
        assert_eq!(
            crowd_responders(&tags, &crowd),
            [UserId(2), UserId(1), UserId(5)]
        );
        assert!(crowd_responders(&[], &crowd).is_empty());
        assert!(
            crowd_responders(
                &["".to_string()],
                &[agent(6, 0, 1, Presence::Online, &[""])]
            )
            .is_empty()
        );
    }
}
