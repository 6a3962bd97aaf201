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
        let text: String = terminal_safe(&mention.text).chars().take(140).collect();
        let understood = match &stored.enrichment {
            Some(enrichment) => format!(
                "{}/{}{}",
                enrichment.sentiment.as_str(),
                enrichment.intent.as_str(),
                enrichment.reason.as_deref().map(|reason| format!("/{}", terminal_safe(reason))).unwrap_or_default()
            ),
            None => "-".to_string(),
        };
        println!(
            "{}\t{}\t{}\t@{}\t{}\t{}",
            stored.id,
            mention.created_at.format("%Y-%m-%d %H:%M"),
            mention.source,
            terminal_safe(&mention.author.handle),
            understood,
            text
        );
    }
    println!("{} match(es)", found.total);
}

/// Text written by strangers, safe to print on a terminal: no control characters (escape
/// sequences), no bidirectional overrides that would reorder what follows.
pub fn terminal_safe(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() && !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}'))
        .collect()
}
