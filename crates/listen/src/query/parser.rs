//! Recursive-descent parser: OR binds loosest, then AND (or juxtaposition), then NOT/`-`,
//! then NEAR, then terms and parentheses.

use std::iter::Peekable;
use std::vec::IntoIter;

use super::lexer::{Token, TokenKind};
use super::{Expr, QueryError};
use crate::analysis::{fold, words};

pub(super) fn parse_tokens(tokens: Vec<Token>) -> Result<Expr, QueryError> {
    if tokens.is_empty() {
        return Err(QueryError::Empty);
    }
    let mut parser = Parser { tokens: tokens.into_iter().peekable() };
    let root = parser.parse_or()?;
    match parser.tokens.next() {
        None => Ok(root),
        Some(token) => Err(QueryError::UnopenedParenthesis { at: token.at }),
    }
}

struct Parser {
    tokens: Peekable<IntoIter<Token>>,
}

impl Parser {
    fn peek_kind(&mut self) -> Option<&TokenKind> {
        self.tokens.peek().map(|token| &token.kind)
    }

    /// True when the next token can start an operand.
    fn operand_follows(&mut self) -> bool {
        !matches!(
            self.peek_kind(),
            None | Some(TokenKind::Close | TokenKind::Or | TokenKind::And | TokenKind::Near(_))
        )
    }

    fn parse_or(&mut self) -> Result<Expr, QueryError> {
        let mut alternatives = vec![self.parse_and()?];
        while let Some(TokenKind::Or) = self.peek_kind() {
            let at = self.tokens.next().map_or(0, |token| token.at);
            if !self.operand_follows() {
                return Err(QueryError::MissingOperand { operator: "OR", at });
            }
            alternatives.push(self.parse_and()?);
        }
        Ok(single_or(alternatives, Expr::Or))
    }

    fn parse_and(&mut self) -> Result<Expr, QueryError> {
        let mut required = vec![self.parse_unary()?];
        loop {
            match self.peek_kind() {
                None | Some(TokenKind::Close | TokenKind::Or) => break,
                Some(TokenKind::And) => {
                    let at = self.tokens.next().map_or(0, |token| token.at);
                    if !self.operand_follows() {
                        return Err(QueryError::MissingOperand { operator: "AND", at });
                    }
                }
                _ => {}
            }
            required.push(self.parse_unary()?);
        }
        Ok(single_or(required, Expr::And))
    }

    fn parse_unary(&mut self) -> Result<Expr, QueryError> {
        let operator = match self.peek_kind() {
            Some(TokenKind::Not) => "NOT",
            Some(TokenKind::Minus) => "-",
            _ => return self.parse_near(),
        };
        let at = self.tokens.next().map_or(0, |token| token.at);
        if !self.operand_follows() {
            return Err(QueryError::NothingToExclude { operator, at });
        }
        Ok(Expr::Not(Box::new(self.parse_unary()?)))
    }

    fn parse_near(&mut self) -> Result<Expr, QueryError> {
        let left = self.parse_primary()?;
        let Some(&TokenKind::Near(max_between)) = self.peek_kind() else {
            return Ok(left);
        };
        let at = self.tokens.next().map_or(0, |token| token.at);
        if !self.operand_follows() {
            return Err(QueryError::NearOperand { at });
        }
        let right = self.parse_primary()?;
        if let Some(TokenKind::Near(_)) = self.peek_kind() {
            return Err(QueryError::NearOperand { at: self.tokens.peek().map_or(at, |t| t.at) });
        }
        match (near_operand(left), near_operand(right)) {
            (Some(left), Some(right)) => Ok(Expr::Near { left, right, max_between }),
            _ => Err(QueryError::NearOperand { at }),
        }
    }

    fn parse_primary(&mut self) -> Result<Expr, QueryError> {
        let Some(token) = self.tokens.next() else {
            return Err(QueryError::Empty);
        };
        match token.kind {
            TokenKind::Open => {
                if let Some(TokenKind::Close) = self.peek_kind() {
                    return Err(QueryError::EmptyParentheses { at: token.at });
                }
                let inner = self.parse_or()?;
                match self.tokens.next() {
                    Some(Token { kind: TokenKind::Close, .. }) => Ok(inner),
                    _ => Err(QueryError::UnclosedParenthesis { opened_at: token.at }),
                }
            }
            TokenKind::Close => Err(QueryError::UnopenedParenthesis { at: token.at }),
            TokenKind::Quoted(text) => words_expr(&text, token.at),
            TokenKind::Bare(text) => bare_expr(&text, token.at),
            TokenKind::And => Err(QueryError::MissingOperand { operator: "AND", at: token.at }),
            TokenKind::Or => Err(QueryError::MissingOperand { operator: "OR", at: token.at }),
            TokenKind::Near(_) => Err(QueryError::NearOperand { at: token.at }),
            TokenKind::Not | TokenKind::Minus => {
                Err(QueryError::NothingToExclude { operator: "NOT", at: token.at })
            }
        }
    }
}

fn single_or(mut items: Vec<Expr>, combine: fn(Vec<Expr>) -> Expr) -> Expr {
    if items.len() == 1 { items.remove(0) } else { combine(items) }
}

fn near_operand(expr: Expr) -> Option<Vec<String>> {
    match expr {
        Expr::Word(word) => Some(vec![word]),
        Expr::Phrase(words) => Some(words),
        _ => None,
    }
}

/// A quoted phrase or plain term: one word, or a phrase when it folds to several.
fn words_expr(text: &str, at: usize) -> Result<Expr, QueryError> {
    let mut folded = words(text);
    match folded.len() {
        0 => Err(QueryError::NoWords { text: text.to_string(), at }),
        1 => Ok(Expr::Word(folded.remove(0))),
        _ => Ok(Expr::Phrase(folded)),
    }
}

fn bare_expr(text: &str, at: usize) -> Result<Expr, QueryError> {
    if text == "*" {
        return Ok(Expr::All);
    }
    if let Some(hashtag) = text.strip_prefix('#') {
        return exact_value(hashtag, text, at).map(Expr::Hashtag);
    }
    if let Some(handle) = text.strip_prefix('@') {
        return exact_value(handle, text, at).map(Expr::Mentioned);
    }
    if let Some(fuzzy) = text.strip_prefix('~') {
        return fuzzy_expr(fuzzy, at);
    }
    if let Some((name, value)) = text.split_once(':')
        && !name.is_empty()
        && name.bytes().all(|byte| byte.is_ascii_alphabetic())
    {
        return super::fields::field_filter(name, value, at).map(Expr::Field);
    }
    if text.contains('*') {
        return prefix_expr(text, at);
    }
    words_expr(text, at)
}

fn exact_value(value: &str, text: &str, at: usize) -> Result<String, QueryError> {
    let folded = fold(value.trim_start_matches('@'));
    if folded.is_empty() {
        return Err(QueryError::NoWords { text: text.to_string(), at });
    }
    Ok(folded)
}

fn fuzzy_expr(text: &str, at: usize) -> Result<Expr, QueryError> {
    let (max_edits, word_text) = match text.as_bytes().first() {
        Some(b'1') if text.len() > 1 => (1, &text[1..]),
        Some(b'2') if text.len() > 1 => (2, &text[1..]),
        _ => (2, text),
    };
    let mut folded = words(word_text);
    if folded.len() != 1 || word_text.contains('*') {
        return Err(QueryError::BadFuzzy { at });
    }
    Ok(Expr::Fuzzy { word: folded.remove(0), max_edits })
}

fn prefix_expr(text: &str, at: usize) -> Result<Expr, QueryError> {
    let Some(stem) = text.strip_suffix('*').filter(|stem| !stem.contains('*')) else {
        return Err(QueryError::MisplacedWildcard { at });
    };
    let mut folded = words(stem);
    if folded.len() != 1 || !stem.ends_with(|c: char| c.is_alphanumeric()) {
        return Err(if folded.is_empty() {
            QueryError::ShortPrefix { at }
        } else {
            QueryError::MisplacedWildcard { at }
        });
    }
    let prefix = folded.remove(0);
    if prefix.chars().count() < 2 {
        return Err(QueryError::ShortPrefix { at });
    }
    Ok(Expr::Prefix(prefix))
}
