//! Counting a text the way each network does: X's weighted characters, graphemes, code
//! points, with links counted at a fixed length where the network shortens them.

use std::ops::Range;

use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// The length every link counts for on X and Mastodon, whatever its real length.
pub const SHORTENED_URL_LENGTH: usize = 23;

/// Top-level domains X links without a scheme (`example.com`): a short list of common ones.
/// A bare domain with another TLD is counted as text, which X may count as 23 instead.
const BARE_DOMAIN_TLDS: &[&str] = &[
    "com", "org", "net", "fr", "io", "co", "uk", "de", "eu", "info", "be", "ch", "ca", "us", "app",
    "dev", "ly", "me", "tv", "es", "it", "nl",
];

/// Which links a network recognises in plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkStyle {
    /// `http://` and `https://` links only (Mastodon).
    WithScheme,
    /// Also `www.` links and bare domains with a common TLD (X, after twitter-text).
    WithSchemeOrBareDomain,
}

/// The byte ranges of the links in `text`. A link runs to the next white space, less
/// trailing punctuation that usually ends a sentence.
pub(crate) fn find_links(text: &str, style: LinkStyle) -> Vec<Range<usize>> {
    let mut links = Vec::new();
    for (token_start, token) in whitespace_tokens(text) {
        let leading = token.len()
            - token
                .trim_start_matches(['(', '[', '<', '"', '\'', '«'])
                .len();
        let candidate = token[leading..]
            .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '>', '"', '\'', '»']);
        if candidate.is_empty() || !is_link(candidate, style) {
            continue;
        }
        let start = token_start + leading;
        links.push(start..start + candidate.len());
    }
    links
}

/// `(byte offset, token)` for each run of non-white-space characters.
pub(crate) fn whitespace_tokens(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_whitespace()
        .map(move |token| (token.as_ptr() as usize - text.as_ptr() as usize, token))
}

fn is_link(candidate: &str, style: LinkStyle) -> bool {
    let lower = candidate.to_ascii_lowercase();
    for scheme in ["https://", "http://"] {
        if let Some(rest) = lower.strip_prefix(scheme) {
            return rest.starts_with(|c: char| c.is_alphanumeric());
        }
    }
    if style == LinkStyle::WithScheme {
        return false;
    }
    if lower.starts_with("www.") && lower.len() > 4 {
        return true;
    }
    let host = lower.split(['/', '?', '#']).next().unwrap_or_default();
    let labels: Vec<&str> = host.split('.').collect();
    let well_formed = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    well_formed
        && labels
            .last()
            .is_some_and(|tld| BARE_DOMAIN_TLDS.contains(tld))
}

/// X's weighted length (twitter-text v3): NFC first; each link counts 23; each emoji
/// (one grapheme: ZWJ sequences, flags, skin tones, keycaps) counts 2; any other code point
/// counts 1 in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F, U+2032–U+2037, and 2 elsewhere
/// (CJK, most symbols).
pub fn x_weighted_length(text: &str) -> usize {
    let normalized: String = text.nfc().collect();
    count_with_links(&normalized, LinkStyle::WithSchemeOrBareDomain, |segment| {
        segment.graphemes(true).map(x_grapheme_weight).sum()
    })
}

fn x_grapheme_weight(grapheme: &str) -> usize {
    if is_emoji(grapheme) {
        2
    } else {
        grapheme.chars().map(x_code_point_weight).sum()
    }
}

fn x_code_point_weight(c: char) -> usize {
    let light =
        matches!(c as u32, 0x0000..=0x10FF | 0x2000..=0x200D | 0x2010..=0x201F | 0x2032..=0x2037);
    if light { 1 } else { 2 }
}

/// Whether a grapheme is one emoji: a pictograph (possibly with modifiers and joined
/// pictographs), a pair of regional indicators (a flag), or a character turned into an
/// emoji by the emoji variation selector or the keycap mark.
fn is_emoji(grapheme: &str) -> bool {
    let Some(first) = grapheme.chars().next() else {
        return false;
    };
    let pictographic = matches!(
        first as u32,
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2300..=0x23FF | 0x2B00..=0x2BFF
            | 0x3030 | 0x303D | 0x3297 | 0x3299
    );
    pictographic || grapheme.contains(['\u{FE0F}', '\u{20E3}'])
}

/// The number of user-perceived characters (extended grapheme clusters).
pub fn grapheme_length(text: &str) -> usize {
    text.graphemes(true).count()
}

/// Mastodon's length: graphemes, each `http(s)` link counting 23, and a remote mention
/// `@user@example.social` counting as `@user` only.
pub fn mastodon_length(text: &str) -> usize {
    count_with_links(text, LinkStyle::WithScheme, |segment| {
        let mut length = 0;
        let mut last_end = 0;
        for (start, token) in whitespace_tokens(segment) {
            length += grapheme_length(&segment[last_end..start]);
            length += grapheme_length(local_part_of_remote_mention(token));
            last_end = start + token.len();
        }
        length + grapheme_length(&segment[last_end..])
    })
}

/// `@user` for `@user@example.social`, the token itself otherwise.
fn local_part_of_remote_mention(token: &str) -> &str {
    let Some(rest) = token.strip_prefix('@') else {
        return token;
    };
    match rest.split_once('@') {
        Some((user, domain)) if !user.is_empty() && domain.contains('.') => {
            &token[..user.len() + 1]
        }
        _ => token,
    }
}

/// Unicode code points, as Meta's APIs count "characters".
pub fn code_point_length(text: &str) -> usize {
    text.chars().count()
}

/// Counts the links of `text` as 23 each and the text between them with `count_segment`.
fn count_with_links(text: &str, style: LinkStyle, count_segment: impl Fn(&str) -> usize) -> usize {
    let mut length = 0;
    let mut last_end = 0;
    for link in find_links(text, style) {
        length += count_segment(&text[last_end..link.start]) + SHORTENED_URL_LENGTH;
        last_end = link.end;
    }
    length + count_segment(&text[last_end..])
}
