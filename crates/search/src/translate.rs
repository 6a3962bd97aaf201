//! Translates a `listen` query tree into a tantivy query with the same match set.

use listen::{Expr, FieldFilter};
use tantivy::query::{
    wildcard_query_to_regex_str, AllQuery, BooleanQuery, FuzzyTermQuery, Occur,
    Query, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use crate::positional::{Positional, PositionalQuery};
use crate::schema::Fields;

pub(crate) fn to_tantivy(expr: &Expr, fields: &Fields) -> tantivy::Result<Box<dyn Query>> {
    let body_term = |word: &str| Term::from_field_text(fields.body, word);
    let query: Box<dyn Query> = match expr {
        Expr::All => Box::new(AllQuery),
        Expr::Word(word) => Box::new(TermQuery::new(body_term(word), IndexRecordOption::WithFreqs)),
        Expr::Phrase(words) => Box::new(PositionalQuery {
            field: fields.body,
            shape: Positional::Phrase(words.clone()),
        }),
        Expr::Near { left, right, max_between } => Box::new(PositionalQuery {
            field: fields.body,
            shape: Positional::Near { left: left.clone(), right: right.clone(), max_between: *max_between },
        }),
        Expr::Prefix(prefix) => Box::new(RegexQuery::from_pattern(
            &wildcard_query_to_regex_str(&format!("{prefix}*")),
            fields.body,
        )?),
        Expr::Fuzzy { word, max_edits } => {
            Box::new(FuzzyTermQuery::new(body_term(word), *max_edits, true))
        }
        Expr::Hashtag(tag) => exact(fields.hashtags, tag),
        Expr::Mentioned(handle) => exact(fields.mentioned, handle),
        Expr::Field(filter) => field_query(filter, fields),
        Expr::Not(inner) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
            (Occur::MustNot, to_tantivy(inner, fields)?),
        ])),
        Expr::And(children) => {
            let mut clauses = Vec::with_capacity(children.len() + 1);
            for child in children {
                clauses.push(match child {
                    Expr::Not(inner) => (Occur::MustNot, to_tantivy(inner, fields)?),
                    positive => (Occur::Must, to_tantivy(positive, fields)?),
                });
            }
            if clauses.iter().all(|(occur, _)| *occur == Occur::MustNot) {
                clauses.push((Occur::Must, Box::new(AllQuery)));
            }
            Box::new(BooleanQuery::new(clauses))
        }
        Expr::Or(children) => {
            let clauses = children
                .iter()
                .map(|child| Ok((Occur::Should, to_tantivy(child, fields)?)))
                .collect::<tantivy::Result<Vec<_>>>()?;
            Box::new(BooleanQuery::new(clauses))
        }
    };
    Ok(query)
}

fn exact(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
}

/// The value indexed in the `flags` field for each flag.
pub(crate) mod flag {
    pub const REPLY: &str = "reply";
    pub const REPOST: &str = "repost";
    pub const LINK: &str = "link";
}

fn field_query(filter: &FieldFilter, fields: &Fields) -> Box<dyn Query> {
    match filter {
        FieldFilter::Language(code) => exact(fields.lang, code),
        FieldFilter::Source(source) => exact(fields.source, source.as_str()),
        FieldFilter::Author(handle) => exact(fields.author, handle),
        FieldFilter::HasLink => exact(fields.flags, flag::LINK),
        FieldFilter::IsReply => exact(fields.flags, flag::REPLY),
        FieldFilter::IsRepost => exact(fields.flags, flag::REPOST),
        FieldFilter::Sentiment(label) => exact(fields.sentiment, label.as_str()),
        FieldFilter::Intent(intent) => exact(fields.intent, intent.as_str()),
        FieldFilter::Reason(reason) => exact(fields.reason, reason),
    }
}
