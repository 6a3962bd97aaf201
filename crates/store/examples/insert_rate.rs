//! Measures `insert_mentions` for batches of 5,000 short tweets, the pipeline's batch size.
//!
//! `cargo run --release -p store --example insert_rate` measures SQLite in a temporary
//! folder; with `COMPTOIR_TEST_POSTGRES_URL` set it also measures PostgreSQL, in a
//! throw-away schema. A sanity figure for the README, not a benchmark.

use std::time::Instant;

use chrono::Utc;
use domain::{
    Author, AuthorType, Enrichment, Intent, Mention, MentionLinks, PublicMetrics, SentimentLabel,
    Source,
};
use store::{MentionWrite, PostgresStore, SqliteStore, Store};

const BATCH_SIZE: usize = 5_000;
const BATCHES: usize = 10;

fn short_tweet(number: usize) -> MentionWrite {
    MentionWrite {
        mention: Mention {
            source: Source::X,
            external_id: format!("{}", 570_306_133_677_760_513_u64 + number as u64),
            url: None,
            author: Author {
                handle: format!("traveller{}", number % 977),
                ..Author::default()
            },
            title: None,
            text: format!(
                "@united flight {} delayed again, third time this month #fail",
                number % 1_000
            ),
            language: Some("en".to_string()),
            created_at: Utc::now(),
            links: MentionLinks::default(),
            metrics: PublicMetrics::default(),
            hashtags: vec!["fail".to_string()],
            mentioned: vec!["united".to_string()],
            urls: Vec::new(),
            raw: format!("{number},negative,Late Flight,united,,0,\"@united flight delayed\""),
        },
        duplicate_of: None,
        topics: vec!["airline".to_string()],
        enrichment: Some(Enrichment {
            sentiment: SentimentLabel::Negative,
            sentiment_confidence: 0.93,
            reason: Some("delay_or_cancellation".to_string()),
            intent: Intent::Complaint,
            author_type: AuthorType::Customer,
            model_version: "sentiment-en:506c2243,sentiment-fr:f896c9b2,reason-en:e42b76d7,rules:1"
                .to_string(),
        }),
    }
}

fn measure(store: &dyn Store) {
    let mut batch_rates = Vec::with_capacity(BATCHES);
    let started = Instant::now();
    for batch_number in 0..BATCHES {
        let batch: Vec<MentionWrite> = (0..BATCH_SIZE)
            .map(|index| short_tweet(batch_number * BATCH_SIZE + index))
            .collect();
        let batch_started = Instant::now();
        store.insert_mentions(&batch).expect("insert the batch");
        batch_rates.push(BATCH_SIZE as f64 / batch_started.elapsed().as_secs_f64());
    }
    let mean_rate = (BATCHES * BATCH_SIZE) as f64 / started.elapsed().as_secs_f64();
    let batch_rates: Vec<String> = batch_rates
        .iter()
        .map(|rate| format!("{rate:.0}"))
        .collect();
    println!(
        "{}: {BATCHES} batches of {BATCH_SIZE}: mean {mean_rate:.0} mentions/s; per batch: {}",
        store.backend(),
        batch_rates.join(", ")
    );
}

fn main() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let sqlite = SqliteStore::open(&directory.path().join("rate.db")).expect("open SQLite");
    measure(&sqlite);

    if let Ok(url) = std::env::var("COMPTOIR_TEST_POSTGRES_URL") {
        let schema = format!("insert_rate_{}", std::process::id());
        let postgres = PostgresStore::connect_with_schema(&url, &schema).expect("connect");
        measure(&postgres);
        drop(postgres);
        let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
        client
            .batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
            .expect("drop the schema");
    }
}
