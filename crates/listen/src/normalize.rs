//! Cleaning a mention's text and extracting its entities (hashtags, @handles, URLs).
//!
//! Runs on every ingested mention, so both functions are hand-written scanners with a
//! fast path for the common case of nothing to do.

use std::borrow::Cow;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Decodes HTML entities, normalises to Unicode NFC, removes control characters except
/// newline and tab, and trims. Emoji and all other characters are kept.
pub fn normalize_text(raw: &str) -> String {
    let decoded: Cow<str> = if raw.contains('&') {
        html_escape::decode_html_entities(raw)
    } else {
        Cow::Borrowed(raw)
    };
    let is_clean = |text: &str| !text.chars().any(is_removed_control);
    if decoded.is_ascii() && is_clean(&decoded) {
        return decoded.trim().to_string();
    }
    let composed: Cow<str> = match is_nfc_quick(decoded.chars()) {
        IsNormalized::Yes => decoded,
        _ => Cow::Owned(decoded.nfc().collect()),
    };
    if is_clean(&composed) {
        return composed.trim().to_string();
    }
    let cleaned: String = composed.chars().filter(|&c| !is_removed_control(c)).collect();
    cleaned.trim().to_string()
}

fn is_removed_control(character: char) -> bool {
    character.is_control() && character != '\n' && character != '\t'
}

/// What a text refers to: hashtags and handles lower-cased without their sign, URLs as
/// written; each list deduplicated, in order of first appearance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entities {
    pub hashtags: Vec<String>,
    pub mentioned: Vec<String>,
    pub urls: Vec<String>,
}

/// Finds `#hashtags`, `@handles` (`@alice.bsky.social`, `@user@mastodon.social`) and URLs
/// (`http(s)://…`, `www.…`, without trailing punctuation). Allocates nothing when the text
/// has none.
pub fn extract_entities(text: &str) -> Entities {
    let mut entities = Entities::default();
    let bytes = text.as_bytes();
    let mut index = 0;
    let mut previous_is_word = false;
    while index < bytes.len() {
        let byte = bytes[index];
        if !previous_is_word {
            if let Some(url_len) = url_length_at(&text[index..]) {
                push_unique(&mut entities.urls, &text[index..index + url_len]);
                index += url_len;
                previous_is_word = true;
                continue;
            }
            if matches!(byte, b'#' | b'@') {
                let rest = &text[index + 1..];
                let (length, list) = if byte == b'#' {
                    (hashtag_length(rest), &mut entities.hashtags)
                } else {
                    (handle_length(rest), &mut entities.mentioned)
                };
                if let Some(len) = length {
                    push_unique(list, &rest[..len].to_lowercase());
                    index += 1 + len;
                    previous_is_word = true;
                    continue;
                }
            }
        }
        let character = text[index..].chars().next().unwrap_or(' ');
        previous_is_word = character.is_alphanumeric() || character == '_';
        index += character.len_utf8();
    }
    entities
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|existing| existing == value) {
        list.push(value.to_string());
    }
}

/// Length of a hashtag's name at the start of `rest`: letters, digits and `_`, with at
/// least one non-digit (`#1` is a rank, not a hashtag).
fn hashtag_length(rest: &str) -> Option<usize> {
    let len: usize = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum();
    let name = &rest[..len];
    (len > 0 && !name.bytes().all(|b| b.is_ascii_digit())).then_some(len)
}

/// Length of a handle at the start of `rest`: `name`, `name.domain.tld` or
/// `name@domain.tld`, without trailing dots or hyphens.
fn handle_length(rest: &str) -> Option<usize> {
    let is_handle_byte = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-');
    let bytes = rest.as_bytes();
    let name_len = trimmed_len(bytes, bytes.iter().take_while(|b| is_handle_byte(b)).count());
    if name_len == 0 {
        return None;
    }
    if bytes.get(name_len) == Some(&b'@') {
        let domain = &bytes[name_len + 1..];
        let domain_len =
            trimmed_len(domain, domain.iter().take_while(|b| is_handle_byte(b)).count());
        if domain[..domain_len].contains(&b'.') {
            return Some(name_len + 1 + domain_len);
        }
    }
    Some(name_len)
}

fn trimmed_len(bytes: &[u8], mut len: usize) -> usize {
    while len > 0 && matches!(bytes[len - 1], b'.' | b'-') {
        len -= 1;
    }
    len
}

/// Length of a URL starting at the beginning of `text`, if one does.
fn url_length_at(text: &str) -> Option<usize> {
    let starts_with_ignore_case = |prefix: &str| {
        text.len() >= prefix.len() && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    };
    let scheme_len = ["https://", "http://", "www."]
        .into_iter()
        .find(|prefix| starts_with_ignore_case(prefix))?
        .len();
    let mut len = text
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
        .map_or(text.len(), |(end, _)| end);
    while let Some(last) = text[..len].chars().next_back() {
        let unbalanced_paren = last == ')' && text[..len].matches('(').count() < text[..len].matches(')').count();
        if matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '»' | '…' | ']' | '}') || unbalanced_paren {
            len -= last.len_utf8();
        } else {
            break;
        }
    }
    (len > scheme_len).then_some(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_decodes_entities_composes_and_strips_controls() {
        assert_eq!(normalize_text("  Caf&eacute; &amp; th&#233; &lt;3 "), "Café & thé <3");
        assert_eq!(normalize_text("cafe\u{301}"), "café");
        assert_eq!(normalize_text("a\u{0}b\r\n\tc\u{7}"), "ab\n\tc");
        assert_eq!(normalize_text("vol annulé 😡"), "vol annulé 😡");
    }

    #[test]
    fn extracts_hashtags_and_handles_lower_cased_and_deduplicated() {
        let entities = extract_entities("#Retard encore @SNCF_Direct #retard #1 @alice.bsky.social. cc @user@mastodon.social!");
        assert_eq!(entities.hashtags, ["retard"]);
        assert_eq!(entities.mentioned, ["sncf_direct", "alice.bsky.social", "user@mastodon.social"]);
        assert!(entities.urls.is_empty());
    }

    #[test]
    fn email_addresses_and_mid_word_signs_are_not_entities() {
        let entities = extract_entities("write to help@airline.com or C#");
        assert_eq!(entities, Entities::default());
    }

    #[test]
    fn urls_lose_trailing_punctuation_and_hide_their_fragments() {
        let entities = extract_entities(
            "See https://ex.com/a#b?x=1, (www.example.org/path). And https://en.wikipedia.org/wiki/Foo_(bar)!",
        );
        assert_eq!(
            entities.urls,
            ["https://ex.com/a#b?x=1", "www.example.org/path", "https://en.wikipedia.org/wiki/Foo_(bar)"]
        );
        assert!(entities.hashtags.is_empty());
    }

    #[test]
    fn unicode_hashtags_are_kept() {
        assert_eq!(extract_entities("#Été2024 😀#vacances").hashtags, ["été2024", "vacances"]);
    }
}
