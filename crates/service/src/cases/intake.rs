//! The case rules in the pipeline: after each batch is stored, mentions that answer a
//! case's messages join it (reply chains, direct messages, e-mail threads through
//! `links.in_reply_to` and `links.thread_id`), and those a case rule picks open a new
//! case with its priority, team, agent and SLA due times. One store call a batch.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use care::priority::{PriorityInputs, priority};
use care::routing::{CaseFacts, RoundRobinCursor, assign_least_loaded, assign_round_robin, crowd_responders};
use care::sla::{CaseHistory, SlaClock};
use care::CaseStatus;
use chrono::Utc;
use domain::{Intent, SentimentLabel, Source, StoredMention};
use store::{CaseIntake, CaseJoin, CaseRow, NewCase, Store};

use super::events::{CaseEvent, CaseEvents};
use super::settings::{CareSettings, CaseRule, SharedSettings};
use crate::ServiceError;

/// How long agents' workloads are trusted before they are read again from the store
/// (cases resolved through the API lower them meanwhile).
const WORKLOAD_REFRESH: Duration = Duration::from_secs(5);
/// Characters of the first message kept as the case's subject.
const SUBJECT_CHARS: usize = 140;
/// The state key of the round-robin cursors (JSON: team id → the last agent given a case),
/// so that a restart continues the round instead of starting it again.
const CURSORS_KEY: &str = "care.round_robin";
/// One read of the agents' workloads: `(user id, active cases)`.
type WorkloadRead = Result<Vec<(i64, u32)>, store::StoreError>;

pub(crate) struct CaseIntakeStage {
    settings: SharedSettings,
    events: CaseEvents,
    workloads: HashMap<i64, u32>,
    workloads_read_at: Option<Instant>,
    /// Reads the workloads again off the writer thread (a count over every active case:
    /// most of a second at a million cases, which must not hold up a batch).
    store: std::sync::Arc<dyn Store>,
    workloads_reading: Option<std::sync::mpsc::Receiver<WorkloadRead>>,
    cursors: HashMap<i64, RoundRobinCursor>,
    /// Whether the cursors were read from the store (on the first batch).
    cursors_loaded: bool,
}

/// What decides whether and how a mention becomes a case.
struct Facts<'a> {
    stored: &'a StoredMention,
    intent: Option<Intent>,
    sentiment: Option<SentimentLabel>,
}

impl CaseIntakeStage {
    pub fn new(settings: SharedSettings, events: CaseEvents, store: std::sync::Arc<dyn Store>) -> CaseIntakeStage {
        CaseIntakeStage {
            settings,
            events,
            workloads: HashMap::new(),
            workloads_read_at: None,
            store,
            workloads_reading: None,
            cursors: HashMap::new(),
            cursors_loaded: false,
        }
    }

    /// Opens and joins cases for a batch of newly stored mentions.
    pub fn run(&mut self, store: &dyn Store, inserted: &[StoredMention], influence: &dyn Fn(Source, &str) -> f64) -> Result<usize, ServiceError> {
        if inserted.is_empty() {
            return Ok(0);
        }
        let settings = self.settings.get();
        let rules = if settings.case_rules.is_empty() { vec![CaseRule::default_rule()] } else { settings.case_rules.clone() };
        let threads = known_threads(store, inserted)?;
        let mut intake = CaseIntake::default();
        // Messages of this batch that open a case: a reply to one of them joins it below.
        let mut opened_here: HashMap<(Source, String), usize> = HashMap::new();
        let mut joined_here: Vec<(usize, &StoredMention)> = Vec::new();
        let mut candidates = Vec::new();
        for stored in inserted {
            let enrichment = stored.enrichment.as_ref();
            let facts = Facts { stored, intent: enrichment.map(|e| e.intent), sentiment: enrichment.map(|e| e.sentiment) };
            let mention = &stored.mention;
            let parents: Vec<&String> = [&mention.links.in_reply_to, &mention.links.thread_id].into_iter().flatten().collect();
            if let Some(case_id) = parents.iter().find_map(|parent| threads.get(&(mention.source, (*parent).clone()))) {
                if let Some(join) = self.join(store, *case_id, stored)? {
                    intake.joined.push(join);
                    continue;
                }
            }
            if let Some(position) = parents.iter().find_map(|parent| opened_here.get(&(mention.source, (*parent).clone()))) {
                joined_here.push((*position, stored));
                continue;
            }
            let repost = mention.is_repost() || stored.duplicate_of.is_some();
            if rules.iter().any(|rule| rule.matches(&stored.topics, facts.intent, facts.sentiment, repost)) {
                opened_here.insert((mention.source, mention.external_id.clone()), candidates.len());
                candidates.push(facts);
            }
        }
        if candidates.is_empty() && intake.joined.is_empty() {
            return Ok(0);
        }
        self.refresh_workloads(store)?;
        if !self.cursors_loaded {
            self.cursors = store.get_state(CURSORS_KEY)?.and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default();
            self.cursors_loaded = true;
        }
        let cursors_before = self.cursors.clone();
        let vip = vip_flags(store, &candidates)?;
        for (facts, vip) in candidates.iter().zip(vip) {
            let influence = influence(facts.stored.mention.source, &facts.stored.mention.author.handle) / 100.0;
            intake.opened.push(self.open(&settings, facts, vip, influence));
        }
        if self.cursors != cursors_before
            && let Ok(text) = serde_json::to_string(&self.cursors)
        {
            store.set_state(CURSORS_KEY, &text)?;
        }
        let ids = store.apply_case_intake(&intake)?;
        // Replies within the batch to a message that opened a case: their own join.
        let late_joins: Vec<CaseJoin> =
            joined_here.iter().filter_map(|(opener, reply)| ids.get(*opener).map(|case_id| plain_join(*case_id, reply))).collect();
        if !late_joins.is_empty() {
            store.apply_case_intake(&CaseIntake { opened: vec![], joined: late_joins })?;
        }
        for (id, new) in ids.iter().zip(&intake.opened) {
            self.events.send(CaseEvent::new("created", *id, new.case.assignee_id, None));
        }
        for join in &intake.joined {
            self.events.send(CaseEvent::new("customer_message", join.case_id, None, None));
        }
        Ok(ids.len())
    }

    fn join(&self, store: &dyn Store, case_id: i64, stored: &StoredMention) -> Result<Option<CaseJoin>, ServiceError> {
        let Some(case) = store.get_case(case_id)? else { return Ok(None) };
        let status = CaseStatus::parse(&case.status).unwrap_or(CaseStatus::Open);
        if status == CaseStatus::Closed {
            return Ok(None); // a closed case stays closed: the message may open a new one
        }
        let mut join = plain_join(case_id, stored);
        if matches!(status, CaseStatus::PendingCustomer | CaseStatus::Resolved) {
            join.reopen_to = Some(CaseStatus::Open.as_str().to_string());
        }
        Ok(Some(join))
    }

    fn open(&mut self, settings: &CareSettings, facts: &Facts<'_>, vip: bool, influence: f64) -> NewCase {
        let stored = facts.stored;
        let mention = &stored.mention;
        let reason = stored.enrichment.as_ref().and_then(|e| e.reason.clone());
        let priority = priority(&PriorityInputs {
            sentiment: facts.sentiment.unwrap_or(SentimentLabel::Neutral),
            intent: facts.intent.unwrap_or(Intent::Other),
            influence,
            vip,
            outage: false,
        });
        let mut tags: Vec<String> = reason.iter().cloned().collect();
        tags.extend(stored.topics.iter().cloned());
        let case_facts = CaseFacts {
            topic_ids: vec![],
            language: mention.language.clone(),
            intent: facts.intent,
            reason: reason.clone(),
            vip,
            source: Some(mention.source),
            tags: tags.clone(),
        };
        let team = settings.routing.as_ref().map(|routing| routing.route(&case_facts).team.0);
        let assignee = team.and_then(|team| self.assign(settings, team, &tags));
        let opened_at = mention.created_at.min(Utc::now());
        let (policy, calendar) = settings.policy(team);
        let history = CaseHistory { created_at: opened_at, events: vec![] };
        let clock = SlaClock::compute(policy, calendar, priority, &history, opened_at);
        let case = CaseRow {
            id: 0,
            contact_id: None,
            status: if assignee.is_some() { CaseStatus::Open } else { CaseStatus::New }.as_str().to_string(),
            priority: priority.as_str().to_string(),
            team_id: team,
            assignee_id: assignee,
            tags,
            language: mention.language.clone(),
            source: mention.source,
            topic: stored.topics.first().cloned(),
            intent: facts.intent.map(|intent| intent.as_str().to_string()),
            reason,
            first_mention_id: Some(stored.id),
            subject: mention.text.chars().take(SUBJECT_CHARS).collect(),
            opened_at,
            first_response_at: None,
            first_response_due_at: clock.first_response_due_at(),
            resolution_due_at: clock.resolution_due_at(),
            resolved_at: None,
            updated_at: opened_at,
        };
        NewCase { case, author_handle: mention.author.handle.clone(), external_id: mention.external_id.clone(), mention_at: mention.created_at }
    }

    /// An agent of the team who can take the case, by the team's assignment mode.
    fn assign(&mut self, settings: &CareSettings, team: i64, tags: &[String]) -> Option<i64> {
        let team_settings = settings.team_settings(team);
        let loads = settings.agent_loads(team, &self.workloads);
        let chosen = if team_settings.crowd {
            crowd_responders(tags, &loads).first().copied()
        } else if team_settings.assignment == "least_loaded" {
            assign_least_loaded(&loads)
        } else {
            let cursor = self.cursors.get(&team).copied().unwrap_or_default();
            assign_round_robin(&loads, cursor).map(|(user, cursor)| {
                self.cursors.insert(team, cursor);
                user
            })
        }?;
        *self.workloads.entry(chosen.0).or_default() += 1;
        Some(chosen.0)
    }

    /// The first read is made here; later ones run on their own thread and replace the
    /// counts when they arrive (meanwhile the counts go on from the last read plus this
    /// stage's own assignments).
    fn refresh_workloads(&mut self, store: &dyn Store) -> Result<(), ServiceError> {
        if self.workloads_read_at.is_none() {
            self.workloads = store.agent_workloads()?.into_iter().collect();
            self.workloads_read_at = Some(Instant::now());
            return Ok(());
        }
        if let Some(reading) = &self.workloads_reading {
            match reading.try_recv() {
                Ok(Ok(counts)) => {
                    self.workloads = counts.into_iter().collect();
                    self.workloads_reading = None;
                }
                Ok(Err(error)) => {
                    tracing::warn!(%error, "cannot read the agents' workloads");
                    self.workloads_reading = None;
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
                Err(std::sync::mpsc::TryRecvError::Disconnected) => self.workloads_reading = None,
            }
        }
        if self.workloads_reading.is_none() && self.workloads_read_at.is_some_and(|read_at| read_at.elapsed() >= WORKLOAD_REFRESH) {
            let (sender, receiver) = std::sync::mpsc::channel();
            let store = self.store.clone();
            let spawned = std::thread::Builder::new().name("workloads".into()).spawn(move || {
                let _ = sender.send(store.agent_workloads());
            });
            if spawned.is_ok() {
                self.workloads_reading = Some(receiver);
            }
            self.workloads_read_at = Some(Instant::now());
        }
        Ok(())
    }
}

fn plain_join(case_id: i64, stored: &StoredMention) -> CaseJoin {
    CaseJoin {
        case_id,
        mention_id: stored.id,
        source: stored.mention.source,
        external_id: stored.mention.external_id.clone(),
        at: stored.mention.created_at,
        reopen_to: None,
    }
}

/// The cases that hold the messages this batch replies to.
fn known_threads(store: &dyn Store, inserted: &[StoredMention]) -> Result<HashMap<(Source, String), i64>, ServiceError> {
    let mut wanted: HashMap<Source, Vec<&str>> = HashMap::new();
    for stored in inserted {
        let links = &stored.mention.links;
        for parent in [&links.in_reply_to, &links.thread_id].into_iter().flatten() {
            wanted.entry(stored.mention.source).or_default().push(parent);
        }
    }
    let mut found = HashMap::new();
    for (source, ids) in wanted {
        for (external_id, case_id) in store.find_case_threads(source, &ids)? {
            found.insert((source, external_id), case_id);
        }
    }
    Ok(found)
}

fn vip_flags(store: &dyn Store, candidates: &[Facts<'_>]) -> Result<Vec<bool>, ServiceError> {
    let mut flags = Vec::with_capacity(candidates.len());
    for facts in candidates {
        let mention = &facts.stored.mention;
        flags.extend(store.authors_are_vip(mention.source, &[mention.author.handle.as_str()])?);
    }
    Ok(flags)
}
