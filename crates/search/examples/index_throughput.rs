//! Rough throughput numbers of the search crate's stages, run by hand:
//! `cargo run --release -p search --example index_throughput`. The product's own figure is
//! `comptoir bench ingest` (docs/benchmarks.md).

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Instant;

fn main() {
    let texts = [
        "@united my bag was lost AGAIN on flight UA123, #fail https://t.co/abc",
        "Encore un retard de 2h à Roissy… merci @airfrance 😡 #retard",
        "Great crew today, thanks @delta for the upgrade!",
        "Vol annulé, bagages perdus, personne au comptoir. Bravo l'aéroport",
    ];
    let count = 200_000;
    let mentions: Vec<_> = (0..count).map(|i| support::stored(i as i64, texts[i % texts.len()])).collect();

    let started = Instant::now();
    for mention in &mentions {
        std::hint::black_box(listen::extract_entities(&mention.mention.text));
        std::hint::black_box(listen::normalize_text(&mention.mention.text));
    }
    println!("normalize+extract: {:.0}/s", count as f64 / started.elapsed().as_secs_f64());

    let topics: Vec<(String, String, Vec<String>)> = (0..20)
        .map(|i| (format!("t{i}"), format!("(lost OR retard* OR ~bagage) -thanks{i} lang:fr OR \"flight ua123\""), vec![]))
        .collect();
    let matcher = listen::TopicMatcher::new(topics.iter().map(|(n, q, l)| (n.as_str(), q.as_str(), l.as_slice()))).unwrap();
    let started = Instant::now();
    for mention in &mentions {
        let doc = listen::MatchDoc::from_mention(&mention.mention);
        std::hint::black_box(matcher.matching_topics(&doc));
    }
    println!("MatchDoc + 20 topics: {:.0}/s", count as f64 / started.elapsed().as_secs_f64());

    let index = search::SearchIndex::open_in_ram().unwrap();
    let started = Instant::now();
    for chunk in mentions.chunks(10_000) {
        index.add_mentions(chunk).unwrap();
    }
    index.commit(1).unwrap();
    println!("indexing: {:.0}/s", count as f64 / started.elapsed().as_secs_f64());
}
