//! What the commands print: summaries for people, one-line JSON for scripts.

use indicatif::{ProgressBar, ProgressStyle};
use service::{BatchReport, SearchOutput};

/// A progress bar on stderr (hidden when stderr is not a terminal).
pub fn progress_bar(length: u64, label: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(length), indicatif::ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} records ({per_sec}, {eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(label.to_string());
    bar
}

pub fn print_import_summary(report: &BatchReport) {
    println!("read:        {}", report.read);
    println!("stored:      {}", report.stored);
    println!("duplicates:  {}", report.duplicates);
    println!("quarantined: {}", report.quarantined);
    if report.ignored + report.edited + report.deleted > 0 {
        println!("ignored: {}, edited: {}, deleted: {}", report.ignored, report.edited, report.deleted);
    }
    if report.linked_copies > 0 {
        println!("linked to an original (reposts, near-duplicates): {}", report.linked_copies);
    }
    for sample in &report.quarantine_samples {
        println!("  quarantined {} {}: {}", sample.origin, sample.position, sample.reason);
    }
    if report.quarantined as usize > report.quarantine_samples.len() {
        println!("  … see all with GET /api/v1/quarantine");
    }
}

pub fn print_import_json(report: &BatchReport, unreadable: &[String]) {
    let mut value = serde_json::to_value(report).expect("a report serialises");
    value["unreadable"] = serde_json::json!(unreadable);
    println!("{value}");
}

pub fn print_search(found: &SearchOutput) {
    for stored in &found.mentions {
        let mention = &stored.mention;
        let text: String = mention.text.chars().filter(|c| !c.is_control()).take(140).collect();
        println!(
            "{}\t{}\t{}\t@{}\t{}",
            stored.id,
            mention.created_at.format("%Y-%m-%d %H:%M"),
            mention.source,
            mention.author.handle,
            text
        );
    }
    println!("{} match(es)", found.total);
}
