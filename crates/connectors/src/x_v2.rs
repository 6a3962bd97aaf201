//! `x-v2`: X (Twitter) API v2 responses, one JSON object per line: search/lookup pages
//! (`data` object or array + `includes.users`), filtered-stream lines (with
//! `matching_rules`) and batch-compliance lines (`"action":"delete"`). Unknown keys
//! (twarc's `__twarc`) are ignored. Position: "line N".

use chrono::{DateTime, Utc};
use domain::{Author, IngestEvent, Mention, Source};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::Record;
use crate::common::{
    JsonItem, checked_text, event, id_string, ignored, json_values, language_code, new_mention,
    rejected, rfc3339_date, str_field, u64_field,
};

/// Milliseconds since the Unix epoch at X's snowflake epoch (2010-11-04).
const SNOWFLAKE_EPOCH_MS: i64 = 1_288_834_974_657;

#[derive(Deserialize)]
struct ResponseLine<'a> {
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
    #[serde(default)]
    includes: Includes,
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    errors: Option<Value>,
}

#[derive(Deserialize, Default)]
struct Includes {
    #[serde(default)]
    users: Vec<Value>,
}

pub(crate) fn read(bytes: &[u8]) -> Vec<Record> {
    let text = String::from_utf8_lossy(bytes);
    let mut records = Vec::new();
    for item in json_values(&text) {
        match item {
            JsonItem::Invalid { line, reason, raw } => {
                records.push(rejected(&format!("line {line}"), reason, raw))
            }
            JsonItem::Value { line, value } => {
                read_line(&format!("line {line}"), value.get(), &mut records)
            }
        }
    }
    records
}

/// Reads one line of a response or of the filtered stream into `records`.
pub(crate) fn read_line(position: &str, line: &str, records: &mut Vec<Record>) {
    let response: ResponseLine<'_> = match serde_json::from_str(line) {
        Ok(response) => response,
        Err(error) => {
            return records.push(rejected(
                position,
                format!("not an X API v2 object: {error}"),
                line,
            ));
        }
    };
    if let Some(action) = &response.action {
        let Some(external_id) = id_string(response.id.as_ref()) else {
            return records.push(rejected(position, "compliance line without `id`", line));
        };
        if action == "delete" {
            return records.push(event(
                position,
                IngestEvent::Delete {
                    source: Source::X,
                    external_id,
                },
            ));
        }
        return records.push(ignored(
            position,
            format!("compliance action {action:?} for {external_id}"),
        ));
    }
    let Some(data) = response.data else {
        let what = match response.errors {
            Some(errors) => format!("an API error response: {errors}"),
            None => "an object without `data`".to_string(),
        };
        return records.push(ignored(position, what));
    };
    let tweets: Vec<&RawValue> = if data.get().trim_start().starts_with('[') {
        match serde_json::from_str(data.get()) {
            Ok(tweets) => tweets,
            Err(error) => {
                return records.push(rejected(
                    position,
                    format!("`data` is not an array: {error}"),
                    line,
                ));
            }
        }
    } else {
        vec![data]
    };
    for tweet in tweets {
        records.push(tweet_record(position, tweet.get(), &response.includes));
    }
}

fn tweet_record(position: &str, raw_tweet: &str, includes: &Includes) -> Record {
    let tweet: Value = match serde_json::from_str(raw_tweet) {
        Ok(tweet) => tweet,
        Err(error) => return rejected(position, format!("invalid tweet: {error}"), raw_tweet),
    };
    if tweet.get("upload_url").is_some() || tweet.get("download_url").is_some() {
        return ignored(position, "a compliance job description");
    }
    match tweet_mention(&tweet, raw_tweet, includes) {
        Ok(mention) => event(position, IngestEvent::Upsert(mention)),
        Err(reason) => rejected(position, reason, raw_tweet),
    }
}

fn tweet_mention(tweet: &Value, raw_tweet: &str, includes: &Includes) -> Result<Mention, String> {
    let id = id_string(tweet.get("id")).ok_or("missing field `id`")?;
    let text = str_field(tweet, "text").ok_or("missing field `text`")?;
    let text = checked_text("text", text.to_string())?;
    let created_at = match str_field(tweet, "created_at") {
        Some(date) => rfc3339_date("created_at", date)?,
        None => snowflake_date(&id).ok_or("missing field `created_at`")?,
    };
    let author_id = id_string(tweet.get("author_id"))
        .ok_or("missing field `author_id` (request expansions=author_id)")?;
    let user = includes
        .users
        .iter()
        .find(|user| id_string(user.get("id")).as_deref() == Some(author_id.as_str()));
    let author = match user {
        Some(user) => user_author(user, &author_id),
        None => Author {
            handle: author_id.clone(),
            external_id: Some(author_id.clone()),
            ..Author::default()
        },
    };
    let url = match user.and_then(|user| str_field(user, "username")) {
        Some(username) => format!("https://x.com/{username}/status/{id}"),
        None => format!("https://x.com/i/web/status/{id}"),
    };
    let mut mention = new_mention(
        Source::X,
        id,
        author,
        text,
        created_at,
        raw_tweet.to_string(),
    );
    mention.url = Some(url);
    mention.language = str_field(tweet, "lang").and_then(language_code);
    mention.links.thread_id = id_string(tweet.get("conversation_id"));
    for reference in tweet
        .get("referenced_tweets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let referenced_id = id_string(reference.get("id"));
        match str_field(reference, "type") {
            Some("replied_to") => mention.links.in_reply_to = referenced_id,
            Some("quoted") => mention.links.quoted = referenced_id,
            Some("retweeted") => mention.links.reposted = referenced_id,
            _ => {}
        }
    }
    if let Some(metrics) = tweet.get("public_metrics") {
        mention.metrics.likes = u64_field(metrics, "like_count");
        mention.metrics.reposts = u64_field(metrics, "retweet_count");
        mention.metrics.replies = u64_field(metrics, "reply_count");
        mention.metrics.quotes = u64_field(metrics, "quote_count");
    }
    Ok(mention)
}

fn user_author(user: &Value, author_id: &str) -> Author {
    let metrics = user.get("public_metrics");
    Author {
        handle: str_field(user, "username")
            .unwrap_or(author_id)
            .trim_start_matches('@')
            .to_string(),
        external_id: Some(author_id.to_string()),
        display_name: str_field(user, "name").map(str::to_string),
        bio: str_field(user, "description")
            .filter(|bio| !bio.is_empty())
            .map(str::to_string),
        followers: metrics
            .and_then(|metrics| metrics.get("followers_count"))
            .and_then(Value::as_u64),
        following: metrics
            .and_then(|metrics| metrics.get("following_count"))
            .and_then(Value::as_u64),
        verified: user
            .get("verified")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        created_at: str_field(user, "created_at")
            .and_then(|date| rfc3339_date("created_at", date).ok()),
    }
}

/// The creation time X encodes in every snowflake id (ids after November 2010).
fn snowflake_date(id: &str) -> Option<DateTime<Utc>> {
    let id: u64 = id.parse().ok()?;
    let milliseconds = i64::try_from(id >> 22)
        .ok()?
        .checked_add(SNOWFLAKE_EPOCH_MS)?;
    // Sequential pre-snowflake ids decode to dates before the snowflake epoch.
    if id >> 22 == 0 {
        return None;
    }
    DateTime::from_timestamp_millis(milliseconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snowflake_ids_carry_their_date() {
        let date = snowflake_date("1377650090978992134").unwrap();
        assert_eq!(date.to_rfc3339(), "2021-04-01T15:52:31.847+00:00");
        assert_eq!(snowflake_date("12"), None);
    }

    #[test]
    fn a_tweet_maps_author_links_and_metrics() {
        let line = r#"{"data":[{"id":"2","text":"hi \uD83E\uDD41","created_at":"2021-05-18T19:24:56.000Z","author_id":"9","lang":"und","conversation_id":"1","referenced_tweets":[{"type":"replied_to","id":"1"},{"type":"quoted","id":"0"}],"public_metrics":{"retweet_count":1,"reply_count":2,"like_count":3,"quote_count":4}}],"includes":{"users":[{"id":"9","username":"ann","name":"Ann","description":"","verified":true,"public_metrics":{"followers_count":5,"following_count":6}}]},"__twarc":{}}"#;
        let records = read(line.as_bytes());
        let Record::Event {
            event: IngestEvent::Upsert(mention),
            ..
        } = &records[0]
        else {
            panic!("expected an upsert, got {records:?}");
        };
        assert_eq!(mention.text, "hi 🥁");
        assert_eq!(mention.author.handle, "ann");
        assert_eq!(mention.author.followers, Some(5));
        assert!(mention.author.verified);
        assert_eq!(mention.language, None);
        assert_eq!(mention.links.in_reply_to.as_deref(), Some("1"));
        assert_eq!(mention.links.quoted.as_deref(), Some("0"));
        assert_eq!(mention.links.thread_id.as_deref(), Some("1"));
        assert_eq!(
            (
                mention.metrics.likes,
                mention.metrics.reposts,
                mention.metrics.replies,
                mention.metrics.quotes
            ),
            (3, 1, 2, 4)
        );
        assert_eq!(mention.url.as_deref(), Some("https://x.com/ann/status/2"));
        assert!(
            mention
                .raw
                .starts_with(r#"{"id":"2","text":"hi \uD83E\uDD41""#)
                && mention.raw.ends_with("}}")
        );
    }

    #[test]
    fn compliance_deletes_and_missing_fields_are_reported() {
        let input = "\n{\"id\":\"11\",\"action\":\"delete\",\"created_at\":\"2019-09-06T17:25:54.667Z\",\"reason\":\"protected\"}\n{\"data\":{\"id\":\"3\",\"author_id\":\"9\"}}\n";
        let records = read(input.as_bytes());
        assert_eq!(
            records[0],
            Record::Event {
                position: "line 2".into(),
                event: IngestEvent::Delete {
                    source: Source::X,
                    external_id: "11".into()
                }
            }
        );
        let Record::Rejected {
            position, reason, ..
        } = &records[1]
        else {
            panic!("expected a rejection")
        };
        assert_eq!(
            (position.as_str(), reason.as_str()),
            ("line 3", "missing field `text`")
        );
    }
}
