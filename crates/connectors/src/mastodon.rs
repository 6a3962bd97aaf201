//! `mastodon`: Mastodon statuses in every shape the API gives them: one status object,
//! an array of statuses or of notifications, a Server-Sent-Events stream (`event:` /
//! `data:`) and WebSocket frames (`{"stream","event","payload"}`), one per line.
//! `update` is an Upsert, `status.update` an Edit, `delete` a Delete (its payload is
//! the status id); other events and notifications without a status are Ignored.
//! Positions: "line N" (JSON values, SSE events), "entry N" (array items).

use domain::{Author, IngestEvent, Mention, Source};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::Record;
use crate::common::{
    JsonItem, checked_text, event, id_string, ignored, json_error_reason, json_values,
    language_code, new_mention, rejected, rfc3339_date, str_field, u64_field,
};
use crate::html::html_to_text;

pub(crate) fn read(bytes: &[u8]) -> Vec<Record> {
    let text = String::from_utf8_lossy(bytes);
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        return read_array(&text);
    }
    if trimmed.starts_with('{') {
        return json_values(&text)
            .into_iter()
            .map(|item| match item {
                JsonItem::Invalid { line, reason, raw } => {
                    rejected(&format!("line {line}"), reason, raw)
                }
                JsonItem::Value { line, value } => {
                    read_json_object(&format!("line {line}"), value.get())
                }
            })
            .collect();
    }
    read_sse(&text)
}

fn read_array(text: &str) -> Vec<Record> {
    let items: Vec<&RawValue> = match serde_json::from_str(text) {
        Ok(items) => items,
        Err(error) => return vec![rejected("line 1", json_error_reason(&error), text)],
    };
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| read_json_object(&format!("entry {}", index + 1), item.get()))
        .collect()
}

/// A status, a notification or a WebSocket frame.
fn read_json_object(position: &str, raw: &str) -> Record {
    let object: Value = match serde_json::from_str(raw) {
        Ok(object) => object,
        Err(error) => return rejected(position, json_error_reason(&error), raw),
    };
    if object.get("event").is_some() && object.get("payload").is_some() {
        return read_websocket_frame(position, &object, raw);
    }
    if object.get("type").is_some() && object.get("content").is_none() {
        return read_notification(position, raw);
    }
    status_record(position, raw, false)
}

/// Reads one WebSocket frame of the streaming API (the text of one message).
pub fn read_websocket_frame_text(position: &str, raw: &str) -> Record {
    match serde_json::from_str::<Value>(raw) {
        Ok(frame) => read_websocket_frame(position, &frame, raw),
        Err(error) => rejected(position, json_error_reason(&error), raw),
    }
}

fn read_websocket_frame(position: &str, frame: &Value, raw: &str) -> Record {
    let event_name = str_field(frame, "event").unwrap_or("");
    let payload = match frame.get("payload") {
        Some(Value::String(payload)) => payload.as_str(),
        _ => return rejected(position, "WebSocket frame without a string `payload`", raw),
    };
    read_stream_event(position, event_name, payload)
}

/// Reads one streaming event: its name (`update`, `status.update`, `delete`…) and data.
pub fn read_stream_event(position: &str, event_name: &str, data: &str) -> Record {
    match event_name {
        "update" => status_record(position, data, false),
        "status.update" => status_record(position, data, true),
        "delete" => {
            let external_id = data.trim().trim_matches('"').to_string();
            if external_id.is_empty() {
                return rejected(position, "delete event without a status id", data);
            }
            event(
                position,
                IngestEvent::Delete {
                    source: Source::Mastodon,
                    external_id,
                },
            )
        }
        "notification" => read_notification(position, data),
        other => ignored(position, format!("a Mastodon `{other}` event")),
    }
}

fn read_notification(position: &str, raw: &str) -> Record {
    #[derive(serde::Deserialize)]
    struct Notification<'a> {
        #[serde(rename = "type", default)]
        kind: String,
        #[serde(borrow, default)]
        status: Option<&'a RawValue>,
    }
    let notification: Notification<'_> = match serde_json::from_str(raw) {
        Ok(notification) => notification,
        Err(error) => return rejected(position, format!("invalid notification: {error}"), raw),
    };
    match notification.status {
        Some(status) if status.get() != "null" && notification.kind == "mention" => {
            status_record(position, status.get(), false)
        }
        Some(status) if status.get() != "null" => {
            ignored(position, format!("a `{}` notification", notification.kind))
        }
        _ => ignored(
            position,
            format!(
                "a `{}` notification whose status is gone",
                notification.kind
            ),
        ),
    }
}

/// Reads the server-sent events of a stream: blocks separated by a blank line.
fn read_sse(text: &str) -> Vec<Record> {
    let mut records = Vec::new();
    let mut event_name = String::new();
    let mut data_lines: Vec<&str> = Vec::new();
    let mut event_line = 0;
    for (index, line) in text.lines().chain(std::iter::once("")).enumerate() {
        if line.trim().is_empty() {
            if !data_lines.is_empty() {
                let name = if event_name.is_empty() {
                    "message"
                } else {
                    event_name.as_str()
                };
                records.push(read_stream_event(
                    &format!("line {event_line}"),
                    name,
                    &data_lines.join("\n"),
                ));
            }
            event_name.clear();
            data_lines.clear();
            continue;
        }
        if event_name.is_empty() && data_lines.is_empty() {
            event_line = index + 1;
        }
        if let Some(name) = line.strip_prefix("event:") {
            event_name = name.trim().to_string();
        } else if let Some(data) = line.strip_prefix("data:") {
            data_lines.push(data.strip_prefix(' ').unwrap_or(data));
        } else if !line.starts_with(':') {
            records.push(rejected(
                &format!("line {}", index + 1),
                "not a server-sent event line",
                line,
            ));
        }
    }
    records
}

fn status_record(position: &str, raw: &str, is_edit: bool) -> Record {
    let status: Value = match serde_json::from_str(raw) {
        Ok(status) => status,
        Err(error) => return rejected(position, json_error_reason(&error), raw),
    };
    match status_mention(&status, raw) {
        Ok(mention) if is_edit => event(position, IngestEvent::Edit(mention)),
        Ok(mention) => event(position, IngestEvent::Upsert(mention)),
        Err(reason) => rejected(position, reason, raw),
    }
}

fn status_mention(status: &Value, raw: &str) -> Result<Mention, String> {
    let id = id_string(status.get("id")).ok_or("missing field `id`")?;
    let created_at = rfc3339_date(
        "created_at",
        str_field(status, "created_at").ok_or("missing field `created_at`")?,
    )?;
    let account = status
        .get("account")
        .filter(|account| account.is_object())
        .ok_or("missing field `account`")?;
    let author = account_author(account)?;
    let reblog = status.get("reblog").filter(|reblog| reblog.is_object());
    let shown = reblog.unwrap_or(status);
    let text = checked_text("content", status_text(shown)?)?;
    let mut mention = new_mention(
        Source::Mastodon,
        id,
        author,
        text,
        created_at,
        raw.to_string(),
    );
    mention.url = str_field(status, "url")
        .or_else(|| str_field(status, "uri"))
        .map(str::to_string);
    mention.language = str_field(shown, "language").and_then(language_code);
    mention.links.in_reply_to = id_string(status.get("in_reply_to_id"));
    mention.links.reposted = reblog.and_then(|reblog| id_string(reblog.get("id")));
    mention.metrics.replies = u64_field(status, "replies_count");
    mention.metrics.reposts = u64_field(status, "reblogs_count");
    mention.metrics.likes = u64_field(status, "favourites_count");
    mention.metrics.quotes = u64_field(status, "quotes_count");
    Ok(mention)
}

/// The content as text, after the content warning; `[image]`… for a media-only status.
fn status_text(status: &Value) -> Result<String, String> {
    let content = str_field(status, "content").ok_or("missing field `content`")?;
    let mut text = html_to_text(content);
    if text.is_empty() {
        let media_kinds: Vec<String> = status
            .get("media_attachments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|attachment| str_field(attachment, "type"))
            .map(|kind| format!("[{kind}]"))
            .collect();
        text = media_kinds.join(" ");
    }
    let spoiler = str_field(status, "spoiler_text").unwrap_or("").trim();
    if !spoiler.is_empty() {
        text = format!("{spoiler}\n\n{text}");
    }
    Ok(text)
}

fn account_author(account: &Value) -> Result<Author, String> {
    let acct = str_field(account, "acct")
        .ok_or("missing field `account.acct`")?
        .trim_start_matches('@');
    let host = str_field(account, "url")
        .and_then(|url| url.split('/').nth(2))
        .filter(|host| !host.is_empty());
    let handle = match host {
        Some(host) if !acct.contains('@') => format!("{acct}@{host}"),
        _ => acct.to_string(),
    };
    Ok(Author {
        handle,
        external_id: id_string(account.get("id")),
        display_name: str_field(account, "display_name")
            .filter(|name| !name.is_empty())
            .map(str::to_string),
        bio: str_field(account, "note")
            .map(html_to_text)
            .filter(|bio| !bio.is_empty()),
        followers: account.get("followers_count").and_then(Value::as_u64),
        following: account.get("following_count").and_then(Value::as_u64),
        verified: false,
        created_at: str_field(account, "created_at")
            .and_then(|date| rfc3339_date("created_at", date).ok()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = r#"{"id":"108","created_at":"2022-08-30T23:05:46.839Z","in_reply_to_id":"107","spoiler_text":"cw","language":"fr","url":"https://m.example/@bob/108","content":"<p>Salut <b>toi</b> &amp; moi</p>","replies_count":1,"reblogs_count":2,"favourites_count":3,"account":{"id":"5","acct":"bob","display_name":"Bob","note":"<p>Hi</p>","url":"https://m.example/@bob","followers_count":7,"following_count":8},"reblog":null}"#;

    #[test]
    fn a_status_maps_account_text_and_counts() {
        let Record::Event {
            event: IngestEvent::Upsert(mention),
            ..
        } = status_record("line 1", STATUS, false)
        else {
            panic!("expected an upsert");
        };
        assert_eq!(mention.author.handle, "bob@m.example");
        assert_eq!(mention.author.bio.as_deref(), Some("Hi"));
        assert_eq!(mention.text, "cw\n\nSalut toi & moi");
        assert_eq!(mention.language.as_deref(), Some("fr"));
        assert_eq!(mention.links.in_reply_to.as_deref(), Some("107"));
        assert_eq!(
            (
                mention.metrics.replies,
                mention.metrics.reposts,
                mention.metrics.likes
            ),
            (1, 2, 3)
        );
    }

    #[test]
    fn sse_events_map_to_upsert_edit_delete_and_ignored() {
        let sse = format!(
            ":thump\n\nevent: update\ndata: {STATUS}\n\nevent: status.update\ndata: {STATUS}\n\nevent: delete\ndata: 107214471804101576\n\nevent: filters_changed\ndata: x\n"
        );
        let records = read(sse.as_bytes());
        assert!(
            matches!(&records[0], Record::Event { position, event: IngestEvent::Upsert(_) } if position == "line 3")
        );
        assert!(matches!(
            &records[1],
            Record::Event {
                event: IngestEvent::Edit(_),
                ..
            }
        ));
        assert_eq!(
            records[2],
            Record::Event {
                position: "line 9".into(),
                event: IngestEvent::Delete {
                    source: Source::Mastodon,
                    external_id: "107214471804101576".into()
                }
            }
        );
        assert!(matches!(&records[3], Record::Ignored { .. }));
    }

    #[test]
    fn websocket_frames_carry_the_status_as_a_string() {
        let frame = serde_json::json!({"stream": ["public"], "event": "update", "payload": STATUS})
            .to_string();
        let records = read(
            format!("{frame}\n{{\"stream\":[\"public\"],\"event\":\"delete\",\"payload\":\"9\"}}")
                .as_bytes(),
        );
        let Record::Event {
            event: IngestEvent::Upsert(mention),
            ..
        } = &records[0]
        else {
            panic!("{records:?}")
        };
        assert_eq!(mention.raw, STATUS);
        assert!(matches!(
            &records[1],
            Record::Event {
                event: IngestEvent::Delete { .. },
                ..
            }
        ));
    }
}
