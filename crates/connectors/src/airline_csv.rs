//! `airline-csv`: the Twitter US Airline Sentiment dataset (Crowdflower/Kaggle), one
//! tweet per CSV row. Position: "line N", the line where the row starts.

use chrono::{DateTime, Utc};
use domain::{Author, IngestEvent, Source};

use crate::common::{checked_text, new_mention};
use crate::csv_rows::{CsvFile, CsvRow};
use crate::{ConnectorError, Record};

const COLUMNS: &[&str] = &["tweet_id", "name", "text", "tweet_created", "retweet_count"];

pub(crate) fn read(bytes: &[u8]) -> Result<Vec<Record>, ConnectorError> {
    Ok(CsvFile::read("airline-csv", bytes, COLUMNS)?.records(mention_event))
}

fn mention_event(row: &CsvRow<'_>) -> Result<IngestEvent, String> {
    let tweet_id = row.required("tweet_id")?.trim().to_string();
    let handle = row
        .required("name")?
        .trim()
        .trim_start_matches('@')
        .to_string();
    let text = checked_text("text", row.required("text")?.to_string())?;
    let created_at = airline_date(row.required("tweet_created")?)?;
    let reposts = match row.field("retweet_count")?.trim() {
        "" => 0,
        count => count
            .parse()
            .map_err(|_| format!("retweet_count {count:?} is not a number"))?,
    };
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
    mention.metrics.reposts = reposts;
    Ok(IngestEvent::Upsert(mention))
}

/// `2015-02-24 11:35:52 -0800`.
fn airline_date(value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_str(value.trim(), "%Y-%m-%d %H:%M:%S %z")
        .map(|date| date.with_timezone(&Utc))
        .map_err(|_| format!("tweet_created {value:?} is not a date"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "tweet_id,airline_sentiment,airline_sentiment_confidence,negativereason,negativereason_confidence,airline,airline_sentiment_gold,name,negativereason_gold,retweet_count,text,tweet_coord,tweet_created,tweet_location,user_timezone\n";

    #[test]
    fn rows_become_tweets_and_quoted_newlines_keep_the_row_whole() {
        let input = format!(
            "{HEADER}570306133677760513,neutral,1.0,,,Virgin America,,cairdin,,2,\"@VirginAmerica What\n@dhepburn said.\",,2015-02-24 11:35:52 -0800,,Eastern Time (US & Canada)\n\
             570301130888122368,positive,0.3486,,0.0,Virgin America,,jnardino,,0,ok,,not a date,,\n"
        );
        let records = read(input.as_bytes()).unwrap();
        assert_eq!(records.len(), 2);
        let Record::Event {
            position,
            event: IngestEvent::Upsert(mention),
        } = &records[0]
        else {
            panic!("expected an upsert, got {:?}", records[0]);
        };
        assert_eq!(position, "line 2");
        assert_eq!(mention.external_id, "570306133677760513");
        assert_eq!(mention.author.handle, "cairdin");
        assert_eq!(mention.text, "@VirginAmerica What\n@dhepburn said.");
        assert_eq!(mention.created_at.to_rfc3339(), "2015-02-24T19:35:52+00:00");
        assert_eq!(mention.metrics.reposts, 2);
        assert_eq!(
            mention.url.as_deref(),
            Some("https://twitter.com/cairdin/status/570306133677760513")
        );
        assert!(
            mention.raw.starts_with("570306133677760513,neutral")
                && mention.raw.ends_with("(US & Canada)")
        );
        let Record::Rejected {
            position, reason, ..
        } = &records[1]
        else {
            panic!("expected a rejection")
        };
        assert_eq!(position, "line 4");
        assert_eq!(reason, "tweet_created \"not a date\" is not a date");
    }
}
