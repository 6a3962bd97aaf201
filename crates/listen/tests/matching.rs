//! The query language end to end: parse a query, match it against mentions.

use chrono::{TimeZone, Utc};
use domain::{Author, AuthorType, Enrichment, Intent, Mention, MentionLinks, PublicMetrics, SentimentLabel, Source};
use listen::{extract_entities, parse, MatchDoc};

fn mention(text: &str) -> Mention {
    let entities = extract_entities(text);
    Mention {
        source: Source::X,
        external_id: "1".into(),
        url: None,
        author: Author { handle: "Alice".into(), ..Author::default() },
        title: None,
        text: text.into(),
        language: Some("en".into()),
        created_at: Utc.with_ymd_and_hms(2015, 2, 24, 10, 0, 0).unwrap(),
        links: MentionLinks::default(),
        metrics: PublicMetrics::default(),
        hashtags: entities.hashtags,
        mentioned: entities.mentioned,
        urls: entities.urls,
        raw: String::new(),
    }
}

fn matches(query: &str, mention: &Mention) -> bool {
    parse(query).unwrap_or_else(|e| panic!("{query}: {e}")).matches(&MatchDoc::from_mention(mention))
}

fn matches_text(query: &str, text: &str) -> bool {
    matches(query, &mention(text))
}

#[test]
fn terms_are_accent_and_case_insensitive() {
    assert!(matches_text("café", "CAFE fermé"));
    assert!(matches_text("CAFE", "un café"));
    assert!(matches_text("delay", "Flight DELAYED? no: delay!"));
    assert!(!matches_text("delay", "delayed"), "no stemming in matching");
}

#[test]
fn phrases_need_consecutive_words() {
    assert!(matches_text("\"lost luggage\"", "They LOST luggage again"));
    assert!(!matches_text("\"lost luggage\"", "lost my luggage"));
    assert!(matches_text("l'avion", "L’avion est en retard"), "unquoted multi-word term is a phrase");
    assert!(!matches_text("l'avion", "avion l"));
}

#[test]
fn near_accepts_either_order_within_the_distance() {
    assert!(matches_text("luggage NEAR/3 lost", "lost my luggage"));
    assert!(matches_text("luggage NEAR/3 lost", "luggage was lost"));
    assert!(matches_text("a NEAR/3 b", "a x x x b"));
    assert!(!matches_text("a NEAR/3 b", "a x x x x b"));
    assert!(matches_text("\"lost luggage\" NEAR/2 refund", "refund for the lost luggage"));
    assert!(!matches_text("\"lost luggage\" NEAR/1 refund", "refund for the lost luggage"));
}

#[test]
fn prefixes_match_word_starts() {
    let retard = Mention { language: Some("fr".into()), ..mention("Encore un retard") };
    assert!(matches("lang:fr retard*", &retard));
    assert!(matches("lang:fr retard*", &Mention { language: Some("fr".into()), ..mention("vol retardé") }));
    assert!(!matches("lang:en retard*", &retard));
    assert!(!matches_text("retard*", "en RE-TARD"));
}

#[test]
fn fuzzy_tolerates_two_edits_or_one() {
    for text in ["bagage", "baggage", "bagages", "baggages", "Bagâge"] {
        assert!(matches_text("~bagage", text), "{text}");
    }
    assert!(matches_text("~bagage", "garage"), "garage is two substitutions from bagage");
    assert!(!matches_text("~1bagage", "garage"));
    assert!(matches_text("~1bagage", "baggage"));
    assert!(!matches_text("~1bagage", "baggages"));
    assert!(!matches_text("~bagage", "bag"));
}

#[test]
fn boolean_operators_and_precedence() {
    assert!(matches_text("retard annulé", "vol annulé et retard"));
    assert!(!matches_text("retard AND annulé", "retard seulement"));
    assert!(matches_text("retard OR annulé", "annulé"));
    assert!(matches_text("refund -thanks", "refund please"));
    assert!(!matches_text("refund NOT thanks", "refund thanks"));
    assert!(matches_text("-thanks", "nothing"), "a lone negation matches the rest");
    // NOT > AND > OR: (a AND b) OR c
    assert!(matches_text("a b OR c", "c"));
    assert!(!matches_text("a (b OR c)", "c"));
    assert!(matches_text("a (b OR c)", "a c"));
    assert!(matches_text("NOT a b", "b"));
    assert!(matches_text("*", "anything"));
}

#[test]
fn hashtags_handles_and_fields() {
    let mut tweet = mention("#Retard encore avec @SNCF et @alice.bsky.social https://t.co/x");
    tweet.source = Source::Bluesky;
    tweet.language = Some("FR".into());
    tweet.links.in_reply_to = Some("9".into());
    assert!(matches("#retard", &tweet));
    assert!(matches("retard", &tweet), "a hashtag's word is in the text");
    assert!(!matches("#encore", &tweet));
    assert!(matches("@sncf @Alice.bsky.social", &tweet));
    assert!(matches("alice", &tweet), "handle words are in the text");
    assert!(matches("source:bsky lang:fr author:@ALICE author:alice", &tweet));
    assert!(!matches("source:x", &tweet));
    assert!(matches("has:link is:reply -is:repost", &tweet));
    tweet.links.reposted = Some("8".into());
    assert!(matches("is:repost", &tweet));
}

#[test]
fn enrichment_filters_need_an_enrichment() {
    let complaint = Enrichment {
        sentiment: SentimentLabel::Negative,
        sentiment_confidence: 0.9,
        reason: Some("Delay_or_Cancellation".into()),
        intent: Intent::Complaint,
        author_type: AuthorType::Customer,
        model_version: "test".into(),
    };
    let tweet = mention("vol annulé encore");
    let enriched = MatchDoc::from_mention(&tweet).with_enrichment(Some(&complaint));
    let bare = MatchDoc::from_mention(&tweet);
    let query = |text: &str| parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    for accepted in ["sentiment:negative", "SENTIMENT:Negative intent:complaint", "reason:delay_or_cancellation annule"] {
        assert!(query(accepted).matches(&enriched), "{accepted}");
        assert!(!query(accepted).matches(&bare), "{accepted} without enrichment");
    }
    for refused in ["sentiment:positive", "intent:question", "reason:outage"] {
        assert!(!query(refused).matches(&enriched), "{refused}");
    }
    assert!(query("-sentiment:positive").matches(&bare));
    assert!(parse("sentiment:mixed").unwrap_err().to_string().contains("negative, neutral, positive"));
    assert!(parse("intent:rant").unwrap_err().to_string().contains("outage_report"));
}

#[test]
fn errors_say_what_and_where() {
    let error = |query: &str| parse(query).unwrap_err();
    assert_eq!(error("retard AND (vol OR train").to_string(), "missing closing parenthesis opened at position 11");
    assert_eq!(error("retard AND (vol OR train").offset(), 11);
    assert!(error("a NEAR b").to_string().starts_with("NEAR needs a number, as in NEAR/3"));
    assert!(error("lng:fr").to_string().starts_with("unknown field \"lng\" (known: lang, source, author, has, is, sentiment, intent, reason)"));
    assert!(error("r*").to_string().contains("at least 2 letters"));
    assert!(error("re*ard").to_string().contains("end of one word"));
    assert!(error("source:myspace").to_string().contains("bluesky"));
    assert!(error("a)").to_string().contains("never opened"));
    assert!(error("a OR").to_string().contains("OR at position 2 needs something on each side"));
    assert!(error("(a NEAR/2 b) NEAR/2 c").to_string().contains("NEAR"));
    assert!(error("\"lost").to_string().contains("missing closing quote"));
    assert!(error("   ").to_string().contains("empty"));
    assert!(error("😡").to_string().contains("no letters or digits"));
    assert!(error("()").to_string().contains("empty parentheses"));
}

mod never_panics {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parser_never_panics(query in "\\PC{0,40}") {
            let _ = listen::parse(&query);
        }

        #[test]
        fn parser_never_panics_on_query_like_text(
            query in "([a-zé~*#@:\"()\\- ]|AND |OR |NOT |NEAR/|NEAR/2 |lang:|is:|~1|[0-9]){0,20}"
        ) {
            if let Ok(parsed) = listen::parse(&query) {
                let doc = listen::MatchDoc::from_mention(&super::mention("a é b"));
                let _ = parsed.matches(&doc);
            }
        }
    }
}

#[test]
fn a_query_narrowed_by_another_keeps_its_or_inside() {
    let narrowed = parse("retard OR delay").unwrap().and(&parse("-merci").unwrap());
    let doc = |text: &str| MatchDoc::from_mention(&mention(text));
    assert!(narrowed.matches(&doc("delay again")));
    assert!(!narrowed.matches(&doc("delay, merci")), "the exclusion applies to both sides of the OR");
    assert!(!narrowed.matches(&doc("bonjour")));
    let everything = parse("*").unwrap().and(&parse("retard").unwrap());
    assert_eq!(everything.root(), parse("retard").unwrap().root());
    assert_eq!(parse("a b").unwrap().and(&parse("c").unwrap()).root(), parse("a b c").unwrap().root());
}
