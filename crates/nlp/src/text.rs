//! Tokens of a social post, as the understanding models see them.
//!
//! Unlike the search analysis (`listen::analysis`), this tokeniser keeps what carries
//! sentiment: emoji, emoticons (`:-(`), `!`/`?` runs, elongations (`nuuuul`), hashtag
//! words (`#NeverAgain` → `never`, `again`), and the French elisions (`n'`, `c'`).
//! Words are lower-cased and folded to ASCII where a Latin accent allows it, so
//! `déçu`, `decu` and `DÉÇU` are one word.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// Letters and digits, folded; elongations collapsed to two letters.
    Word,
    /// A word that came from a hashtag (`#fail` gives `fail` with this kind).
    HashtagWord,
    /// One emoji (skin tones and joiners dropped) or an ASCII emoticon (`:)`, `<3`).
    Emoji,
    /// `!`, `?`, `...`: sentence punctuation that also ends a negation scope.
    Punctuation,
    /// `,`, `;`, `:` and similar: ends a negation scope.
    Separator,
    Url,
    Handle,
    Number,
}

/// A token's text, stored inline when short (nearly every word of a post), so that
/// tokenising a post does not allocate once per token.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum TokenText {
    Inline {
        length: u8,
        bytes: [u8; INLINE_TEXT],
    },
    Heap(String),
}

const INLINE_TEXT: usize = 22;

impl TokenText {
    pub fn new(text: &str) -> TokenText {
        if text.len() <= INLINE_TEXT {
            let mut bytes = [0u8; INLINE_TEXT];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            TokenText::Inline {
                length: text.len() as u8,
                bytes,
            }
        } else {
            TokenText::Heap(text.to_string())
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            // SAFETY: `bytes[..length]` is a copy of a whole `&str` (see `new`), so it is
            // valid UTF-8; the fields are never changed after construction.
            TokenText::Inline { length, bytes } => unsafe {
                std::str::from_utf8_unchecked(&bytes[..usize::from(*length)])
            },
            TokenText::Heap(text) => text,
        }
    }
}

impl std::ops::Deref for TokenText {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<&str> for TokenText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Debug for TokenText {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), formatter)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub text: TokenText,
    /// The word had a run of three or more identical letters (`soooo`).
    pub elongated: bool,
    /// The word was written in capitals (three letters or more).
    pub shouted: bool,
}

impl Token {
    fn new(kind: TokenKind, text: &str) -> Token {
        Token {
            kind,
            text: TokenText::new(text),
            elongated: false,
            shouted: false,
        }
    }

    pub fn is_word(&self) -> bool {
        matches!(self.kind, TokenKind::Word | TokenKind::HashtagWord)
    }

    /// Ends a negation scope and a phrase.
    pub fn is_boundary(&self) -> bool {
        matches!(self.kind, TokenKind::Punctuation | TokenKind::Separator)
    }
}

/// ASCII emoticons, lower-cased, longest first so `:-((` wins over `:-(`.
#[rustfmt::skip]
const EMOTICONS: &[&str] = &[
    ":'-(", ":'(", ":-((", ":-))", ":((", ":))", ":-)", ":-(", ":-d", ":-p", ":-/", ":-|", ";-)",
    "</3", "^_^", "-_-", ":)", ":(", ":d", ":p", ":/", ":|", ":o", ";)", "<3", "=)", "=(", "^^",
];

/// French elided words that are split off (`c'est` → `c'`, `est`).
#[rustfmt::skip]
const ELISIONS: &[&str] = &[
    "c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
];

/// Cuts a text into tokens. Never panics; unknown symbols are skipped.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let text = unescape_html(text);
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::with_capacity(chars.len() / 4 + 4);
    let mut index = 0;
    while index < chars.len() {
        let character = chars[index];
        if character.is_whitespace() {
            index += 1;
        } else if let Some(length) = url_length(&chars[index..]) {
            tokens.push(Token::new(TokenKind::Url, "<url>"));
            index += length;
        } else if character == '@' && next_is_word(&chars, index) {
            let end = scan_word(&chars, index + 1);
            tokens.push(Token::new(TokenKind::Handle, "<user>"));
            index = end;
        } else if character == '#' && next_is_word(&chars, index) {
            let end = scan_word(&chars, index + 1);
            push_hashtag(&chars[index + 1..end], &mut tokens);
            index = end;
        } else if let Some(emoticon) = emoticon_at(&chars[index..]) {
            tokens.push(Token::new(TokenKind::Emoji, emoticon));
            index += emoticon.chars().count();
        } else if character.is_alphanumeric() {
            let end = scan_word(&chars, index);
            push_word(&chars[index..end], &mut tokens);
            index = end;
        } else if matches!(character, '!' | '?' | '.' | '…') {
            let end = scan_run(&chars, index, |c| matches!(c, '!' | '?' | '.' | '…'));
            tokens.push(Token::new(
                TokenKind::Punctuation,
                punctuation_token(&chars[index..end]),
            ));
            index = end;
        } else if matches!(
            character,
            ',' | ';' | ':' | '(' | ')' | '"' | '«' | '»' | '|'
        ) {
            tokens.push(Token::new(TokenKind::Separator, ","));
            index += 1;
        } else if is_emoji(character) {
            tokens.push(Token::new(
                TokenKind::Emoji,
                character.encode_utf8(&mut [0u8; 4]),
            ));
            index += 1;
        } else {
            index += 1;
        }
    }
    tokens
}

/// A hasher for the small static word tables looked up for every token of every post:
/// FNV-1a is several times cheaper than the default SipHash on short words, and these
/// keys are our own constants (no attacker chooses them, so no flooding to fear).
#[derive(Default, Clone, Copy)]
pub(crate) struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for byte in bytes {
            hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = hash;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Maps and sets keyed by words, hashed with [`WordHasher`].
pub(crate) type WordMap<V> =
    std::collections::HashMap<&'static str, V, std::hash::BuildHasherDefault<WordHasher>>;
pub(crate) type WordSet =
    std::collections::HashSet<&'static str, std::hash::BuildHasherDefault<WordHasher>>;

/// Several phrase lists matched in one pass: [`PhraseSets::matches`] gives a bit per
/// list (bit `i` for `lists[i]`) whose phrases occur in the words. The intent rules read
/// four lists for every post; one scan costs a quarter of four.
pub(crate) struct PhraseSets {
    by_first_word: WordMap<Vec<(u32, Vec<&'static str>)>>,
}

impl PhraseSets {
    pub fn new(lists: &[&[&'static str]]) -> PhraseSets {
        let mut by_first_word: WordMap<Vec<_>> = Default::default();
        for (list, phrases) in lists.iter().enumerate() {
            for phrase in *phrases {
                let words: Vec<&'static str> = phrase.split(' ').collect();
                by_first_word
                    .entry(words[0])
                    .or_default()
                    .push((list as u32, words));
            }
        }
        PhraseSets { by_first_word }
    }

    /// Bit `i` set when a phrase of list `i` occurs in `words`.
    pub fn matches(&self, words: &[&str]) -> u32 {
        let mut found = 0u32;
        for start in 0..words.len() {
            if let Some(candidates) = self.by_first_word.get(words[start]) {
                for (list, phrase) in candidates {
                    if found & (1 << list) == 0 && words[start..].starts_with(phrase) {
                        found |= 1 << list;
                    }
                }
            }
        }
        found
    }
}

/// Undoes the HTML escaping some sources apply (`&amp;`, `&lt;`, `&#39;`).
fn unescape_html(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('&') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = text.to_string();
    for (entity, plain) in [
        ("&amp;", "&"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&apos;", "'"),
    ] {
        out = out.replace(entity, plain);
    }
    std::borrow::Cow::Owned(out)
}

fn url_length(chars: &[char]) -> Option<usize> {
    let starts = |prefix: &str| {
        prefix.len() <= chars.len()
            && prefix
                .chars()
                .zip(chars)
                .all(|(p, c)| p == c.to_ascii_lowercase())
    };
    // The French data replaces links by a bare `http`.
    if !(starts("http") || starts("www.")) {
        return None;
    }
    Some(
        chars
            .iter()
            .position(|c| c.is_whitespace())
            .unwrap_or(chars.len()),
    )
}

fn is_word_char(character: char) -> bool {
    character.is_alphanumeric() || character == '_'
}

fn next_is_word(chars: &[char], index: usize) -> bool {
    chars.get(index + 1).is_some_and(|c| is_word_char(*c))
}

/// End of a word starting at `start`; an apostrophe or hyphen between letters stays inside.
fn scan_word(chars: &[char], start: usize) -> usize {
    let mut end = start;
    while end < chars.len() {
        let character = chars[end];
        let joins = matches!(character, '\'' | '’' | '-')
            && end > start
            && chars.get(end + 1).is_some_and(|c| c.is_alphabetic());
        if is_word_char(character) || joins {
            end += 1;
        } else {
            break;
        }
    }
    end
}

fn scan_run(chars: &[char], start: usize, keep: impl Fn(char) -> bool) -> usize {
    let mut end = start;
    while end < chars.len() && keep(chars[end]) {
        end += 1;
    }
    end
}

fn punctuation_token(run: &[char]) -> &'static str {
    let exclamation = run.iter().filter(|c| **c == '!').count();
    let question = run.contains(&'?');
    match (question, exclamation) {
        (true, 0) => "?",
        (true, _) => "?!",
        (false, 1) => "!",
        (false, n) if n > 1 => "!!",
        _ if run.len() > 1 || run[0] == '…' => "...",
        _ => ".",
    }
}

fn emoticon_at(chars: &[char]) -> Option<&'static str> {
    let first = chars[0];
    if !matches!(first, ':' | ';' | '=' | '<' | '^' | '-') {
        return None;
    }
    EMOTICONS.iter().copied().find(|emoticon| {
        let length = emoticon.chars().count();
        length <= chars.len()
            && emoticon.chars().zip(chars).all(|(e, c)| e == c.to_ascii_lowercase())
            // `:/` must not eat the start of `://`, and `:d` must end there.
            && chars.get(length).is_none_or(|next| !next.is_alphanumeric() && *next != '/')
    })
}

/// Pictographs, dingbats and symbols; modifiers, joiners and variation selectors are not.
fn is_emoji(character: char) -> bool {
    let code = character as u32;
    matches!(code,
        0x1F300..=0x1F3FA | 0x1F400..=0x1F64F | 0x1F680..=0x1F6FF | 0x1F900..=0x1F9FF
        | 0x1FA70..=0x1FAFF | 0x2600..=0x27BF | 0x2B50 | 0x2B55)
}

fn push_hashtag(raw: &[char], tokens: &mut Vec<Token>) {
    // `#NeverAgain` → never, again; `#fail` → fail; `#vol_annulé` → vol, annulé.
    let mut part: Vec<char> = Vec::new();
    let mut parts: Vec<Vec<char>> = Vec::new();
    for (position, character) in raw.iter().enumerate() {
        let camel_break =
            character.is_uppercase() && position > 0 && raw[position - 1].is_lowercase();
        if *character == '_' || camel_break {
            if !part.is_empty() {
                parts.push(std::mem::take(&mut part));
            }
            if *character == '_' {
                continue;
            }
        }
        part.push(*character);
    }
    if !part.is_empty() {
        parts.push(part);
    }
    for part in parts {
        let before = tokens.len();
        push_word(&part, tokens);
        for token in &mut tokens[before..] {
            if token.kind == TokenKind::Word {
                token.kind = TokenKind::HashtagWord;
            }
        }
    }
}

fn push_word(raw: &[char], tokens: &mut Vec<Token>) {
    if raw.iter().all(|c| c.is_ascii_digit()) {
        tokens.push(Token::new(TokenKind::Number, "<num>"));
        return;
    }
    // Short ASCII words (most words) are folded on the stack, without allocating.
    if raw.len() <= INLINE_TEXT && raw.iter().all(|c| c.is_ascii_alphanumeric() || *c == '_') {
        let mut bytes = [0u8; INLINE_TEXT];
        let mut uppercase = 0;
        let mut letters = 0;
        let mut run = 0;
        for (index, character) in raw.iter().enumerate() {
            let byte = *character as u8;
            letters += usize::from(byte.is_ascii_alphabetic());
            uppercase += usize::from(byte.is_ascii_uppercase());
            bytes[index] = byte.to_ascii_lowercase();
            run = if index > 0 && bytes[index] == bytes[index - 1] {
                run + 1
            } else {
                1
            };
            if run >= 3 {
                break;
            }
        }
        if run < 3 {
            let text = std::str::from_utf8(&bytes[..raw.len()]).expect("ASCII");
            tokens.push(Token {
                kind: TokenKind::Word,
                text: TokenText::new(text),
                elongated: false,
                shouted: letters >= 3 && uppercase == letters,
            });
            return;
        }
    }
    let mut letters = 0;
    let mut lowercase = false;
    for character in raw {
        letters += usize::from(character.is_alphabetic());
        lowercase |= character.is_lowercase();
    }
    let shouted = letters >= 3 && !lowercase;
    let mut folded = String::new();
    for character in raw {
        fold_char(*character, &mut folded);
    }
    // `c'est` → `c'`, `est`; `aujourd'hui` and `don't` stay whole, without the
    // apostrophe (`dont`), which is how they are usually typed on a phone anyway.
    let apostrophe = folded.find('\'');
    if apostrophe.is_none() && !has_run_of_three(folded.as_bytes()) {
        // The common case: the folded word is the token, no second copy.
        tokens.push(Token {
            kind: TokenKind::Word,
            text: TokenText::new(&folded),
            elongated: false,
            shouted,
        });
        return;
    }
    let (head, tail) = match apostrophe {
        Some(position) if ELISIONS.contains(&&folded[..position]) => {
            (&folded[..position + 1], &folded[position + 1..])
        }
        _ => (folded.as_str(), ""),
    };
    for piece in [head, tail] {
        if piece.is_empty() {
            continue;
        }
        let (collapsed, elongated) = collapse_elongation(piece);
        tokens.push(Token {
            kind: TokenKind::Word,
            text: TokenText::new(&collapsed),
            elongated,
            shouted,
        });
    }
}

/// Whether some byte repeats three times in a row (a possible elongation; checked on
/// bytes, a superset of the character runs [`collapse_elongation`] collapses).
fn has_run_of_three(bytes: &[u8]) -> bool {
    bytes.windows(3).any(|w| w[0] == w[1] && w[1] == w[2])
}

/// Runs of three or more identical letters become two: `nuuuul` → `nuul`, `soooo` → `soo`.
fn collapse_elongation(word: &str) -> (String, bool) {
    let mut out = String::with_capacity(word.len());
    let mut elongated = false;
    let mut previous = None;
    let mut run = 0;
    for character in word.chars().filter(|c| *c != '\'') {
        if Some(character) == previous {
            run += 1;
        } else {
            run = 1;
            previous = Some(character);
        }
        if run <= 2 {
            out.push(character);
        } else if character.is_alphabetic() {
            elongated = true;
        }
    }
    // The elision keeps its apostrophe: `n'` is not `n`.
    if word.ends_with('\'') {
        out.push('\'');
    }
    (out, elongated)
}

/// Lower-cases and folds Latin accents and typographic apostrophes to ASCII.
fn fold_char(character: char, out: &mut String) {
    if character.is_ascii() {
        out.push(character.to_ascii_lowercase());
        return;
    }
    let folded = match character {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ç' | 'Ç' => 'c',
        'ñ' | 'Ñ' => 'n',
        'ÿ' => 'y',
        'œ' | 'Œ' => {
            out.push_str("oe");
            return;
        }
        'æ' | 'Æ' => {
            out.push_str("ae");
            return;
        }
        '’' | '\'' => '\'',
        other => {
            out.extend(other.to_lowercase());
            return;
        }
    };
    out.push(folded);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        tokenize(text)
            .into_iter()
            .map(|token| token.text.to_string())
            .collect()
    }

    #[test]
    fn words_are_folded_and_elisions_split() {
        assert_eq!(
            texts("C'est DÉÇU, l’avion"),
            ["c'", "est", "decu", ",", "l'", "avion"]
        );
        assert_eq!(texts("I don't know"), ["i", "dont", "know"]);
    }

    #[test]
    fn elongations_collapse_to_two_letters_and_are_flagged() {
        let tokens = tokenize("nuuuuul soooo good");
        assert_eq!(tokens[0].text, "nuul");
        assert!(tokens[0].elongated);
        assert_eq!(tokens[2].text, "good");
        assert!(!tokens[2].elongated);
    }

    #[test]
    fn emoji_emoticons_handles_urls_and_hashtags() {
        assert_eq!(
            texts("@united :( lost bag 😡😡 https://t.co/x #NeverAgain!!!"),
            [
                "<user>", ":(", "lost", "bag", "😡", "😡", "<url>", "never", "again", "!!"
            ]
        );
        assert_eq!(texts("love it <3 :-D"), ["love", "it", "<3", ":-d"]);
    }

    #[test]
    fn html_entities_are_unescaped() {
        assert_eq!(texts("A &amp; B &lt;3"), ["a", "b", "<3"]);
    }

    #[test]
    fn shouting_is_flagged() {
        let tokens = tokenize("WORST airline");
        assert!(tokens[0].shouted);
        assert!(!tokens[1].shouted);
    }
}
