//! `ndjson`: Comptoir's own mention schema (`domain::Mention` as serde writes it), one
//! JSON object per line. Required: `source`, `external_id`, `author.handle`, `text`,
//! `created_at` (RFC 3339); everything else is optional. The HTTP ingest API reuses
//! [`parse_mention_json`] and [`read_mentions_body`]. Position: "line N" (or "entry N"
//! inside a JSON array).

use domain::{IngestEvent, Mention};
use serde_json::value::RawValue;

use crate::Record;
use crate::common::{JsonItem, checked_text, event, json_error_reason, json_values, rejected};

/// Reads one mention in Comptoir's schema; the error says what is wrong with it.
pub fn parse_mention_json(line: &str) -> Result<Mention, String> {
    let mut mention: Mention = serde_json::from_str(line).map_err(|error| schema_error(&error))?;
    if mention.external_id.trim().is_empty() {
        return Err("`external_id` is empty".to_string());
    }
    mention.author.handle = mention
        .author
        .handle
        .trim()
        .trim_start_matches('@')
        .to_string();
    if mention.author.handle.is_empty() {
        return Err("`author.handle` is empty".to_string());
    }
    mention.text = checked_text("text", mention.text)?;
    mention.raw = line.to_string();
    Ok(mention)
}

/// Reads a request body: one JSON object (possibly pretty-printed), NDJSON, or a JSON
/// array of objects.
pub fn read_mentions_body(bytes: &[u8]) -> Vec<Record> {
    let text = String::from_utf8_lossy(bytes);
    if text.trim_start().starts_with('[') {
        return match serde_json::from_str::<Vec<&RawValue>>(&text) {
            Ok(items) => items
                .iter()
                .enumerate()
                .map(|(index, item)| mention_record(&format!("entry {}", index + 1), item.get()))
                .collect(),
            Err(error) => vec![rejected("line 1", json_error_reason(&error), &text)],
        };
    }
    json_values(&text)
        .into_iter()
        .map(|item| match item {
            JsonItem::Invalid { line, reason, raw } => {
                rejected(&format!("line {line}"), reason, raw)
            }
            JsonItem::Value { line, value } => mention_record(&format!("line {line}"), value.get()),
        })
        .collect()
}

fn mention_record(position: &str, raw: &str) -> Record {
    match parse_mention_json(raw) {
        Ok(mention) => event(position, IngestEvent::Upsert(mention)),
        Err(reason) => rejected(position, reason, raw),
    }
}

/// serde's message without its position tail: "missing field `text`".
fn schema_error(error: &serde_json::Error) -> String {
    if error.is_syntax() || error.is_eof() {
        return json_error_reason(error);
    }
    let message = error.to_string();
    let message = message
        .rfind(" at line ")
        .map_or(message.as_str(), |cut| &message[..cut]);
    if message.contains("input contains invalid characters")
        || message.contains("premature end of input")
    {
        return format!("created_at is not an RFC 3339 date ({message})");
    }
    message.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"source":"bluesky","external_id":"at://x/1","author":{"handle":"@ann.bsky.social"},"text":"hello","created_at":"2026-01-02T03:04:05Z"}"#;

    #[test]
    fn a_minimal_mention_is_read_and_keeps_its_line() {
        let mention = parse_mention_json(GOOD).unwrap();
        assert_eq!(mention.author.handle, "ann.bsky.social");
        assert_eq!(mention.source, domain::Source::Bluesky);
        assert_eq!(mention.raw, GOOD);
    }

    #[test]
    fn errors_name_the_missing_field_or_the_bad_value() {
        let without_text = GOOD.replace(r#""text":"hello","#, "");
        assert_eq!(
            parse_mention_json(&without_text).unwrap_err(),
            "missing field `text`"
        );
        let bad_date = GOOD.replace("2026-01-02T03:04:05Z", "xyz");
        assert!(
            parse_mention_json(&bad_date)
                .unwrap_err()
                .starts_with("created_at is not an RFC 3339 date")
        );
        assert!(
            parse_mention_json("{\"source\":")
                .unwrap_err()
                .starts_with("invalid JSON at column")
        );
    }

    #[test]
    fn a_body_is_one_pretty_object_or_ndjson() {
        let pretty =
            serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(GOOD).unwrap())
                .unwrap();
        assert!(matches!(
            read_mentions_body(pretty.as_bytes())[..],
            [Record::Event { .. }]
        ));
        let ndjson = format!("{GOOD}\n\n{{\"source\":\"x\"}}\n{GOOD}\n");
        let records = read_mentions_body(ndjson.as_bytes());
        assert_eq!(records.len(), 3);
        assert!(matches!(&records[1], Record::Rejected { position, .. } if position == "line 3"));
    }
}
