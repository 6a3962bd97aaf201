//! Helpers shared by the parsers: building records, checking texts, splitting JSON
//! inputs into values, reading ids that come as numbers or strings.

use chrono::{DateTime, Utc};
use domain::{Author, IngestEvent, MAX_TEXT_BYTES, Mention, Source};
use serde_json::value::RawValue;

use crate::Record;

/// A mention with everything the source did not say left empty.
pub(crate) fn new_mention(
    source: Source,
    external_id: String,
    author: Author,
    text: String,
    created_at: DateTime<Utc>,
    raw: String,
) -> Mention {
    Mention {
        source,
        external_id,
        url: None,
        author,
        title: None,
        text,
        language: None,
        created_at,
        links: Default::default(),
        metrics: Default::default(),
        hashtags: Vec::new(),
        mentioned: Vec::new(),
        urls: Vec::new(),
        raw,
    }
}

pub(crate) fn event(position: &str, event: IngestEvent) -> Record {
    Record::Event {
        position: position.to_string(),
        event,
    }
}

pub(crate) fn rejected(position: &str, reason: impl Into<String>, raw: &str) -> Record {
    Record::Rejected {
        position: position.to_string(),
        reason: reason.into(),
        raw: raw.to_string(),
    }
}

pub(crate) fn ignored(position: &str, what: impl Into<String>) -> Record {
    Record::Ignored {
        position: position.to_string(),
        what: what.into(),
    }
}

/// Refuses an empty text or one longer than [`MAX_TEXT_BYTES`].
pub(crate) fn checked_text(field: &str, text: String) -> Result<String, String> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(format!(
            "`{field}` is {} bytes long, more than the {MAX_TEXT_BYTES} bytes allowed",
            text.len()
        ));
    }
    Ok(text)
}

/// A two-letter ISO 639-1 code from a language tag (`fr-FR` → `fr`); `None` for
/// "undetermined" codes (`und`, `qme`, `zxx`…) and anything else that is not one.
pub(crate) fn language_code(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?;
    let is_two_letters =
        primary.len() == 2 && primary.bytes().all(|byte| byte.is_ascii_alphabetic());
    is_two_letters.then(|| primary.to_ascii_lowercase())
}

/// Parses an RFC 3339 date, saying which field was wrong.
pub(crate) fn rfc3339_date(field: &str, value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value.trim())
        .map(|date| date.with_timezone(&Utc))
        .map_err(|_| format!("{field} {value:?} is not a date"))
}

/// An id given as a JSON string or number (`"12"`, `12`, `12.0`).
pub(crate) fn id_string(value: Option<&serde_json::Value>) -> Option<String> {
    match value? {
        serde_json::Value::String(text) if !text.is_empty() => Some(text.clone()),
        serde_json::Value::Number(number) => match number.as_u64() {
            Some(integer) => Some(integer.to_string()),
            None => Some(number.to_string()),
        },
        _ => None,
    }
}

/// A string field of a JSON object, `None` when missing, null or not a string.
pub(crate) fn str_field<'a>(object: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    object.get(key).and_then(serde_json::Value::as_str)
}

pub(crate) fn u64_field(object: &serde_json::Value, key: &str) -> u64 {
    object
        .get(key)
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0)
}

/// The text of a serde_json error without its "at line L column C" tail, with the column.
pub(crate) fn json_error_reason(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let message = match message.rfind(" at line ") {
        Some(cut) => message[..cut].to_string(),
        None => message,
    };
    format!("invalid JSON at column {}: {message}", error.column())
}

/// One JSON value found in a text input, or the text that could not be read as one.
pub(crate) enum JsonItem<'a> {
    Value {
        line: usize,
        value: &'a RawValue,
    },
    Invalid {
        line: usize,
        reason: String,
        raw: &'a str,
    },
}

/// Splits `text` into consecutive JSON values (one per line, or pretty-printed over
/// several lines). Blank space is skipped; a value that cannot be read is reported
/// with its first line and reading resumes on the next line.
pub(crate) fn json_values(text: &str) -> Vec<JsonItem<'_>> {
    let mut items = Vec::new();
    let mut offset = 0;
    while offset < text.len() {
        let rest = &text[offset..];
        let skipped = rest.len() - rest.trim_start().len();
        offset += skipped;
        if offset >= text.len() {
            break;
        }
        let line = line_number(text, offset);
        let mut stream =
            serde_json::Deserializer::from_str(&text[offset..]).into_iter::<&RawValue>();
        match stream.next() {
            Some(Ok(value)) => {
                offset += stream.byte_offset();
                items.push(JsonItem::Value { line, value });
            }
            Some(Err(error)) => {
                let line_end = text[offset..]
                    .find('\n')
                    .map_or(text.len(), |end| offset + end);
                let raw = text[offset..line_end].trim_end_matches('\r');
                items.push(JsonItem::Invalid {
                    line,
                    reason: json_error_reason(&error),
                    raw,
                });
                offset = line_end;
            }
            None => break,
        }
    }
    items
}

/// 1-based line number of the byte at `offset`.
pub(crate) fn line_number(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|byte| **byte == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes_keep_only_two_letter_primary_tags() {
        assert_eq!(language_code("fr-FR").as_deref(), Some("fr"));
        assert_eq!(language_code("EN").as_deref(), Some("en"));
        assert_eq!(language_code("und"), None);
        assert_eq!(language_code("qme"), None);
        assert_eq!(language_code(""), None);
    }

    #[test]
    fn json_values_resume_after_a_broken_line() {
        let text = "{\"a\":1}\n\n{\"b\": \"tru\n{\n  \"c\": 3\n}\n";
        let items = json_values(text);
        assert_eq!(items.len(), 3);
        assert!(matches!(items[0], JsonItem::Value { line: 1, .. }));
        match &items[1] {
            JsonItem::Invalid { line, reason, raw } => {
                assert_eq!(*line, 3);
                assert!(reason.starts_with("invalid JSON at column"), "{reason}");
                assert_eq!(*raw, "{\"b\": \"tru");
            }
            JsonItem::Value { .. } => panic!("expected an invalid item"),
        }
        assert!(matches!(items[2], JsonItem::Value { line: 4, .. }));
    }

    #[test]
    fn ids_are_read_from_numbers_and_strings() {
        let value: serde_json::Value =
            serde_json::json!({"a": 12345654332u64, "b": "77", "c": 3.0});
        assert_eq!(id_string(value.get("a")).as_deref(), Some("12345654332"));
        assert_eq!(id_string(value.get("b")).as_deref(), Some("77"));
        assert_eq!(id_string(value.get("c")).as_deref(), Some("3.0"));
        assert_eq!(id_string(value.get("d")), None);
    }
}
