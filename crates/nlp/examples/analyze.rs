//! Prints the enrichment of each line of standard input (`fr:` or `en:` prefixes force
//! the language): `echo "fr:c'est pas terrible" | cargo run -p nlp --example analyze`.

use std::io::BufRead;

fn main() {
    let analyzer = nlp::Analyzer::default();
    let author = domain::Author::default();
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let (language, text) = match line.split_once(':') {
            Some((code @ ("fr" | "en"), text)) => (Some(code), text),
            _ => (None, line.as_str()),
        };
        let enrichment = analyzer.analyze(text, language, &author);
        println!(
            "{text}\n  {}",
            serde_json::to_string(&enrichment).expect("serialisable")
        );
    }
}
