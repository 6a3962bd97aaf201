//! Splits a query into tokens: parentheses, quoted phrases, keywords and bare terms.

use super::QueryError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TokenKind {
    Open,
    Close,
    Quoted(String),
    Bare(String),
    And,
    Or,
    Not,
    /// `-` glued to what it excludes.
    Minus,
    Near(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    pub kind: TokenKind,
    /// Byte offset in the query.
    pub at: usize,
}

pub(super) fn tokenize(query: &str) -> Result<Vec<Token>, QueryError> {
    let mut tokens = Vec::new();
    let mut chars = query.char_indices().peekable();
    while let Some(&(at, character)) = chars.peek() {
        match character {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' => {
                chars.next();
                let kind = if character == '(' { TokenKind::Open } else { TokenKind::Close };
                tokens.push(Token { kind, at });
            }
            '"' => {
                chars.next();
                let start = at + 1;
                let end = chars.find(|&(_, c)| c == '"').map(|(end, _)| end);
                let end = end.ok_or(QueryError::UnclosedQuote { opened_at: at })?;
                tokens.push(Token { kind: TokenKind::Quoted(query[start..end].to_string()), at });
            }
            '-' => {
                chars.next();
                let glued = chars.peek().is_some_and(|&(_, next)| !next.is_whitespace() && next != ')');
                let kind = if glued { TokenKind::Minus } else { TokenKind::Bare("-".to_string()) };
                tokens.push(Token { kind, at });
            }
            _ => {
                let mut end = query.len();
                while let Some(&(index, c)) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | '"') {
                        end = index;
                        break;
                    }
                    chars.next();
                }
                tokens.push(Token { kind: keyword_or_bare(&query[at..end], at)?, at });
            }
        }
    }
    Ok(tokens)
}

fn keyword_or_bare(text: &str, at: usize) -> Result<TokenKind, QueryError> {
    let kind = match text {
        "AND" => TokenKind::And,
        "OR" => TokenKind::Or,
        "NOT" => TokenKind::Not,
        "NEAR" => return Err(QueryError::NearNeedsNumber { at }),
        _ => match text.strip_prefix("NEAR/") {
            Some(number) => {
                let distance = number.parse().map_err(|_| QueryError::NearNeedsNumber { at })?;
                TokenKind::Near(distance)
            }
            None => TokenKind::Bare(text.to_string()),
        },
    };
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(query: &str) -> Vec<TokenKind> {
        tokenize(query).unwrap().into_iter().map(|token| token.kind).collect()
    }

    #[test]
    fn recognises_keywords_phrases_and_minus() {
        use TokenKind::*;
        assert_eq!(
            kinds(r#"(a OR "lost luggage") -b NEAR/3 and"#),
            [
                Open,
                Bare("a".into()),
                Or,
                Quoted("lost luggage".into()),
                Close,
                Minus,
                Bare("b".into()),
                Near(3),
                Bare("and".into())
            ]
        );
    }

    #[test]
    fn near_without_number_and_open_quote_are_errors() {
        assert_eq!(tokenize("a NEAR b"), Err(QueryError::NearNeedsNumber { at: 2 }));
        assert_eq!(tokenize("a NEAR/x b"), Err(QueryError::NearNeedsNumber { at: 2 }));
        assert_eq!(tokenize("a \"lost"), Err(QueryError::UnclosedQuote { opened_at: 2 }));
    }
}
