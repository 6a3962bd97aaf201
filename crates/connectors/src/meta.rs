//! Meta Graph API webhooks: Page feed changes (Facebook posts and comments),
//! Messenger messages and Instagram comments, plus the two checks a webhook endpoint
//! must make: the `X-Hub-Signature-256` HMAC over the raw body and the `hub.mode=subscribe`
//! handshake. Positions: "entry N change M", "entry N message M".

use chrono::{DateTime, Utc};
use domain::{Author, IngestEvent, Mention, Source};
use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use sha2::Sha256;

use crate::common::{
    checked_text, event, id_string, ignored, json_error_reason, new_mention, rejected, str_field,
};
use crate::{ConnectorError, Record};

/// Checks `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the raw body keyed
/// with the app secret, in constant time. Only `sha256=` is accepted.
pub fn verify_signature(app_secret: &[u8], body: &[u8], header_value: &str) -> bool {
    let Some(hex_signature) = header_value.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(signature) = hex::decode(hex_signature) else {
        return false;
    };
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(app_secret) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&signature).is_ok()
}

/// The subscription handshake (`hub.mode`, `hub.verify_token`, `hub.challenge`): the
/// challenge to echo back when the mode is `subscribe` and the token is ours.
pub fn verify_subscription(
    mode: &str,
    verify_token: &str,
    challenge: &str,
    expected_token: &str,
) -> Option<String> {
    let tokens_match = verify_token.len() == expected_token.len()
        && verify_token
            .bytes()
            .zip(expected_token.bytes())
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0;
    (mode == "subscribe" && tokens_match && !expected_token.is_empty())
        .then(|| challenge.to_string())
}

#[derive(Deserialize)]
struct Webhook<'a> {
    object: String,
    #[serde(borrow)]
    entry: Vec<WebhookEntry<'a>>,
}

#[derive(Deserialize)]
struct WebhookEntry<'a> {
    #[serde(default)]
    time: Option<Value>,
    #[serde(borrow, default)]
    changes: Vec<Change<'a>>,
    #[serde(borrow, default)]
    messaging: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct Change<'a> {
    #[serde(default)]
    field: String,
    #[serde(borrow)]
    value: &'a RawValue,
}

/// Reads a webhook POST body. Fails only when the body is not a webhook at all.
pub fn parse_webhook(body: &[u8]) -> Result<Vec<Record>, ConnectorError> {
    let unreadable = |reason: String| ConnectorError::Unreadable {
        format: "meta-webhook",
        reason,
    };
    let text =
        std::str::from_utf8(body).map_err(|error| unreadable(format!("not UTF-8: {error}")))?;
    let webhook: Webhook<'_> =
        serde_json::from_str(text).map_err(|error| unreadable(json_error_reason(&error)))?;
    let mut records = Vec::new();
    for (entry_index, entry) in webhook.entry.iter().enumerate() {
        let entry_time = entry.time.as_ref().and_then(unix_time);
        for (change_index, change) in entry.changes.iter().enumerate() {
            let position = format!("entry {} change {}", entry_index + 1, change_index + 1);
            records.push(change_record(
                &position,
                &webhook.object,
                change,
                entry_time,
            ));
        }
        for (message_index, messaging) in entry.messaging.iter().enumerate() {
            let position = format!("entry {} message {}", entry_index + 1, message_index + 1);
            records.push(messaging_record(&position, messaging.get()));
        }
    }
    Ok(records)
}

fn change_record(
    position: &str,
    object: &str,
    change: &Change<'_>,
    entry_time: Option<DateTime<Utc>>,
) -> Record {
    let raw = change.value.get();
    let value: Value = match serde_json::from_str(raw) {
        Ok(value) => value,
        Err(error) => return rejected(position, json_error_reason(&error), raw),
    };
    match (object, change.field.as_str()) {
        ("page", "feed") => feed_change(position, &value, raw, entry_time),
        ("instagram", "comments") => match instagram_comment(&value, raw, entry_time) {
            Ok(mention) => event(position, IngestEvent::Upsert(mention)),
            Err(reason) => rejected(position, reason, raw),
        },
        (object, field) => ignored(
            position,
            format!("a `{field}` change of a `{object}` object"),
        ),
    }
}

fn feed_change(
    position: &str,
    value: &Value,
    raw: &str,
    entry_time: Option<DateTime<Utc>>,
) -> Record {
    let item = str_field(value, "item").unwrap_or("");
    let verb = str_field(value, "verb").unwrap_or("");
    if !matches!(item, "post" | "comment" | "status") {
        return ignored(position, format!("a Facebook {item} ({verb})"));
    }
    let post_id = id_string(value.get("post_id"));
    let external_id = match item {
        "comment" => id_string(value.get("comment_id")),
        _ => post_id.clone(),
    };
    let Some(external_id) = external_id else {
        return rejected(
            position,
            format!(
                "missing field `{}`",
                if item == "comment" {
                    "comment_id"
                } else {
                    "post_id"
                }
            ),
            raw,
        );
    };
    if verb == "remove" {
        return event(
            position,
            IngestEvent::Delete {
                source: Source::Facebook,
                external_id,
            },
        );
    }
    if !matches!(verb, "add" | "edited") {
        return ignored(position, format!("a Facebook {item} with verb {verb:?}"));
    }
    let mention = (|| -> Result<Mention, String> {
        let text = checked_text(
            "message",
            str_field(value, "message")
                .ok_or("missing field `message`")?
                .to_string(),
        )?;
        let created_at = value
            .get("created_time")
            .and_then(unix_time)
            .or(entry_time)
            .ok_or("missing field `created_time` (and no entry `time`)")?;
        let author = from_author(value.get("from"), "id", "name").ok_or("missing field `from`")?;
        let mut mention = new_mention(
            Source::Facebook,
            external_id,
            author,
            text,
            created_at,
            raw.to_string(),
        );
        let parent_id = id_string(value.get("parent_id"));
        if item == "comment" {
            mention.links.in_reply_to = parent_id.filter(|parent| Some(parent) != post_id.as_ref());
            mention.links.thread_id = post_id;
        }
        Ok(mention)
    })();
    match mention {
        Ok(mention) if verb == "edited" => event(position, IngestEvent::Edit(mention)),
        Ok(mention) => event(position, IngestEvent::Upsert(mention)),
        Err(reason) => rejected(position, reason, raw),
    }
}

fn instagram_comment(
    value: &Value,
    raw: &str,
    entry_time: Option<DateTime<Utc>>,
) -> Result<Mention, String> {
    let id = id_string(value.get("id")).ok_or("missing field `id`")?;
    let text = checked_text(
        "text",
        str_field(value, "text")
            .ok_or("missing field `text`")?
            .to_string(),
    )?;
    let created_at = entry_time.ok_or("missing entry `time`")?;
    let author = from_author(value.get("from"), "id", "username").ok_or("missing field `from`")?;
    let mut mention = new_mention(
        Source::Instagram,
        id,
        author,
        text,
        created_at,
        raw.to_string(),
    );
    mention.links.thread_id = value
        .get("media")
        .and_then(|media| id_string(media.get("id")));
    mention.links.in_reply_to = id_string(value.get("parent_id"));
    Ok(mention)
}

fn messaging_record(position: &str, raw: &str) -> Record {
    let messaging: Value = match serde_json::from_str(raw) {
        Ok(messaging) => messaging,
        Err(error) => return rejected(position, json_error_reason(&error), raw),
    };
    let Some(message) = messaging.get("message") else {
        let kind = [
            "delivery", "read", "postback", "reaction", "optin", "referral",
        ]
        .into_iter()
        .find(|kind| messaging.get(*kind).is_some())
        .unwrap_or("event");
        return ignored(position, format!("a Messenger {kind}"));
    };
    if message.get("is_echo").and_then(Value::as_bool) == Some(true) {
        return ignored(position, "an echo of the page's own message");
    }
    let mention = (|| -> Result<Mention, String> {
        let mid = id_string(message.get("mid")).ok_or("missing field `message.mid`")?;
        let text = match str_field(message, "text") {
            Some(text) => text.to_string(),
            None => attachment_placeholder(message)
                .ok_or("missing field `message.text` (and no attachment)")?,
        };
        let text = checked_text("text", text)?;
        let created_at = messaging
            .get("timestamp")
            .and_then(unix_time)
            .ok_or("missing field `timestamp`")?;
        let sender_id = messaging
            .get("sender")
            .and_then(|sender| id_string(sender.get("id")));
        let sender_id = sender_id.ok_or("missing field `sender.id`")?;
        let author = Author {
            handle: sender_id.clone(),
            external_id: Some(sender_id),
            ..Author::default()
        };
        Ok(new_mention(
            Source::Messenger,
            mid,
            author,
            text,
            created_at,
            raw.to_string(),
        ))
    })();
    match mention {
        Ok(mention) => event(position, IngestEvent::Upsert(mention)),
        Err(reason) => rejected(position, reason, raw),
    }
}

/// `[image]`, `[image] [file]`… for a message made only of attachments.
fn attachment_placeholder(message: &Value) -> Option<String> {
    let kinds: Vec<String> = message
        .get("attachments")?
        .as_array()?
        .iter()
        .map(|attachment| {
            format!(
                "[{}]",
                str_field(attachment, "type").unwrap_or("attachment")
            )
        })
        .collect();
    (!kinds.is_empty()).then(|| kinds.join(" "))
}

fn from_author(from: Option<&Value>, id_key: &str, name_key: &str) -> Option<Author> {
    let from = from?;
    let id = id_string(from.get(id_key));
    let name = str_field(from, name_key).map(str::to_string);
    let handle = match name_key {
        "username" => name.clone().or_else(|| id.clone())?,
        _ => id.clone().or_else(|| name.clone())?,
    };
    let display_name = if name_key == "username" { None } else { name };
    Some(Author {
        handle,
        external_id: id,
        display_name,
        ..Author::default()
    })
}

/// A Unix time in seconds, or in milliseconds (Messenger), as a number or a string.
fn unix_time(value: &Value) -> Option<DateTime<Utc>> {
    let number = match value {
        Value::Number(number) => number.as_i64()?,
        Value::String(text) => {
            return text.parse::<i64>().ok().map_or_else(
                || {
                    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%z")
                        .ok()
                        .map(|date| date.with_timezone(&Utc))
                },
                unix_number,
            );
        }
        _ => return None,
    };
    unix_number(number)
}

fn unix_number(number: i64) -> Option<DateTime<Utc>> {
    const MILLISECONDS_THRESHOLD: i64 = 100_000_000_000;
    if number > MILLISECONDS_THRESHOLD {
        DateTime::from_timestamp_millis(number)
    } else {
        DateTime::from_timestamp(number, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_published_vectors() {
        let header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert!(verify_signature(
            b"It's a Secret to Everybody",
            b"Hello, World!",
            header
        ));
        assert!(!verify_signature(
            b"It's a Secret to Everybody",
            b"Hello, World?",
            header
        ));
        let derived = "sha256=448df8785dd36742e43fa3cad9de2eca8ceb6391e79c742e33e52c6637f32dac";
        assert!(verify_signature(b"FAKE_SECRET", b"{}", derived));
        assert!(!verify_signature(
            b"FAKE_SECRET",
            b"{}",
            "sha1=1c99183cb7c44ea27fb834746086b65b89800db8"
        ));
        assert!(!verify_signature(b"FAKE_SECRET", b"{}", "sha256=zz"));
    }

    #[test]
    fn the_handshake_echoes_the_challenge_only_for_our_token() {
        assert_eq!(
            verify_subscription("subscribe", "tok", "123", "tok").as_deref(),
            Some("123")
        );
        assert_eq!(verify_subscription("subscribe", "bad", "123", "tok"), None);
        assert_eq!(
            verify_subscription("unsubscribe", "tok", "123", "tok"),
            None
        );
    }

    #[test]
    fn a_comment_edit_and_a_messenger_image_map() {
        let body = r#"{"object":"page","entry":[{"id":"1","time":1449135003,"changes":[{"field":"feed","value":{"item":"comment","verb":"edited","comment_id":"9_2","post_id":"1_9","parent_id":"9_1","from":{"id":1,"name":"T"},"message":"hi"}}],
            "messaging":[{"sender":{"id":98},"recipient":{"id":1},"timestamp":1458696618268,"message":{"mid":"m.1","attachments":[{"type":"image","payload":{"url":"u"}}]}}]}]}"#;
        let records = parse_webhook(body.as_bytes()).unwrap();
        let Record::Event {
            position,
            event: IngestEvent::Edit(comment),
        } = &records[0]
        else {
            panic!("{records:?}")
        };
        assert_eq!(position, "entry 1 change 1");
        assert_eq!(comment.author.handle, "1");
        assert_eq!(comment.links.in_reply_to.as_deref(), Some("9_1"));
        assert_eq!(comment.links.thread_id.as_deref(), Some("1_9"));
        assert_eq!(comment.created_at.timestamp(), 1449135003);
        let Record::Event {
            event: IngestEvent::Upsert(message),
            ..
        } = &records[1]
        else {
            panic!("{records:?}")
        };
        assert_eq!(
            (message.source, message.text.as_str()),
            (Source::Messenger, "[image]")
        );
        assert_eq!(message.created_at.timestamp_millis(), 1458696618268);
    }
}
