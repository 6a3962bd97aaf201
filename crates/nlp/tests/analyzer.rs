//! Behaviour of the shipped models through the public API.

#![cfg(feature = "embedded-models")]

use domain::{Author, AuthorType, Intent, SentimentLabel};
use nlp::{Analyzer, Model};

fn analyzer() -> &'static Analyzer {
    static ANALYZER: std::sync::OnceLock<Analyzer> = std::sync::OnceLock::new();
    ANALYZER.get_or_init(Analyzer::default)
}

fn sentiment(text: &str, language: &str) -> SentimentLabel {
    analyzer().sentiment(text, Some(language)).label
}

#[test]
fn negation_flips_in_both_languages() {
    assert_ne!(sentiment("not bad at all", "en"), SentimentLabel::Negative);
    assert_eq!(
        sentiment("the food was not good", "en"),
        SentimentLabel::Negative
    );
    assert_eq!(
        sentiment("franchement c'est pas terrible", "fr"),
        SentimentLabel::Negative
    );
    assert_ne!(
        sentiment("pas mal du tout ce nouveau service", "fr"),
        SentimentLabel::Negative
    );
    assert_eq!(
        sentiment("le service n'est jamais rapide", "fr"),
        SentimentLabel::Negative
    );
}

#[test]
fn elongations_emoji_and_slang() {
    assert_eq!(sentiment("c'est nuuuuul", "fr"), SentimentLabel::Negative);
    assert_eq!(
        sentiment("soooo slow today", "en"),
        SentimentLabel::Negative
    );
    assert_eq!(
        sentiment("trop bien le nouveau train 😍", "fr"),
        SentimentLabel::Positive
    );
    assert_eq!(
        sentiment("vraiment relou ce retard", "fr"),
        SentimentLabel::Negative
    );
    assert_eq!(sentiment("@delta 😡😡😡", "en"), SentimentLabel::Negative);
    assert_eq!(
        sentiment("@delta ❤️❤️ best crew ever", "en"),
        SentimentLabel::Positive
    );
    assert_eq!(
        sentiment("thx for the upgrade :)", "en"),
        SentimentLabel::Positive
    );
}

#[test]
fn irony_and_ironic_thanks_are_negative() {
    assert_eq!(
        sentiment("great job losing my bag again 🙄", "en"),
        SentimentLabel::Negative
    );
    assert_eq!(
        sentiment("thanks for nothing @united", "en"),
        SentimentLabel::Negative
    );
    assert_eq!(
        sentiment("merci pour rien la sncf", "fr"),
        SentimentLabel::Negative
    );
    assert_eq!(
        sentiment("bravo la sncf, encore en retard", "fr"),
        SentimentLabel::Negative
    );
}

#[test]
fn french_negation_brackets_the_verb() {
    assert_eq!(
        sentiment("j'aime pas ce train", "fr"),
        SentimentLabel::Negative
    );
    assert_eq!(
        sentiment("mon colis n'est jamais arrivé", "fr"),
        SentimentLabel::Negative
    );
    assert_ne!(
        sentiment("ce n'est pas mal", "fr"),
        SentimentLabel::Negative
    );
}

#[test]
fn clear_sentiment_in_both_languages() {
    assert_eq!(
        sentiment("Merci pour votre aide, super service !", "fr"),
        SentimentLabel::Positive
    );
    assert_eq!(
        sentiment("Vol annulé, personne pour nous renseigner, honteux", "fr"),
        SentimentLabel::Negative
    );
    assert_eq!(
        sentiment("@united lost my bag again, worst airline", "en"),
        SentimentLabel::Negative
    );
    assert_eq!(
        sentiment("@united thank you so much, great flight!", "en"),
        SentimentLabel::Positive
    );
}

#[test]
fn negative_mentions_get_reasons_in_both_languages() {
    let author = Author::default();
    let reason =
        |text: &str, language: &str| analyzer().analyze(text, Some(language), &author).reason;
    assert_eq!(
        reason(
            "@united my flight is delayed 4 hours and now Cancelled Flightled",
            "en"
        )
        .as_deref(),
        Some("delay_or_cancellation")
    );
    assert_eq!(
        reason("@united you lost my luggage, terrible", "en").as_deref(),
        Some("lost_or_damaged_item")
    );
    assert_eq!(
        reason("Encore 2h de retard, train annulé, honteux", "fr").as_deref(),
        Some("delay_or_cancellation")
    );
    assert_eq!(
        reason("toujours pas remboursé, c'est inadmissible", "fr").as_deref(),
        Some("billing_and_refunds")
    );
    assert_eq!(
        reason("mon colis n'est jamais arrivé", "fr").as_deref(),
        Some("lost_or_damaged_item")
    );
    assert_eq!(
        reason("the flight attendant was so rude to me", "en").as_deref(),
        Some("staff_behaviour")
    );
    assert_eq!(
        reason(
            "I was charged twice for my ticket and still no refund",
            "en"
        )
        .as_deref(),
        Some("billing_and_refunds")
    );
    assert_eq!(
        reason("@united thank you so much, great flight!", "en"),
        None
    );
}

#[test]
fn intents_and_prospects() {
    let author = Author {
        handle: "alice".into(),
        ..Author::default()
    };
    let analyze = |text: &str| analyzer().analyze(text, None, &author);
    assert_eq!(
        analyze("How do I change the name on my booking?").intent,
        Intent::Question
    );
    assert_eq!(
        analyze("@acme your site is down").intent,
        Intent::OutageReport
    );
    assert_eq!(
        analyze("@acme your site is down").reason.as_deref(),
        Some("outage")
    );
    let prospect = analyze("I want to buy the premium plan, is there a discount?");
    assert_eq!(prospect.intent, Intent::PurchaseIntent);
    assert_eq!(prospect.author_type, AuthorType::Prospect);
    assert_eq!(
        analyze("@acme worst service ever, still waiting for my refund").intent,
        Intent::Complaint
    );
    assert_eq!(
        analyze("Great service today, thank you!").intent,
        Intent::Praise
    );
}

#[test]
fn enrichment_names_its_models() {
    let enrichment = analyzer().analyze("ok", Some("en"), &Author::default());
    assert!(
        enrichment.model_version.starts_with("sentiment-en:"),
        "{}",
        enrichment.model_version
    );
    assert!(enrichment.model_version.contains("sentiment-fr:"));
    assert!(
        enrichment
            .model_version
            .ends_with(&format!("rules:{}", nlp::RULES_VERSION))
    );
    assert!((0.0..=1.0).contains(&enrichment.sentiment_confidence));
}

#[test]
fn a_trained_model_round_trips_through_bytes() {
    let examples: Vec<(String, String)> = [
        ("late again", "delay"),
        ("flight delayed", "delay"),
        ("delayed two hours", "delay"),
        ("lost my bag", "luggage"),
        ("bag damaged", "luggage"),
        ("where is my suitcase", "luggage"),
    ]
    .iter()
    .map(|(text, label)| (text.to_string(), label.to_string()))
    .collect();
    let options = nlp::TrainOptions {
        hash_bits: 12,
        epochs: 30,
        ..nlp::TrainOptions::default()
    };
    let model = nlp::train_classifier(&examples, &options).unwrap();
    assert_eq!(model.predict("my flight is delayed").label, "delay");
    assert_eq!(model.predict("they lost my bag").label, "luggage");
    let bytes = model.to_bytes();
    let back = Model::from_bytes(&bytes).unwrap();
    assert_eq!(back.to_bytes(), bytes);
    assert_eq!(back.version(), model.version());
    assert_eq!(
        back.predict("delayed").probabilities,
        model.predict("delayed").probabilities
    );
    // Same data and seed give the same bytes.
    assert_eq!(
        nlp::train_classifier(&examples, &options)
            .unwrap()
            .to_bytes(),
        bytes
    );
    assert!(Model::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    assert!(Model::from_bytes(b"not a model").is_err());
}
