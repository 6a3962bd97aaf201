//! `twcs-csv`: the Kaggle "Customer Support on Twitter" dataset, one tweet per CSV
//! row (`tweet_id, author_id, inbound, created_at, text, response_tweet_id,
//! in_response_to_tweet_id`). Position: "line N".

use chrono::{DateTime, Utc};
use domain::{Author, IngestEvent, Source};

use crate::common::{checked_text, new_mention};
use crate::csv_rows::{CsvFile, CsvRow};
use crate::{ConnectorError, Record};

const COLUMNS: &[&str] = &[
    "tweet_id",
    "author_id",
    "created_at",
    "text",
    "in_response_to_tweet_id",
];

pub(crate) fn read(bytes: &[u8]) -> Result<Vec<Record>, ConnectorError> {
    Ok(CsvFile::read("twcs-csv", bytes, COLUMNS)?.records(mention_event))
}

fn mention_event(row: &CsvRow<'_>) -> Result<IngestEvent, String> {
    let tweet_id = row.required("tweet_id")?.trim().to_string();
    let handle = row
        .required("author_id")?
        .trim()
        .trim_start_matches('@')
        .to_string();
    let text = checked_text("text", row.required("text")?.to_string())?;
    let created_at = twcs_date(row.required("created_at")?)?;
    let in_reply_to = float_id(row.field("in_response_to_tweet_id")?)?;
    let author = Author {
        handle: handle.clone(),
        ..Author::default()
    };
    let mut mention = new_mention(
        Source::X,
        tweet_id.clone(),
        author,
        text,
        created_at,
        row.raw.clone(),
    );
    mention.url = Some(format!("https://twitter.com/{handle}/status/{tweet_id}"));
    mention.links.in_reply_to = in_reply_to;
    Ok(IngestEvent::Upsert(mention))
}

/// `Tue Oct 31 22:10:47 +0000 2017`.
fn twcs_date(value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_str(value.trim(), "%a %b %d %H:%M:%S %z %Y")
        .map(|date| date.with_timezone(&Utc))
        .map_err(|_| format!("created_at {value:?} is not a date"))
}

/// The dataset writes ids as floats (`119237.0`); an empty field is no id.
fn float_id(value: &str) -> Result<Option<String>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let integer_part = value.strip_suffix(".0").unwrap_or(value);
    if !integer_part.bytes().all(|byte| byte.is_ascii_digit()) || integer_part.is_empty() {
        return Err(format!(
            "in_response_to_tweet_id {value:?} is not a tweet id"
        ));
    }
    Ok(Some(integer_part.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_tweets_with_their_reply_link() {
        let input = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n\
                     119237,AppleSupport,False,Tue Oct 31 22:10:47 +0000 2017,\"@115712 Hi, \"\"there\"\"\",119238,119236.0\n\
                     5,115712,True,Tue Oct 31 22:10:47 +0000 2017,,,\n";
        let records = read(input.as_bytes()).unwrap();
        let Record::Event {
            position,
            event: IngestEvent::Upsert(mention),
        } = &records[0]
        else {
            panic!("expected an upsert, got {:?}", records[0]);
        };
        assert_eq!(position, "line 2");
        assert_eq!(mention.author.handle, "AppleSupport");
        assert_eq!(mention.text, "@115712 Hi, \"there\"");
        assert_eq!(mention.links.in_reply_to.as_deref(), Some("119236"));
        assert_eq!(mention.created_at.to_rfc3339(), "2017-10-31T22:10:47+00:00");
        let Record::Rejected { reason, .. } = &records[1] else {
            panic!("expected a rejection")
        };
        assert_eq!(reason, "missing field `text`");
    }
}
