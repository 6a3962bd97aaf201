//! Reply rules on real tricky strings (CJK, emoji sequences, combining marks, links), and
//! properties of counting and splitting on any text.

use domain::Source;
use proptest::prelude::*;

use super::*;

const FAMILY: &str = "👨‍👩‍👧‍👦";

#[test]
fn x_counts_weighted_characters_like_twitter_text() {
    let cases = [
        ("hello", 5),
        ("é", 1),
        ("e\u{301}", 1), // NFC first: one code point
        ("日本語", 6),   // CJK weighs 2
        ("한국어", 6),
        (FAMILY, 2), // seven code points, one emoji
        ("🇫🇷", 2),   // a flag: two regional indicators
        ("👍🏽", 2),   // skin tone modifier
        ("1️⃣", 2),   // keycap
        ("❤️", 2),
        (
            "https://example.com/a/very/long/path?with=query&and=more",
            23,
        ),
        ("see example.com.", 4 + 23 + 1),
        ("www.example.org/x", 23),
        ("version 1.2 is out", 18), // not a link: no known TLD
    ];
    for (text, expected) in cases {
        assert_eq!(x_weighted_length(text), expected, "{text:?}");
    }
    // “ ” and — are in U+2010–U+201F (weight 1); … (U+2026) is outside every light range.
    assert_eq!(x_weighted_length("“quoted” — ok…"), 15);
}

#[test]
fn x_accepts_280_and_refuses_281_with_a_plain_reason() {
    assert_eq!(
        check_reply(Source::X, &"a".repeat(280), None)
            .unwrap()
            .remaining(),
        Some(0)
    );
    let rejection = check_reply(Source::X, &"a".repeat(281), None).unwrap_err();
    assert_eq!(
        rejection.to_string(),
        "the reply is too long for X: 281 weighted characters (links count 23, emoji and CJK characters 2), the limit is 280"
    );
    assert!(check_reply(Source::X, &"語".repeat(140), None).is_ok());
    assert!(check_reply(Source::X, &"語".repeat(141), None).is_err());
    assert!(check_reply(Source::X, &FAMILY.repeat(140), None).is_ok());
    let links = "https://example.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ".repeat(11);
    assert_eq!(
        check_reply(Source::X, &links, None).unwrap().counted,
        11 * 24 - 1
    );
}

#[test]
fn the_signature_counts_and_uses_the_channel_separator() {
    assert_eq!(
        check_reply(Source::X, &"a".repeat(276), Some("^JD"))
            .unwrap()
            .counted,
        280
    );
    assert!(check_reply(Source::X, &"a".repeat(277), Some("^JD")).is_err());
    let x = ChannelRules::for_source(Source::X);
    assert_eq!(
        x.sign("Thanks, we are on it.  ", Some(" ^JD ")),
        "Thanks, we are on it. ^JD"
    );
    assert_eq!(
        x.sign("Thanks ^JD", Some("^JD")),
        "Thanks ^JD",
        "never signed twice"
    );
    assert_eq!(x.sign("Thanks", Some("  ")), "Thanks");
    assert_eq!(
        ChannelRules::for_source(Source::Messenger).sign("Hi", Some("^JD")),
        "Hi\n^JD"
    );
    assert_eq!(
        ChannelRules::for_source(Source::Email).sign("Hello", Some("Julie D.")),
        "Hello\n\nJulie D."
    );
}

#[test]
fn bluesky_counts_graphemes_and_bytes() {
    assert_eq!(grapheme_length("e\u{301}"), 1);
    assert_eq!(grapheme_length(FAMILY), 1);
    assert_eq!(
        grapheme_length("क्षि"),
        1,
        "a Devanagari conjunct is one grapheme since Unicode 15.1"
    );
    assert!(check_reply(Source::Bluesky, &"e\u{301}".repeat(300), None).is_ok());
    assert!(check_reply(Source::Bluesky, &"é".repeat(301), None).is_err());
    // 121 family emoji are 121 graphemes but 3,025 bytes.
    let rejection = check_reply(Source::Bluesky, &FAMILY.repeat(121), None).unwrap_err();
    assert_eq!(
        rejection.reason,
        RejectionReason::TooLong {
            counted: FAMILY.len() * 121,
            limit: 3000,
            unit: LengthUnit::Bytes
        }
    );
    // Links are not shortened on Bluesky.
    let long_link = format!("https://example.com/{}", "a".repeat(290));
    assert!(check_reply(Source::Bluesky, &long_link, None).is_err());
}

#[test]
fn mastodon_shortens_links_and_remote_mentions() {
    assert_eq!(mastodon_length("@alice@mastodon.social hi"), 9);
    assert_eq!(mastodon_length("@alice hi"), 9);
    assert_eq!(
        mastodon_length("read https://example.com/a/really/long/article/name-here"),
        5 + 23
    );
    assert_eq!(
        mastodon_length("example.com"),
        11,
        "Mastodon links only URLs with a scheme"
    );
    assert!(check_reply(Source::Mastodon, &"a".repeat(500), None).is_ok());
    assert!(check_reply(Source::Mastodon, &"a".repeat(501), None).is_err());
}

#[test]
fn meta_channels_count_code_points_and_email_has_no_limit() {
    assert!(check_reply(Source::Messenger, &"a".repeat(2000), None).is_ok());
    assert!(check_reply(Source::Messenger, &"a".repeat(2001), None).is_err());
    assert!(check_reply(Source::Instagram, &"a".repeat(2201), None).is_err());
    assert!(check_reply(Source::Facebook, &"a".repeat(8000), None).is_ok());
    let long_mail = check_reply(Source::Email, &"word ".repeat(100_000), Some("Julie")).unwrap();
    assert_eq!(long_mail.remaining(), None);
}

#[test]
fn empty_replies_and_channels_without_replies_are_refused() {
    let empty = check_reply(Source::X, " \n\t", Some("^JD")).unwrap_err();
    assert_eq!(empty.to_string(), "the reply is empty");
    let feed = check_reply(Source::Rss, "hello", None).unwrap_err();
    assert_eq!(
        feed.to_string(),
        "there is no way to answer on a feed: answer by e-mail or private message"
    );
    let json =
        serde_json::to_value(check_reply(Source::X, &"a".repeat(300), None).unwrap_err()).unwrap();
    assert_eq!(json["reason"], "too_long");
    assert_eq!(json["counted"], 300);
    assert_eq!(json["channel"], "x");
}

#[test]
fn a_long_answer_becomes_a_numbered_signed_thread_without_cutting_words_or_links() {
    let link = "https://example.com/help/articles/how-to-get-a-refund-for-a-cancelled-flight";
    let text = format!(
        "{} Here is how to get your refund: {link} and then {}",
        "We are very sorry about the delay of your flight this morning.".repeat(4),
        "tell us your booking reference in a private message so we can follow up. ".repeat(3)
    );
    let parts = split_thread(Source::X, &text, Some("^JD")).unwrap();
    let total = parts.len();
    assert!(total >= 2, "{parts:#?}");
    for (index, part) in parts.iter().enumerate() {
        assert!(x_weighted_length(part) <= 280, "{part}");
        assert!(
            part.ends_with(&format!(" {}/{total} ^JD", index + 1)),
            "{part}"
        );
    }
    assert_eq!(
        parts.iter().filter(|part| part.contains(link)).count(),
        1,
        "the link is never cut"
    );
    let words: Vec<&str> = text.split_whitespace().collect();
    let rejoined: Vec<&str> = parts
        .iter()
        .flat_map(|part| {
            let words: Vec<&str> = part.split_whitespace().collect();
            words[..words.len() - 2].to_vec()
        })
        .collect();
    assert_eq!(rejoined, words);
}

#[test]
fn a_short_answer_is_one_part_and_an_overlong_word_is_cut_only_when_needed() {
    assert_eq!(
        split_thread(Source::X, "Thanks!", Some("^JD")).unwrap(),
        ["Thanks! ^JD"]
    );
    let word = "a".repeat(700);
    let parts = split_thread(Source::Bluesky, &word, None).unwrap();
    assert_eq!(parts.len(), 3);
    assert!(parts.iter().all(|part| grapheme_length(part) <= 300));
    assert_eq!(parts.concat().matches('a').count(), 700);
    let paragraphs = format!(
        "{}\n\n{}",
        "Line one. ".repeat(30).trim(),
        "Line two. ".repeat(30).trim()
    );
    let parts = split_thread(Source::X, &paragraphs, None).unwrap();
    assert!(
        parts.iter().any(|part| part.contains("\n\n")),
        "the text's own spacing is kept: {parts:#?}"
    );
    assert!(split_thread(Source::X, "", None).is_err());
    assert!(split_thread(Source::Web, "hello", None).is_err());
    assert_eq!(
        split_thread(Source::Email, &"long ".repeat(10_000), None)
            .unwrap()
            .len(),
        1
    );
}

fn tricky_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "word",
        "mot",
        "日本語",
        "한국어",
        FAMILY,
        "🇫🇷",
        "👍🏽",
        "1️⃣",
        "e\u{301}",
        "क्षि",
        "https://example.com/path",
        "example.com",
        "@alice@mastodon.social",
        " ",
        " ",
        "\n",
        "\u{200D}",
        "\u{FE0F}",
        "\u{301}",
        "“",
        "…",
        "𝕏",
    ]);
    prop_oneof![
        prop::collection::vec(pieces, 0..400).prop_map(|pieces| pieces.concat()),
        any::<String>(),
    ]
}

fn source() -> impl Strategy<Value = Source> {
    prop::sample::select(Source::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn counting_and_checking_never_panic(text in tricky_text(), source in source()) {
        let _ = check_reply(source, &text, Some("^JD"));
        prop_assert!(x_weighted_length(&text) <= 2 * text.chars().count() + 23 * text.len());
        prop_assert!(grapheme_length(&text) <= text.chars().count());
    }

    #[test]
    fn every_part_of_a_thread_fits_and_keeps_the_words(text in tricky_text(), source in source()) {
        let Ok(parts) = split_thread(source, &text, None) else {
            prop_assert!(text.trim().is_empty() || !ChannelRules::for_source(source).can_reply);
            return Ok(());
        };
        let rules = ChannelRules::for_source(source);
        for part in &parts {
            prop_assert!(rules.check(part).is_ok(), "{:?}", rules.check(part));
        }
        if parts.len() > 1 {
            let total = parts.len();
            let bodies: String = parts.iter().enumerate().map(|(index, part)| {
                part.strip_suffix(&format!(" {}/{total}", index + 1)).expect("numbered").to_string()
            }).collect();
            let squeeze = |s: &str| s.split_whitespace().collect::<String>();
            prop_assert_eq!(squeeze(&bodies), squeeze(&text));
        }
    }
}
