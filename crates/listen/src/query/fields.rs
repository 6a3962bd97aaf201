//! Field filters: `lang:`, `source:`, `author:`, `has:`, `is:`, and the enrichment's
//! `sentiment:`, `intent:`, `reason:`.

use domain::{Intent, SentimentLabel};

use super::{FieldFilter, QueryError};
use crate::analysis::fold;
use crate::matcher::reason_key;

pub(super) fn field_filter(name: &str, value: &str, at: usize) -> Result<FieldFilter, QueryError> {
    let invalid = |field: &'static str, known: &'static str| QueryError::InvalidValue {
        field,
        value: value.to_string(),
        known,
        at,
    };
    let lower = value.to_ascii_lowercase();
    match name.to_ascii_lowercase().as_str() {
        "lang" => {
            let is_code = !lower.is_empty() && lower.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
            if !is_code {
                return Err(invalid("lang", "a language code such as fr or en"));
            }
            Ok(FieldFilter::Language(lower))
        }
        "source" => lower.parse().map(FieldFilter::Source).map_err(|_| {
            invalid("source", "x, bluesky, mastodon, rss, email, facebook, instagram, messenger, web")
        }),
        "author" => {
            let handle = fold(value.trim_start_matches('@'));
            if handle.is_empty() {
                return Err(invalid("author", "a handle such as @united"));
            }
            Ok(FieldFilter::Author(handle))
        }
        "has" => match lower.as_str() {
            "link" => Ok(FieldFilter::HasLink),
            _ => Err(invalid("has", "link")),
        },
        "is" => match lower.as_str() {
            "reply" => Ok(FieldFilter::IsReply),
            "repost" => Ok(FieldFilter::IsRepost),
            _ => Err(invalid("is", "reply, repost")),
        },
        "sentiment" => SentimentLabel::parse(&lower)
            .map(FieldFilter::Sentiment)
            .ok_or_else(|| invalid("sentiment", "negative, neutral, positive")),
        "intent" => Intent::parse(&lower).map(FieldFilter::Intent).ok_or_else(|| {
            invalid(
                "intent",
                "complaint, question, praise, suggestion, outage_report, purchase_intent, spam_or_noise, other",
            )
        }),
        "reason" => {
            let reason = reason_key(value);
            if reason.is_empty() {
                return Err(invalid("reason", "a complaint reason such as delay_or_cancellation"));
            }
            Ok(FieldFilter::Reason(reason))
        }
        _ => Err(QueryError::UnknownField { name: name.to_string(), at }),
    }
}
