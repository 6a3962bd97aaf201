//! Listening topics beyond create/delete: editing one, previewing a query as it is
//! typed (its count and first matches, or why it does not parse), and the query a
//! topic stands for when a search or a chart is narrowed to it.

use domain::{ListeningTopic, NewListeningTopic, StoredMention, TopicId};
use listen::QueryError;
use serde::Serialize;

use crate::{App, ServiceError};

/// Mentions a preview shows under the query editor.
pub const PREVIEW_MENTIONS: usize = 10;
/// Longest query accepted by the preview and the search (bytes).
pub const MAX_QUERY_BYTES: usize = 4096;

/// Why a query does not parse, in a form a page can explain in any language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueryProblem {
    /// `unclosed_quote`, `near_needs_number`… (one per [`QueryError`] variant).
    pub code: &'static str,
    /// 1-based character position of the problem in the query.
    pub position: usize,
    /// Up to 24 characters of the query from the problem on (what "after …" quotes).
    pub near: String,
    /// The operator, field, value or text concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The accepted values of a field, when a value was refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known: Option<&'static str>,
    /// The parser's own sentence (English).
    pub message: String,
}

impl QueryProblem {
    pub fn from_error(query: &str, error: &QueryError) -> QueryProblem {
        let offset = error.offset().min(query.len());
        let offset = (0..=offset).rev().find(|at| query.is_char_boundary(*at)).unwrap_or(0);
        let position = query[..offset].chars().count() + 1;
        let near: String = query[offset..].chars().take(24).collect();
        let (code, subject, known): (&'static str, Option<String>, Option<&'static str>) = match error {
            QueryError::Empty => ("empty", None, None),
            QueryError::UnclosedParenthesis { .. } => ("unclosed_parenthesis", None, None),
            QueryError::UnopenedParenthesis { .. } => ("unopened_parenthesis", None, None),
            QueryError::EmptyParentheses { .. } => ("empty_parentheses", None, None),
            QueryError::UnclosedQuote { .. } => ("unclosed_quote", None, None),
            QueryError::NearNeedsNumber { .. } => ("near_needs_number", None, None),
            QueryError::NearOperand { .. } => ("near_operand", None, None),
            QueryError::MissingOperand { operator, .. } => ("missing_operand", Some(operator.to_string()), None),
            QueryError::NothingToExclude { operator, .. } => ("nothing_to_exclude", Some(operator.to_string()), None),
            QueryError::NoWords { text, .. } => ("no_words", Some(text.clone()), None),
            QueryError::UnknownField { name, .. } => ("unknown_field", Some(name.clone()), None),
            QueryError::InvalidValue { field, value, known, .. } => ("invalid_value", Some(format!("{field}:{value}")), Some(*known)),
            QueryError::ShortPrefix { .. } => ("short_prefix", None, None),
            QueryError::MisplacedWildcard { .. } => ("misplaced_wildcard", None, None),
            QueryError::BadFuzzy { .. } => ("bad_fuzzy", None, None),
        };
        QueryProblem { code, position, near, subject, known, message: error.to_string() }
    }
}

/// Why `query` does not parse, or `None` when it does.
pub fn query_problem(query: &str) -> Option<QueryProblem> {
    listen::parse(query).err().map(|error| QueryProblem::from_error(query, &error))
}

/// What the query editor shows as the user types.
#[derive(Debug, Clone, Serialize)]
pub struct TopicPreview {
    pub valid: bool,
    /// Mentions matching the query (and the languages), over everything stored.
    pub total: usize,
    /// The newest matches.
    pub mentions: Vec<StoredMention>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<QueryProblem>,
}

/// `lang:` filters for a topic's languages, or `None` for every language. Codes that
/// are not plain language codes are ignored (they could not match anything).
fn languages_query(languages: &[String]) -> Option<listen::Query> {
    let codes: Vec<String> = languages
        .iter()
        .map(|code| code.trim().to_ascii_lowercase())
        .filter(|code| !code.is_empty() && code.len() <= 16 && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
        .map(|code| format!("lang:{code}"))
        .collect();
    if codes.is_empty() {
        return None;
    }
    listen::parse(&codes.join(" OR ")).ok()
}

/// The query a topic stands for: its query, narrowed to its languages.
pub fn topic_query(topic: &NewListeningTopic) -> Result<listen::Query, ServiceError> {
    let query = listen::parse(&topic.query)?;
    Ok(match languages_query(&topic.languages) {
        Some(languages) => query.and(&languages),
        None => query,
    })
}

fn check_topic(topic: &NewListeningTopic) -> Result<(), ServiceError> {
    if topic.name.trim().is_empty() {
        return Err(ServiceError::Invalid("a topic needs a name".into()));
    }
    if topic.name.len() > 200 || topic.query.len() > MAX_QUERY_BYTES || topic.owner.len() > 200 || topic.languages.len() > 20 {
        return Err(ServiceError::Invalid("a topic's name and owner are at most 200 bytes, its query 4096, its languages 20".into()));
    }
    listen::parse(&topic.query)?;
    Ok(())
}

impl App {
    /// Changes a topic (name, query, languages, owner); the live matcher follows at once.
    pub fn update_topic(&self, id: TopicId, topic: &NewListeningTopic) -> Result<ListeningTopic, ServiceError> {
        check_topic(topic)?;
        let updated = self.store().update_topic(id, topic)?.ok_or_else(|| ServiceError::NotFound(format!("no topic {}", id.0)))?;
        self.reload_topic_matcher()?;
        Ok(updated)
    }

    pub fn get_topic(&self, id: TopicId) -> Result<ListeningTopic, ServiceError> {
        self.list_topics()?
            .into_iter()
            .find(|topic| topic.id == id)
            .ok_or_else(|| ServiceError::NotFound(format!("no topic {}", id.0)))
    }

    /// How many stored mentions a query (with languages) matches, and the newest ones;
    /// a query that does not parse is not an error here but the preview's answer.
    pub fn preview_topic(&self, query: &str, languages: &[String]) -> Result<TopicPreview, ServiceError> {
        if query.len() > MAX_QUERY_BYTES {
            return Err(ServiceError::Invalid(format!("the query is longer than {MAX_QUERY_BYTES} bytes")));
        }
        let topic = NewListeningTopic { name: String::new(), query: query.to_string(), languages: languages.to_vec(), owner: String::new() };
        let parsed = match topic_query(&topic) {
            Ok(parsed) => parsed,
            Err(ServiceError::Query(error)) => {
                let problem = QueryProblem::from_error(query, &error);
                return Ok(TopicPreview { valid: false, total: 0, mentions: Vec::new(), problem: Some(problem) });
            }
            Err(other) => return Err(other),
        };
        let found = self.search_parsed(parsed, None, search::Sort::Newest, PREVIEW_MENTIONS, 0)?;
        Ok(TopicPreview { valid: true, total: found.total, mentions: found.mentions, problem: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(query: &str) -> QueryProblem {
        QueryProblem::from_error(query, &listen::parse(query).unwrap_err())
    }

    #[test]
    fn problems_name_the_code_the_character_position_and_what_follows() {
        let unclosed = problem("é \"lost luggage");
        assert_eq!(unclosed.code, "unclosed_quote");
        assert_eq!(unclosed.position, 3, "characters, not bytes");
        assert_eq!(unclosed.near, "\"lost luggage");
        assert_eq!(problem("luggage NEAR/x lost").code, "near_needs_number");
        let field = problem("sentiment:furious");
        assert_eq!((field.code, field.subject.as_deref()), ("invalid_value", Some("sentiment:furious")));
        assert!(field.known.unwrap().contains("negative"));
        assert_eq!(problem("colour:red").subject.as_deref(), Some("colour"));
        assert_eq!(problem("").code, "empty");
        assert_eq!(problem("(retard").code, "unclosed_parenthesis");
    }

    #[test]
    fn a_topic_query_keeps_its_languages() {
        let topic = NewListeningTopic { name: "t".into(), query: "retard OR delay".into(), languages: vec!["FR".into(), "x y".into()], owner: String::new() };
        let query = topic_query(&topic).unwrap();
        assert_eq!(query.root(), listen::parse("(retard OR delay) lang:fr").unwrap().root());
        let everywhere = NewListeningTopic { languages: vec![], ..topic };
        assert_eq!(topic_query(&everywhere).unwrap().root(), listen::parse("retard OR delay").unwrap().root());
    }
}
