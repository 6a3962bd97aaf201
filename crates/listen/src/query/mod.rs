//! The listening query language (docs/queries.md): its syntax tree, errors and parser.
//!
//! Every word in the tree is already folded by [`crate::analysis`], so matching compares
//! folded words with folded words.

mod error;
mod fields;
mod lexer;
mod parser;

pub use error::QueryError;

use domain::{Intent, SentimentLabel, Source};

/// A parsed listening query. Build it with [`parse`]; evaluate it with
/// [`Query::matches`](crate::matcher) or translate [`Query::root`] to another engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    text: String,
    root: Expr,
}

impl Query {
    /// The syntax tree.
    pub fn root(&self) -> &Expr {
        &self.root
    }

    /// The query as the user wrote it.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Mentions matching both queries (a search narrowed to a topic). An `All` side
    /// drops out, so `*` narrowed by a topic is the topic's query.
    pub fn and(&self, other: &Query) -> Query {
        let text = format!("({}) ({})", self.text, other.text);
        let root = match (&self.root, &other.root) {
            (Expr::All, _) => other.root.clone(),
            (_, Expr::All) => self.root.clone(),
            (left, right) => {
                let mut children = Vec::new();
                for side in [left, right] {
                    match side {
                        Expr::And(inner) => children.extend(inner.iter().cloned()),
                        single => children.push(single.clone()),
                    }
                }
                Expr::And(children)
            }
        };
        Query { text, root }
    }

    /// Every plain word of the query outside a negation (terms, phrase and NEAR words),
    /// for relevance boosts.
    pub fn positive_words(&self) -> Vec<&str> {
        let mut words = Vec::new();
        self.root.collect_positive_words(&mut words);
        words
    }
}

/// One node of the syntax tree. All words are folded (lower case, no accents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// `*`: every mention.
    All,
    /// One word, anywhere in the title or text.
    Word(String),
    /// Two or more consecutive words (`"lost luggage"`, or `l'avion` written unquoted).
    Phrase(Vec<String>),
    /// Both sides in either order with at most `max_between` words between them; each side
    /// is one word or a phrase.
    Near { left: Vec<String>, right: Vec<String>, max_between: u32 },
    /// A word starting with this prefix (`retard*`), at least two characters.
    Prefix(String),
    /// A word within `max_edits` edits (`~bagage` is 2, `~1bagage` is 1).
    Fuzzy { word: String, max_edits: u8 },
    /// `#hashtag`: one of the mention's hashtags, folded.
    Hashtag(String),
    /// `@handle`: one of the handles the mention mentions, folded.
    Mentioned(String),
    /// `lang:`, `source:`, `author:`, `has:`, `is:`, `sentiment:`, `intent:`, `reason:`.
    Field(FieldFilter),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

/// A filter on a mention's metadata rather than its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldFilter {
    /// `lang:fr`: the mention's language code, lower case.
    Language(String),
    /// `source:bluesky` (aliases such as `twitter` or `bsky` accepted).
    Source(Source),
    /// `author:@x`: the author's handle, folded, without `@`.
    Author(String),
    /// `has:link`
    HasLink,
    /// `is:reply`
    IsReply,
    /// `is:repost`
    IsRepost,
    /// `sentiment:negative`: the enrichment's sentiment.
    Sentiment(SentimentLabel),
    /// `intent:complaint`: the enrichment's intent.
    Intent(Intent),
    /// `reason:delay_or_cancellation`: the enrichment's complaint reason, lower case (any
    /// label: a brand may train its own taxonomy).
    Reason(String),
}

impl Expr {
    fn collect_positive_words<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::Word(word) => out.push(word),
            Expr::Phrase(words) => out.extend(words.iter().map(String::as_str)),
            Expr::Near { left, right, .. } => {
                out.extend(left.iter().chain(right).map(String::as_str));
            }
            Expr::And(children) | Expr::Or(children) => {
                children.iter().for_each(|child| child.collect_positive_words(out));
            }
            _ => {}
        }
    }
}

/// Parses a query of the listening language.
pub fn parse(query: &str) -> Result<Query, QueryError> {
    let root = parser::parse_tokens(lexer::tokenize(query)?)?;
    Ok(Query { text: query.to_string(), root })
}
