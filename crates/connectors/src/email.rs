//! `eml` (one RFC 5322 message) and `mbox` (many, split on `From ` lines), read with
//! mail-parser: MIME, charsets, quoted-printable/base64 and RFC 2047 headers are
//! decoded. Each message is an Upsert of source `email`; a message without `From` or
//! `Date` is Rejected. Position: "message N".

use std::io::Cursor;

use chrono::DateTime;
use domain::{Author, IngestEvent, Mention, Source};
use mail_parser::mailbox::mbox::MessageIterator;
use mail_parser::{HeaderValue, MessageParser, PartType};
use sha2::{Digest, Sha256};

use crate::common::{checked_text, event, new_mention, rejected};
use crate::html::html_to_text;
use crate::{ConnectorError, Record};

pub(crate) fn read_eml(bytes: &[u8]) -> Result<Vec<Record>, ConnectorError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ConnectorError::Unreadable {
            format: "eml",
            reason: "the input is empty".to_string(),
        });
    }
    Ok(vec![message_record("message 1", bytes)])
}

pub(crate) fn read_mbox(bytes: &[u8]) -> Result<Vec<Record>, ConnectorError> {
    if !bytes.starts_with(b"From ") {
        return Err(ConnectorError::Unreadable {
            format: "mbox",
            reason: "an mbox starts with a `From ` line".to_string(),
        });
    }
    let mut records = Vec::new();
    for (index, message) in MessageIterator::new(Cursor::new(bytes)).enumerate() {
        let position = format!("message {}", index + 1);
        match message {
            Ok(message) => records.push(message_record(&position, message.contents())),
            Err(error) => records.push(rejected(
                &position,
                format!("unreadable mbox message: {error}"),
                "",
            )),
        }
    }
    Ok(records)
}

fn message_record(position: &str, bytes: &[u8]) -> Record {
    let raw = String::from_utf8_lossy(bytes);
    match message_mention(bytes, &raw) {
        Ok(mention) => event(position, IngestEvent::Upsert(mention)),
        Err(reason) => rejected(position, reason, &raw),
    }
}

fn message_mention(bytes: &[u8], raw: &str) -> Result<Mention, String> {
    let message = MessageParser::default()
        .parse(bytes)
        .ok_or("not an e-mail message")?;
    let sender = message
        .from()
        .and_then(|from| from.first())
        .ok_or("missing header `From`")?;
    let address = sender
        .address()
        .filter(|address| !address.is_empty())
        .ok_or("`From` has no address")?;
    let date = message
        .date()
        .ok_or("missing or unreadable header `Date`")?;
    let created_at =
        DateTime::from_timestamp(date.to_timestamp(), 0).ok_or("header `Date` is out of range")?;
    let external_id = match message.message_id() {
        Some(id) if !id.trim().is_empty() => id
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_string(),
        _ => format!("sha256:{}", hex::encode(Sha256::digest(bytes))),
    };
    let text = checked_text("body", body_text(&message))?;
    let author = Author {
        handle: address.trim().to_lowercase(),
        display_name: sender
            .name()
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_string),
        ..Author::default()
    };
    let in_reply_to = first_id(message.in_reply_to());
    let thread_id = first_id(message.references())
        .or_else(|| in_reply_to.clone())
        .unwrap_or_else(|| external_id.clone());
    let mut mention = new_mention(
        Source::Email,
        external_id,
        author,
        text,
        created_at,
        raw.to_string(),
    );
    mention.title = message.subject().map(str::to_string);
    mention.links.in_reply_to = in_reply_to;
    mention.links.thread_id = Some(thread_id);
    Ok(mention)
}

/// The text/plain body, else the HTML body as text; empty when there is none.
fn body_text(message: &mail_parser::Message<'_>) -> String {
    let plain = message.text_bodies().find_map(|part| match &part.body {
        PartType::Text(text) => Some(text.to_string()),
        _ => None,
    });
    if let Some(plain) = plain {
        return plain;
    }
    message
        .body_html(0)
        .map(|html| html_to_text(&html))
        .unwrap_or_default()
}

/// The first message id of `In-Reply-To` or `References`, without `<>`.
fn first_id(header: &HeaderValue<'_>) -> Option<String> {
    let id = match header {
        HeaderValue::Text(id) => Some(id.as_ref()),
        HeaderValue::TextList(ids) => ids.first().map(|id| id.as_ref()),
        _ => None,
    }?;
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    (!id.is_empty()).then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPLY: &str = "From: \"Ann Example\" <Ann@Example.org>\r\nTo: support@comptoir.test\r\nSubject: =?ISO-8859-1?Q?R=E9ponse?=\r\nDate: Tue, 1 Jul 2003 10:52:37 +0200\r\nMessage-ID: <2@example.org>\r\nIn-Reply-To: <1@example.org>\r\nReferences: <0@example.org> <1@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nMerci beaucoup.\r\n";

    #[test]
    fn a_reply_maps_sender_subject_and_thread() {
        let records = read_eml(REPLY.as_bytes()).unwrap();
        let Record::Event {
            position,
            event: IngestEvent::Upsert(mention),
        } = &records[0]
        else {
            panic!("{records:?}")
        };
        assert_eq!(position, "message 1");
        assert_eq!(mention.external_id, "2@example.org");
        assert_eq!(mention.author.handle, "ann@example.org");
        assert_eq!(mention.author.display_name.as_deref(), Some("Ann Example"));
        assert_eq!(mention.title.as_deref(), Some("Réponse"));
        assert_eq!(mention.text.trim(), "Merci beaucoup.");
        assert_eq!(mention.created_at.to_rfc3339(), "2003-07-01T08:52:37+00:00");
        assert_eq!(mention.links.in_reply_to.as_deref(), Some("1@example.org"));
        assert_eq!(mention.links.thread_id.as_deref(), Some("0@example.org"));
    }

    #[test]
    fn an_mbox_splits_messages_and_rejects_an_undated_one() {
        let undated = "From: b@example.org\r\nSubject: x\r\n\r\nno date\r\n";
        let mbox = format!(
            "From ann@example.org Tue Jul  1 10:52:37 2003\n{REPLY}\nFrom b@example.org Tue Jul  1 10:52:37 2003\n{undated}"
        );
        let records = read_mbox(mbox.as_bytes()).unwrap();
        assert_eq!(records.len(), 2);
        let Record::Rejected {
            position, reason, ..
        } = &records[1]
        else {
            panic!("{records:?}")
        };
        assert_eq!(
            (position.as_str(), reason.as_str()),
            ("message 2", "missing or unreadable header `Date`")
        );
    }

    #[test]
    fn a_message_without_id_gets_a_digest_id() {
        let without_id = REPLY.replace("Message-ID: <2@example.org>\r\n", "");
        let records = read_eml(without_id.as_bytes()).unwrap();
        let Record::Event {
            event: IngestEvent::Upsert(mention),
            ..
        } = &records[0]
        else {
            panic!("{records:?}")
        };
        assert!(mention.external_id.starts_with("sha256:") && mention.external_id.len() == 7 + 64);
    }
}
