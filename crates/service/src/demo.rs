//! The demo's simulated stream: French and English posts about a fictional airline,
//! from several sources, with reply threads and a spike of complaints part-way.
//!
//! Every post is produced as a payload in its source's real format (an X API v2
//! filtered-stream line, a Bluesky Jetstream commit event, a Mastodon streaming frame)
//! and enters through the same parsers and pipeline as real data.

use std::time::Duration;

use chrono::{DateTime, Utc};
use connectors::Format;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use crate::early_warning::{AlertChannel, AlertKind, EarlyWarningConfig, NewAlertRule};
use crate::ingest::IngestHandle;
use crate::prepare::Origin;

/// Topics the demo creates so that topic tagging shows from the first second; the
/// competitor's topic gives the dashboard's share of voice a brand to compare with.
pub const DEMO_TOPICS: [(&str, &str); 5] = [
    ("Alizé Air (marque)", "alize OR @alizeair OR #alizeair"),
    ("Aéro Bleu (concurrent)", "aerobleu OR @aerobleu OR #aerobleu OR \"aero bleu\""),
    ("Bagages / luggage", "~bagage OR luggage OR baggage OR valise"),
    ("Retards / delays", "retard* OR delay* OR late OR annul*"),
    ("Panne / outage", "panne OR bug OR down OR \"site inaccessible\" OR crash*"),
];

const EN_COMPLAINTS: [&str; 8] = [
    "@AlizeAir lost my luggage again, third time this year. Nobody answers the phone.",
    "Flight AZ{n} delayed 3 hours and not a single update from @AlizeAir #fail",
    "@AlizeAir my bag arrived damaged, who do I talk to about a refund?",
    "Still waiting for my refund for the cancelled flight, @AlizeAir this is ridiculous",
    "Stuck at the gate for 2h, crew says nothing. Thanks @AlizeAir 🙄",
    "Why does @AlizeAir charge me twice for the same seat?? #AlizeAir",
    "Worst customer service ever, 45 minutes on hold with @AlizeAir",
    "@AlizeAir the app keeps crashing when I try to check in",
];
const EN_PRAISE: [&str; 5] = [
    "Lovely crew on AZ{n} today, thank you @AlizeAir ✈️",
    "@AlizeAir rebooked me in 5 minutes on Twitter, impressive!",
    "Landed early and the bags were already there. Well done #AlizeAir",
    "Not bad at all, @AlizeAir. The new seats are really comfortable",
    "Big thanks to the @AlizeAir agent who found my lost bag 🙏",
];
const FR_COMPLAINTS: [&str; 8] = [
    "@AlizeAir vol AZ{n} annulé sans prévenir, merci pour rien",
    "Encore un retard de 2h avec @AlizeAir, c'est vraiment nul",
    "Ma valise n'est toujours pas arrivée, ça fait 4 jours @AlizeAir #bagages",
    "@AlizeAir impossible de joindre le service client, personne ne répond",
    "Bagage perdu à Roissy, aucune nouvelle d'Alizé Air. Trop relou",
    "@AlizeAir on m'a facturé deux fois mon billet, je veux un remboursement",
    "Retard, correspondance ratée, et pas d'excuses. Franchement @AlizeAir…",
    "Le personnel au comptoir d'Alizé Air était très désagréable ce matin",
];
const FR_PRAISE: [&str; 5] = [
    "Équipage au top sur le vol AZ{n}, merci @AlizeAir 😊",
    "@AlizeAir merci pour la réponse rapide, problème réglé !",
    "Pas terrible la dernière fois, mais aujourd'hui vol parfait avec Alizé Air",
    "Trop bien, surclassement offert par @AlizeAir 🎉",
    "Vol à l'heure et bagages rapides, bravo #AlizeAir",
];
/// Posts about the competitor, for the share of voice.
const COMPETITOR: [&str; 6] = [
    "Flew @AeroBleu to Lyon today, smooth and on time",
    "@AeroBleu lost my bag too, so it's not just Alizé Air…",
    "Aéro Bleu ou Alizé Air pour Montréal ? Les prix de @AeroBleu sont plus bas",
    "Vol @AeroBleu AZ{n} retardé d'une heure, mais l'équipage était adorable",
    "Switched to @AeroBleu after the last cancellation. Never going back #AeroBleu",
    "Le service client d'Aéro Bleu m'a répondu en 10 minutes, bravo",
];
const QUESTIONS: [&str; 4] = [
    "@AlizeAir can I bring a guitar as cabin baggage on AZ{n}?",
    "@AlizeAir est-ce que le vol AZ{n} de demain est maintenu ?",
    "@AlizeAir how do I add a checked bag to my booking?",
    "@AlizeAir quelle est la franchise bagage pour Montréal ?",
];
const OUTAGE: [&str; 6] = [
    "@AlizeAir your website is down, can't check in #AlizeAir",
    "Le site d'Alizé Air est en panne, impossible de faire l'enregistrement !!",
    "@AlizeAir app crash again, is the system down? Queue at CDG is huge",
    "Panne informatique chez @AlizeAir, tous les vols bloqués à Orly",
    "Is @AlizeAir down for everyone? Check-in page gives error 503",
    "@AlizeAir site inaccessible depuis 20 minutes, c'est la panne ?",
];

const EN_OPENERS: [&str; 8] = ["Honestly,", "Ugh.", "So,", "Unbelievable:", "Quick one:", "Well,", "Again?!", "Hey,"];
const FR_OPENERS: [&str; 8] = ["Franchement,", "Bon.", "Alors,", "Incroyable :", "Petite question :", "Bref,", "Sérieux ?!", "Coucou,"];
const EN_DETAILS: [&str; 8] = [
    "(leaving from {city})",
    "been waiting {k} minutes now",
    "third time this month",
    "my kids are with me",
    "booked it {k} days ago",
    "#travel",
    "any news for {city}?",
    "😤",
];
const FR_DETAILS: [&str; 8] = [
    "(départ de {city})",
    "ça fait {k} minutes que j'attends",
    "troisième fois ce mois-ci",
    "avec les enfants en plus",
    "réservé il y a {k} jours",
    "#voyage",
    "des nouvelles pour {city} ?",
    "😡",
];
const CITIES: [&str; 8] = ["Paris", "Lyon", "Nice", "Montréal", "Boston", "Bordeaux", "Toulouse", "New York"];

const HANDLES: [&str; 16] = [
    "marie_dupont", "jb_martin", "claire.lefevre", "tom_baker", "sarah_j", "nico_paris",
    "lucie.b", "mike_travels", "emma_w", "paul_lyon", "ines.k", "david_r", "chloe_m",
    "frequentflyer", "julien_t", "anna_s",
];

/// How the simulated stream behaves.
#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    /// Posts per second outside the spike.
    pub rate: f64,
    /// When the outage spike starts, after the demo starts.
    pub spike_after: Duration,
    pub spike_length: Duration,
    /// Rate multiplier during the spike.
    pub spike_factor: f64,
    pub seed: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions { rate: 3.0, spike_after: Duration::from_secs(60), spike_length: Duration::from_secs(90), spike_factor: 12.0, seed: 7 }
    }
}

/// The demo compresses time so that its spike (one minute in) opens an incident within
/// seconds: 5-second buckets instead of 5 minutes, detectors that learn for 8 buckets
/// (40 s) instead of 150, weak signals after 6 buckets. Real streams keep the defaults.
pub fn demo_early_warning() -> EarlyWarningConfig {
    EarlyWarningConfig { bucket_seconds: 5, detector_warmup_buckets: Some(8), baseline_buckets: 8, weak_signals_warmup_buckets: 6 }
}

/// The in-app rule the demo creates, so that its spike raises an alert.
pub fn demo_alert_rule() -> NewAlertRule {
    NewAlertRule { name: "Spike in the stream (demo)".into(), kind: AlertKind::VolumeAnomaly, slice: Some("total".into()), keyword: None, min_influence: None, threshold: None, within_minutes: None, channel: AlertChannel::InApp }
}

/// Where the demo's spike alert goes besides the app (each optional).
#[derive(Debug, Clone, Default)]
pub struct DemoAlertChannels {
    /// A webhook URL and the secret that signs its bodies.
    pub webhook: Option<(String, String)>,
    /// E-mail recipients (sent through `[smtp]`).
    pub email: Vec<String>,
}

/// The in-app rule, plus one rule per configured channel, all on the total stream.
pub fn demo_alert_rules(channels: &DemoAlertChannels) -> Vec<NewAlertRule> {
    let mut rules = vec![demo_alert_rule()];
    if let Some((url, secret)) = &channels.webhook {
        rules.push(NewAlertRule {
            name: "Spike in the stream (demo, webhook)".into(),
            channel: AlertChannel::Webhook { url: url.clone(), secret: secret.clone() },
            ..demo_alert_rule()
        });
    }
    if !channels.email.is_empty() {
        rules.push(NewAlertRule {
            name: "Spike in the stream (demo, e-mail)".into(),
            channel: AlertChannel::Email { to: channels.email.clone() },
            ..demo_alert_rule()
        });
    }
    rules
}

/// Generates posts forever (until the ingestion thread stops).
pub async fn run_demo_stream(handle: IngestHandle, options: DemoOptions) {
    let mut generator = DemoGenerator::new(options.seed);
    let started = tokio::time::Instant::now();
    let tick = Duration::from_millis(250);
    loop {
        let elapsed = started.elapsed();
        let in_spike = elapsed >= options.spike_after && elapsed < options.spike_after + options.spike_length;
        let rate = if in_spike { options.rate * options.spike_factor } else { options.rate };
        let expected = rate * tick.as_secs_f64();
        let count = expected.floor() as usize + usize::from(generator.rng.random_bool(expected.fract()));
        for _ in 0..count {
            let (format, payload) = generator.next_payload(in_spike, Utc::now());
            let records = match connectors::read_records(format, payload.as_bytes()) {
                Ok(records) => records,
                Err(error) => {
                    tracing::warn!(%error, "demo payload unreadable");
                    continue;
                }
            };
            let origin = Origin { format: format.name().to_string(), origin: format!("demo:{}", format.name()) };
            if handle.send(records, origin).await.is_err() {
                return;
            }
        }
        tokio::time::sleep(tick).await;
    }
}

/// Produces payloads in real source formats.
pub struct DemoGenerator {
    rng: StdRng,
    next_id: u64,
    /// Recent posts (format, external id, thread id, handle) that replies can answer.
    recent: Vec<(Format, String, String, String)>,
}

impl DemoGenerator {
    pub fn new(seed: u64) -> DemoGenerator {
        DemoGenerator { rng: StdRng::seed_from_u64(seed), next_id: 1_860_000_000_000_000_000, recent: Vec::new() }
    }

    /// One post as (format, payload).
    pub fn next_payload(&mut self, in_spike: bool, now: DateTime<Utc>) -> (Format, String) {
        self.next_id += self.rng.random_range(1..1000);
        let text = self.pick_text(in_spike);
        let handle = HANDLES[self.rng.random_range(0..HANDLES.len())].to_string();
        let reply_to = if !self.recent.is_empty() && self.rng.random_bool(0.15) {
            Some(self.recent[self.rng.random_range(0..self.recent.len())].clone())
        } else {
            None
        };
        let format = match &reply_to {
            Some((format, ..)) => *format,
            None => match self.rng.random_range(0..10) {
                0..=4 => Format::XV2,
                5..=7 => Format::Jetstream,
                _ => Format::Mastodon,
            },
        };
        let id = self.next_id;
        let (external_id, thread_id, payload) = match format {
            Format::Jetstream => self.jetstream(id, &handle, &text, now, reply_to.as_ref()),
            Format::Mastodon => self.mastodon(id, &handle, &text, now, reply_to.as_ref()),
            _ => self.x_v2(id, &handle, &text, now, reply_to.as_ref()),
        };
        self.recent.push((format, external_id, thread_id, handle));
        if self.recent.len() > 50 {
            self.recent.remove(0);
        }
        (format, payload)
    }

    fn pick_text(&mut self, in_spike: bool) -> String {
        let pool: &[&str] = if in_spike && self.rng.random_bool(0.8) {
            &OUTAGE
        } else {
            match self.rng.random_range(0..11) {
                0..=2 => &EN_COMPLAINTS,
                3..=5 => &FR_COMPLAINTS,
                6 => &EN_PRAISE,
                7 => &FR_PRAISE,
                8 => &COMPETITOR,
                _ => &QUESTIONS,
            }
        };
        let flight = self.rng.random_range(100..990).to_string();
        let body = pool[self.rng.random_range(0..pool.len())].replace("{n}", &flight);
        let french = std::ptr::eq(pool, &FR_COMPLAINTS[..]) || std::ptr::eq(pool, &FR_PRAISE[..]) || body.contains(" est ") || body.contains('é');
        // People word the same complaint their own way: an opener and a detail of their
        // own keep most posts from reading as copies of each other (real copy campaigns
        // are rarer than the demo's handful of templates would make them).
        let (openers, details): (&[&str], &[&str]) = if french { (&FR_OPENERS, &FR_DETAILS) } else { (&EN_OPENERS, &EN_DETAILS) };
        let opener = openers[self.rng.random_range(0..openers.len())];
        let detail = details[self.rng.random_range(0..details.len())]
            .replace("{city}", CITIES[self.rng.random_range(0..CITIES.len())])
            .replace("{k}", &self.rng.random_range(2..90).to_string());
        match self.rng.random_range(0..3) {
            0 => format!("{opener} {body}"),
            1 => format!("{body} {detail}"),
            _ => format!("{opener} {body} {detail}"),
        }
    }

    fn x_v2(&mut self, id: u64, handle: &str, text: &str, now: DateTime<Utc>, reply_to: Option<&(Format, String, String, String)>) -> (String, String, String) {
        let id = id.to_string();
        let author_id = (1000 + handle.len() * 7919 + handle.bytes().map(usize::from).sum::<usize>()).to_string();
        let (conversation, references) = match reply_to {
            Some((_, parent, thread, _)) => (thread.clone(), json!([{ "type": "replied_to", "id": parent }])),
            None => (id.clone(), json!([])),
        };
        let mut tweet = json!({
            "id": id, "text": text, "author_id": author_id, "conversation_id": conversation,
            "created_at": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "lang": if text.contains(['é', 'è', 'à', 'ç']) || text.contains(" est ") { "fr" } else { "en" },
            "public_metrics": { "retweet_count": self.rng.random_range(0..5), "reply_count": 0, "like_count": self.rng.random_range(0..30), "quote_count": 0 },
            "edit_history_tweet_ids": [id],
        });
        if references.as_array().is_some_and(|r| !r.is_empty()) {
            tweet["referenced_tweets"] = references;
        }
        let line = json!({
            "data": tweet,
            "includes": { "users": [{
                "id": author_id, "username": handle, "name": display_name(handle),
                "description": "Voyageuse / traveller", "verified": false,
                "created_at": "2016-03-01T10:00:00.000Z",
                "public_metrics": { "followers_count": self.rng.random_range(10..5000), "following_count": self.rng.random_range(10..800), "tweet_count": 1200, "listed_count": 3 }
            }]},
            "matching_rules": [{ "id": "1", "tag": "alize" }]
        });
        (id.clone(), conversation, line.to_string())
    }

    fn jetstream(&mut self, id: u64, handle: &str, text: &str, now: DateTime<Utc>, reply_to: Option<&(Format, String, String, String)>) -> (String, String, String) {
        let did = format!("did:plc:{}", handle.replace(['.', '_'], ""));
        let rkey = format!("3l{id:x}");
        let uri = format!("at://{did}/app.bsky.feed.post/{rkey}");
        let mut record = json!({ "$type": "app.bsky.feed.post", "text": text, "createdAt": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true), "langs": [] });
        let thread = match reply_to {
            Some((_, parent, root, _)) => {
                record["reply"] = json!({ "root": { "uri": root, "cid": "bafyrei" }, "parent": { "uri": parent, "cid": "bafyrei" } });
                root.clone()
            }
            None => uri.clone(),
        };
        let event = json!({
            "did": did, "time_us": now.timestamp_micros(), "kind": "commit",
            "commit": { "rev": format!("3l{id:x}"), "operation": "create", "collection": "app.bsky.feed.post", "rkey": rkey, "record": record, "cid": "bafyreidemo" }
        });
        (uri, thread, event.to_string())
    }

    fn mastodon(&mut self, id: u64, handle: &str, text: &str, now: DateTime<Utc>, reply_to: Option<&(Format, String, String, String)>) -> (String, String, String) {
        let id = (id % 1_000_000_000_000_000).to_string();
        let acct = format!("{}@mastodon.social", handle.replace('.', "_"));
        let (in_reply_to, thread) = match reply_to {
            Some((_, parent, thread, _)) => (json!(parent), thread.clone()),
            None => (serde_json::Value::Null, id.clone()),
        };
        let escaped = html_escape::encode_text(text);
        let status = json!({
            "id": id, "created_at": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "in_reply_to_id": in_reply_to, "in_reply_to_account_id": null, "sensitive": false, "spoiler_text": "",
            "visibility": "public", "language": null, "uri": format!("https://mastodon.social/users/{handle}/statuses/{id}"),
            "url": format!("https://mastodon.social/@{handle}/{id}"), "replies_count": 0, "reblogs_count": 0, "favourites_count": 1,
            "content": format!("<p>{escaped}</p>"), "reblog": null,
            "account": { "id": "1090", "username": handle, "acct": acct, "display_name": display_name(handle), "note": "<p>Fan de voyages</p>",
                "url": format!("https://mastodon.social/@{handle}"), "followers_count": 120, "following_count": 80, "created_at": "2019-05-01T00:00:00.000Z", "bot": false },
            "media_attachments": [], "mentions": [], "tags": [], "emojis": []
        });
        let frame = json!({ "stream": ["public"], "event": "update", "payload": status.to_string() });
        (id, thread, frame.to_string())
    }
}

fn display_name(handle: &str) -> String {
    handle.split(['_', '.']).map(|part| {
        let mut chars = part.chars();
        chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
    }).collect::<Vec<_>>().join(" ")
}


#[cfg(test)]
mod tests {
    use super::*;
    use connectors::Record;

    #[test]
    fn every_generated_payload_parses_into_one_mention() {
        let mut generator = DemoGenerator::new(1);
        for step in 0..300 {
            let (format, payload) = generator.next_payload(step > 150, Utc::now());
            let records = connectors::read_records(format, payload.as_bytes()).unwrap();
            assert_eq!(records.len(), 1, "{format}: {payload}");
            assert!(matches!(records[0], Record::Event { .. }), "{format}: {:?}", records[0]);
        }
    }

    /// The demo's detector, on the demo's volumes (3 posts a second, then 12 times more
    /// after a minute): quiet before the spike, an alarm in the spike's first bucket.
    #[test]
    fn the_compressed_detector_sees_the_demo_spike_and_not_the_noise() {
        let config = demo_early_warning();
        let options = DemoOptions::default();
        let mut rng = StdRng::seed_from_u64(11);
        for run in 0..20 {
            let mut detector = signals::Detector::new(crate::early_warning::detector_config(&config)).unwrap();
            let spike_bucket = options.spike_after.as_secs() as i64 / config.bucket_seconds;
            for bucket in 0..=spike_bucket {
                let rate = if bucket == spike_bucket { options.rate * options.spike_factor } else { options.rate };
                let mean = rate * config.bucket_seconds as f64;
                // Poisson-like noise: a normal approximation is enough for this check.
                let noise: f64 = (0..12).map(|_| rng.random::<f64>()).sum::<f64>() - 6.0;
                let count = (mean + noise * mean.sqrt()).round().max(0.0);
                let score = detector.update(1_700_000_000 + bucket * config.bucket_seconds, count);
                if bucket < spike_bucket {
                    assert!(score < signals::TUNED_ALERT_THRESHOLD, "run {run}: false alarm at bucket {bucket} ({count} posts, score {score})");
                } else {
                    assert!(score >= signals::TUNED_ALERT_THRESHOLD, "run {run}: the spike scored {score}");
                }
            }
        }
    }

    #[test]
    fn outside_the_spike_most_posts_are_not_copies() {
        let mut generator = DemoGenerator::new(3);
        let mut seen = crate::neardup::NearDuplicateIndex::default();
        let mut copies = 0;
        for id in 0..300 {
            let text = generator.pick_text(false);
            let words = listen::analysis::words(&text);
            let Some(signature) = crate::neardup::signature(words.iter().map(String::as_str)) else { continue };
            if seen.find(&signature).is_some() {
                copies += 1;
            } else {
                seen.insert(signature, domain::MentionId(id));
            }
        }
        assert!(copies < 150, "{copies} of 300 demo posts read as copies");
    }
}

/// The demo's administrator, printed at start so a newcomer can sign in to the app.
pub const DEMO_ADMIN_EMAIL: &str = "admin@comptoir.example";

/// Creates the demo's administrator, or gives them a fresh password when the data
/// directory already has them; returns the password (printed once by the demo).
pub fn ensure_demo_admin(app: &crate::App) -> Result<String, crate::ServiceError> {
    let password = format!("demo-{}", hex::encode(rand::random::<[u8; 6]>()));
    let existing = app.list_users()?.into_iter().find(|user| user.email == DEMO_ADMIN_EMAIL);
    match existing {
        Some(user) => {
            let patch = crate::UserPatch { password: Some(password.clone()), active: Some(true), ..Default::default() };
            app.update_user("demo", user.id, &patch)?;
        }
        None => {
            let request = crate::UserRequest {
                email: DEMO_ADMIN_EMAIL.into(),
                password: password.clone(),
                role: domain::Role::Admin,
                display_name: Some("Demo admin".into()),
                language: domain::Language::En,
                signature: Some("^DA".into()),
                expertise: vec![],
                capacity: None,
            };
            app.create_user("demo", &request)?;
        }
    }
    Ok(password)
}
