//! `rss` and `atom`: RSS 2.0, RSS 1.0 and Atom documents, read with feed-rs (either
//! format name accepts any of them). Each entry is an Upsert of source `rss`; an entry
//! with neither a published nor an updated date is Rejected. Position: "entry N".

use chrono::{DateTime, Utc};
use domain::{Author, IngestEvent, Mention, Source};
use feed_rs::model::{Entry, Feed, Text};

use crate::common::{checked_text, event, language_code, new_mention, rejected};
use crate::html::html_to_text;
use crate::{ConnectorError, Record};

pub(crate) fn read(format: &'static str, bytes: &[u8]) -> Result<Vec<Record>, ConnectorError> {
    let parser = feed_rs::parser::Builder::new()
        .id_generator(|links, title, base_uri| match links.first() {
            Some(link) => link.href.clone(),
            None => feed_rs::parser::generate_id(links, title, base_uri),
        })
        .build();
    let feed = parser
        .parse(bytes)
        .map_err(|error| ConnectorError::Unreadable {
            format,
            reason: format!("not an RSS or Atom feed: {error}"),
        })?;
    let document = document_text(bytes);
    let entry_texts = entry_elements(&document);
    Ok(feed
        .entries
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            let position = format!("entry {}", index + 1);
            let raw = entry_texts.get(index).copied().unwrap_or_default();
            match entry_mention(&feed, entry, raw) {
                Ok(mention) => event(&position, IngestEvent::Upsert(mention)),
                Err(reason) => rejected(&position, reason, raw),
            }
        })
        .collect())
}

fn entry_mention(feed: &Feed, entry: &Entry, raw: &str) -> Result<Mention, String> {
    if entry.id.trim().is_empty() {
        return Err("the entry has no id, guid or link".to_string());
    }
    let created_at = entry
        .published
        .or(entry.updated)
        .or_else(|| date_with_zone_name(raw))
        .ok_or("the entry has neither a published nor an updated date")?;
    let title = entry
        .title
        .as_ref()
        .map(text_of)
        .filter(|title| !title.is_empty());
    let body = entry
        .content
        .as_ref()
        .and_then(|content| content.body.as_deref())
        .map(html_to_text)
        .filter(|text| !text.is_empty())
        .or_else(|| {
            entry
                .summary
                .as_ref()
                .map(|summary| html_to_text(&summary.content))
        })
        .filter(|text| !text.is_empty())
        .or_else(|| title.clone())
        .ok_or("the entry has no content, summary or title")?;
    let text = checked_text("content", body)?;
    let url = entry.links.first().map(|link| link.href.clone());
    let author = entry_author(feed, entry, url.as_deref());
    let mut mention = new_mention(
        Source::Rss,
        entry.id.clone(),
        author,
        text,
        created_at,
        raw.to_string(),
    );
    mention.title = title;
    mention.url = url;
    mention.language = entry
        .language
        .as_deref()
        .or(feed.language.as_deref())
        .and_then(language_code);
    Ok(mention)
}

/// A title as text: HTML titles are stripped, plain ones kept.
fn text_of(text: &Text) -> String {
    if text.content_type.subty() == "html" || text.content_type.subty() == "xhtml" {
        html_to_text(&text.content)
    } else {
        text.content.trim().to_string()
    }
}

/// The first author's name (or e-mail), else the feed's (or the entry link's) host.
fn entry_author(feed: &Feed, entry: &Entry, entry_url: Option<&str>) -> Author {
    let person = entry.authors.first().or(feed.authors.first());
    let named = person.and_then(|person| {
        let name = person
            .name
            .as_deref()
            .map(str::trim)
            .filter(|name| !name.is_empty());
        name.or(person.email.as_deref()).map(str::to_string)
    });
    let host = || {
        feed.links
            .iter()
            .map(|link| link.href.as_str())
            .chain(entry_url)
            .find_map(|url| url.split('/').nth(2).filter(|host| !host.is_empty()))
            .map(str::to_string)
    };
    let handle = named
        .clone()
        .or_else(host)
        .unwrap_or_else(|| "unknown feed".to_string());
    Author {
        handle,
        display_name: named,
        ..Author::default()
    }
}

/// Zone abbreviations feed-rs does not read (`Fri, 17 May 2019 06:00:00 BST`).
const ZONE_NAMES: &[(&str, &str)] = &[
    ("BST", "+0100"),
    ("CET", "+0100"),
    ("CEST", "+0200"),
    ("EET", "+0200"),
    ("EEST", "+0300"),
    ("WET", "+0000"),
    ("WEST", "+0100"),
    ("AEST", "+1000"),
    ("AEDT", "+1100"),
    ("JST", "+0900"),
];

/// The date of an entry whose date feed-rs could not read because of a zone name.
fn date_with_zone_name(raw_entry: &str) -> Option<DateTime<Utc>> {
    ["pubDate", "dc:date", "published", "updated"]
        .into_iter()
        .find_map(|tag| {
            let start = raw_entry.find(&format!("<{tag}>"))? + tag.len() + 2;
            let end = start + raw_entry[start..].find(&format!("</{tag}>"))?;
            let value = raw_entry[start..end].trim();
            let (without_zone, zone) = value.rsplit_once(' ')?;
            let offset = ZONE_NAMES.iter().find(|(name, _)| *name == zone)?.1;
            DateTime::parse_from_rfc2822(&format!("{without_zone} {offset}"))
                .ok()
                .map(|date| date.with_timezone(&Utc))
        })
}

/// The document as text: UTF-8 when it is, else ISO-8859-1 (each byte one character).
fn document_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => bytes.iter().map(|byte| char::from(*byte)).collect(),
    }
}

/// The text of each `<item>` / `<entry>` element, in document order.
fn entry_elements(document: &str) -> Vec<&str> {
    let mut elements = Vec::new();
    let mut offset = 0;
    while let Some((start, name)) = next_entry_start(document, offset) {
        let closing = format!("</{name}>");
        let end = document[start..]
            .find(&closing)
            .map_or(document.len(), |end| start + end + closing.len());
        elements.push(&document[start..end]);
        offset = end;
    }
    elements
}

fn next_entry_start(document: &str, from: usize) -> Option<(usize, &'static str)> {
    ["item", "entry"]
        .into_iter()
        .filter_map(|name| {
            let opening = format!("<{name}");
            let mut search = from;
            while let Some(found) = document.get(search..)?.find(&opening) {
                let start = search + found;
                let next = document[start + opening.len()..].chars().next();
                if matches!(next, Some('>' | ' ' | '\n' | '\r' | '\t' | '/')) {
                    return Some((start, name));
                }
                search = start + opening.len();
            }
            None
        })
        .min_by_key(|(start, _)| *start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_items_become_mentions_and_undated_items_are_rejected() {
        let rss = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://blog.example/</link><language>fr-FR</language><items/>
<item><title>Été</title><link>https://blog.example/1</link><description>&lt;p&gt;Bonjour &amp;amp; &lt;b&gt;merci&lt;/b&gt;&lt;/p&gt;</description><pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate></item>
<item><title>Sans date</title><link>https://blog.example/2</link></item></channel></rss>"#;
        let records = read("rss", rss.as_bytes()).unwrap();
        let Record::Event {
            position,
            event: IngestEvent::Upsert(mention),
        } = &records[0]
        else {
            panic!("{records:?}")
        };
        assert_eq!(position, "entry 1");
        assert_eq!(mention.external_id, "https://blog.example/1");
        assert_eq!(mention.title.as_deref(), Some("Été"));
        assert_eq!(mention.text, "Bonjour & merci");
        assert_eq!(mention.language.as_deref(), Some("fr"));
        assert_eq!(mention.author.handle, "blog.example");
        assert!(mention.raw.starts_with("<item><title>Été") && mention.raw.ends_with("</item>"));
        let Record::Rejected {
            position, reason, ..
        } = &records[1]
        else {
            panic!("{records:?}")
        };
        assert_eq!(
            (position.as_str(), reason.as_str()),
            (
                "entry 2",
                "the entry has neither a published nor an updated date"
            )
        );
    }

    #[test]
    fn a_document_that_is_not_a_feed_is_unreadable() {
        assert!(matches!(
            read("atom", b"hello"),
            Err(ConnectorError::Unreadable { .. })
        ));
    }
}
