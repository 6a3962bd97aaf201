//! Field filters: `lang:`, `source:`, `author:`, `has:`, `is:`.

use super::{FieldFilter, QueryError};
use crate::analysis::fold;

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
        _ => Err(QueryError::UnknownField { name: name.to_string(), at }),
    }
}
