//! Measures enrichments per second on one core (run by hand, in release):
//! `cargo run --release -p nlp --example throughput -- /work/shared/data/airline/airline_tweets_dev70.csv`
//! The file is any CSV with a `text` column; every text is analysed several times.
//! Besides the wall-clock rate, it prints the time the thread spent on a CPU (Linux
//! `/proc/thread-self/schedstat`), which other processes sharing the cores do not
//! inflate: the figure to compare on a busy machine.

use std::time::Instant;

use domain::Author;
use nlp::{Analyzer, InfluenceState};

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: throughput FILE.csv"))?;
    let mut reader = csv::Reader::from_path(&path)?;
    let text_column = reader
        .headers()?
        .iter()
        .position(|h| h == "text")
        .ok_or_else(|| anyhow::anyhow!("no text column"))?;
    let texts: Vec<String> = reader
        .records()
        .filter_map(Result::ok)
        .map(|r| r[text_column].to_string())
        .collect();
    let analyzer = Analyzer::default();
    let author = Author {
        handle: "someone".into(),
        bio: Some("dad, runner, coffee lover".into()),
        followers: Some(250),
        following: Some(300),
        ..Author::default()
    };
    let mut influence = InfluenceState::default();
    let rounds = 5;
    measure(&analyzer, &texts, &author, Some("en"), rounds);
    let started = Instant::now();
    let cpu_started = cpu_nanoseconds();
    let mut negatives = 0usize;
    for _ in 0..rounds {
        for text in &texts {
            // Language unknown: detection runs too, as in the pipeline.
            let enrichment = analyzer.analyze(text, None, &author);
            negatives += usize::from(enrichment.reason.is_some());
            influence.observe_post(&Default::default(), author.followers);
        }
    }
    report(
        "language detected here",
        started,
        cpu_started,
        rounds * texts.len(),
        negatives,
    );
    Ok(())
}

/// Language given, as the pipeline does after its own detection.
fn measure(
    analyzer: &Analyzer,
    texts: &[String],
    author: &Author,
    language: Option<&str>,
    rounds: usize,
) {
    let started = Instant::now();
    let cpu_started = cpu_nanoseconds();
    let mut negatives = 0usize;
    for _ in 0..rounds {
        for text in texts {
            negatives += usize::from(analyzer.analyze(text, language, author).reason.is_some());
        }
    }
    report(
        "language given",
        started,
        cpu_started,
        rounds * texts.len(),
        negatives,
    );
}

fn report(
    what: &str,
    started: Instant,
    cpu_started: Option<u64>,
    analysed: usize,
    negatives: usize,
) {
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = match (cpu_started, cpu_nanoseconds()) {
        (Some(start), Some(end)) => {
            let per_mention = (end - start) as f64 / 1e3 / analysed as f64;
            format!(
                "; on-CPU {per_mention:.2} µs a mention ({:.0}/s)",
                1e6 / per_mention
            )
        }
        _ => String::new(),
    };
    println!(
        "{what}: {analysed} mentions in {elapsed:.2}s: {:.0} mentions/s on one thread ({negatives} with a reason){cpu}",
        analysed as f64 / elapsed
    );
}

/// Nanoseconds this thread has spent on a CPU (Linux), if the system says.
fn cpu_nanoseconds() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
