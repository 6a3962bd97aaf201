//! `jetstream`: Bluesky Jetstream v1 events (`/subscribe` JSON), one per line.
//! A post created is an Upsert, a post updated an Edit, a post deleted a Delete; likes,
//! reposts, follows, profiles, identity and account events are Ignored.
//! Position: "line N".

use domain::{Author, IngestEvent, Mention, Source};
use serde_json::Value;

use crate::Record;
use crate::common::{
    JsonItem, checked_text, event, ignored, json_values, language_code, new_mention, rejected,
    rfc3339_date, str_field,
};

const POST_COLLECTION: &str = "app.bsky.feed.post";

pub(crate) fn read(bytes: &[u8]) -> Vec<Record> {
    let text = String::from_utf8_lossy(bytes);
    json_values(&text)
        .into_iter()
        .map(|item| match item {
            JsonItem::Invalid { line, reason, raw } => {
                rejected(&format!("line {line}"), reason, raw)
            }
            JsonItem::Value { line, value } => read_event(&format!("line {line}"), value.get()),
        })
        .collect()
}

/// Reads one Jetstream event (the text of one WebSocket message).
pub fn read_event(position: &str, raw: &str) -> Record {
    let jetstream_event: Value = match serde_json::from_str(raw) {
        Ok(value) => value,
        Err(error) => return rejected(position, crate::common::json_error_reason(&error), raw),
    };
    let Some(did) = str_field(&jetstream_event, "did") else {
        return rejected(position, "missing field `did`", raw);
    };
    let kind = str_field(&jetstream_event, "kind").unwrap_or("");
    if kind != "commit" {
        return ignored(position, format!("a Jetstream `{kind}` event for {did}"));
    }
    let Some(commit) = jetstream_event.get("commit") else {
        return rejected(position, "missing field `commit`", raw);
    };
    let collection = str_field(commit, "collection").unwrap_or("");
    let operation = str_field(commit, "operation").unwrap_or("");
    if collection != POST_COLLECTION {
        return ignored(position, format!("a {operation} of {collection} by {did}"));
    }
    let Some(rkey) = str_field(commit, "rkey") else {
        return rejected(position, "missing field `commit.rkey`", raw);
    };
    let external_id = format!("at://{did}/{POST_COLLECTION}/{rkey}");
    match operation {
        "delete" => event(
            position,
            IngestEvent::Delete {
                source: Source::Bluesky,
                external_id,
            },
        ),
        "create" | "update" => match post_mention(did, rkey, external_id, commit, raw) {
            Ok(mention) if operation == "create" => event(position, IngestEvent::Upsert(mention)),
            Ok(mention) => event(position, IngestEvent::Edit(mention)),
            Err(reason) => rejected(position, reason, raw),
        },
        other => ignored(
            position,
            format!("an unknown operation {other:?} on a post"),
        ),
    }
}

fn post_mention(
    did: &str,
    rkey: &str,
    external_id: String,
    commit: &Value,
    raw: &str,
) -> Result<Mention, String> {
    let record = commit
        .get("record")
        .ok_or("missing field `commit.record`")?;
    let text = str_field(record, "text").ok_or("missing field `text`")?;
    let text = checked_text("text", text.to_string())?;
    let created_at = rfc3339_date(
        "createdAt",
        str_field(record, "createdAt").ok_or("missing field `createdAt`")?,
    )?;
    let author = Author {
        handle: did.to_string(),
        external_id: Some(did.to_string()),
        ..Author::default()
    };
    let mut mention = new_mention(
        Source::Bluesky,
        external_id,
        author,
        text,
        created_at,
        raw.to_string(),
    );
    mention.url = Some(format!("https://bsky.app/profile/{did}/post/{rkey}"));
    mention.language = record
        .get("langs")
        .and_then(Value::as_array)
        .and_then(|langs| langs.first())
        .and_then(Value::as_str)
        .and_then(language_code);
    if let Some(reply) = record.get("reply") {
        mention.links.in_reply_to = reply
            .pointer("/parent/uri")
            .and_then(Value::as_str)
            .map(str::to_string);
        mention.links.thread_id = reply
            .pointer("/root/uri")
            .and_then(Value::as_str)
            .map(str::to_string);
    }
    mention.links.quoted = record.get("embed").and_then(quoted_uri);
    Ok(mention)
}

/// The post an embed quotes: `app.bsky.embed.record` or `recordWithMedia`.
fn quoted_uri(embed: &Value) -> Option<String> {
    let uri = match str_field(embed, "$type")? {
        "app.bsky.embed.record" => embed.pointer("/record/uri"),
        "app.bsky.embed.recordWithMedia" => embed.pointer("/record/record/uri"),
        _ => None,
    };
    uri.and_then(Value::as_str).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUOTE: &str = r#"{"did":"did:plc:abc","time_us":1,"kind":"commit","commit":{"rev":"r","operation":"create","collection":"app.bsky.feed.post","rkey":"3k","record":{"$type":"app.bsky.feed.post","createdAt":"2026-05-25T14:23:28.757Z","langs":["fr"],"text":"Bonjour","reply":{"parent":{"uri":"at://p"},"root":{"uri":"at://r"}},"embed":{"$type":"app.bsky.embed.recordWithMedia","record":{"record":{"uri":"at://q"}}}},"cid":"c"}}"#;

    #[test]
    fn a_created_post_maps_its_links() {
        let Record::Event {
            event: IngestEvent::Upsert(mention),
            ..
        } = read_event("line 1", QUOTE)
        else {
            panic!("expected an upsert");
        };
        assert_eq!(
            mention.external_id,
            "at://did:plc:abc/app.bsky.feed.post/3k"
        );
        assert_eq!(
            mention.url.as_deref(),
            Some("https://bsky.app/profile/did:plc:abc/post/3k")
        );
        assert_eq!(mention.language.as_deref(), Some("fr"));
        assert_eq!(mention.links.in_reply_to.as_deref(), Some("at://p"));
        assert_eq!(mention.links.thread_id.as_deref(), Some("at://r"));
        assert_eq!(mention.links.quoted.as_deref(), Some("at://q"));
        assert_eq!(mention.raw, QUOTE);
    }

    #[test]
    fn updates_edit_deletes_delete_and_likes_are_ignored() {
        let update = QUOTE.replace("\"create\"", "\"update\"");
        assert!(matches!(
            read_event("l", &update),
            Record::Event {
                event: IngestEvent::Edit(_),
                ..
            }
        ));
        let delete = r#"{"did":"did:plc:x","time_us":2,"kind":"commit","commit":{"operation":"delete","collection":"app.bsky.feed.post","rkey":"9"}}"#;
        assert_eq!(
            read_event("l", delete),
            Record::Event {
                position: "l".into(),
                event: IngestEvent::Delete {
                    source: Source::Bluesky,
                    external_id: "at://did:plc:x/app.bsky.feed.post/9".into()
                }
            }
        );
        let like = QUOTE.replace(
            "\"collection\":\"app.bsky.feed.post\"",
            "\"collection\":\"app.bsky.feed.like\"",
        );
        assert_eq!(
            read_event("l", &like),
            Record::Ignored {
                position: "l".into(),
                what: "a create of app.bsky.feed.like by did:plc:abc".into()
            }
        );
    }
}
