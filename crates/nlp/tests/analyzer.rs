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

/// Example weights (the annotators' confidence) change what is learnt: a label seen
/// only with weight 0 is never predicted, and bad weights are refused.
#[test]
fn example_weights_count_in_training() {
    let mut examples: Vec<(String, String)> = Vec::new();
    for _ in 0..5 {
        examples.push(("flight delayed again".into(), "delay".into()));
        examples.push(("lost my bag".into(), "luggage".into()));
    }
    // The same text, labelled the other way, by annotators who were not sure.
    for _ in 0..10 {
        examples.push(("flight delayed again".into(), "luggage".into()));
    }
    let weights: Vec<f32> = (0..examples.len())
        .map(|index| if index < 10 { 1.0 } else { 0.0 })
        .collect();
    let options = nlp::TrainOptions {
        hash_bits: 12,
        epochs: 30,
        balance_classes: false,
        ..nlp::TrainOptions::default()
    };
    let weighted = nlp::train_classifier_weighted(&examples, Some(&weights), &options).unwrap();
    assert_eq!(weighted.predict("flight delayed again").label, "delay");
    let unweighted = nlp::train_classifier(&examples, &options).unwrap();
    assert_eq!(unweighted.predict("flight delayed again").label, "luggage");
    assert!(nlp::train_classifier_weighted(&examples, Some(&weights[1..]), &options).is_err());
    let mut negative = weights.clone();
    negative[0] = -1.0;
    assert!(nlp::train_classifier_weighted(&examples, Some(&negative), &options).is_err());
    negative[0] = f32::NAN;
    assert!(nlp::train_classifier_weighted(&examples, Some(&negative), &options).is_err());
}

/// Word vectors carry what the hashed features cannot: a word no training example
/// had, but whose vector is near those of the training words, gets their label.
#[test]
fn word_vectors_generalise_to_unseen_words() {
    let examples: Vec<(String, String)> = [
        ("suitcase", "luggage"),
        ("baggage", "luggage"),
        ("bags", "luggage"),
        ("backpack", "luggage"),
        ("delayed", "delay"),
        ("postponed", "delay"),
        ("late", "delay"),
        ("cancelled", "delay"),
    ]
    .iter()
    .map(|(text, label)| (text.to_string(), label.to_string()))
    .collect();
    let options = nlp::TrainOptions {
        hash_bits: 12,
        epochs: 50,
        dense_scale: 3.0,
        ..nlp::TrainOptions::default()
    };
    let model = nlp::train_classifier(&examples, &options).unwrap();
    assert_eq!(model.predict("luggage").label, "luggage");
    assert_eq!(model.predict("rescheduled").label, "delay");
    let without = nlp::TrainOptions {
        dense_scale: 0.0,
        ..options
    };
    let model = nlp::train_classifier(&examples, &without).unwrap();
    // Without vectors, an unseen word gets the same answer whatever it means.
    assert_eq!(
        model.predict("luggage").label,
        model.predict("rescheduled").label
    );
}

#[test]
fn the_airline_reason_model_speaks_the_airline_labels() {
    let model = Analyzer::embedded_airline_reason_model();
    assert_eq!(model.card().task, "reason-airline");
    let mut labels = model.labels().to_vec();
    labels.sort();
    assert_eq!(
        labels,
        [
            "Bad Flight",
            "Can't Tell",
            "Cancelled Flight",
            "Customer Service Issue",
            "Damaged Luggage",
            "Flight Attendant Complaints",
            "Flight Booking Problems",
            "Late Flight",
            "Lost Luggage",
            "longlines",
        ]
    );
    let mut models = Analyzer::embedded_models();
    models.reason = Some(model);
    let airline = Analyzer::with_models(models).unwrap();
    assert!(
        airline
            .reason_labels()
            .iter()
            .any(|label| label == "Late Flight")
    );
    let reason = airline
        .analyze(
            "@united flight delayed 3 hours, still sitting at the gate",
            Some("en"),
            &Author::default(),
        )
        .reason;
    assert_eq!(reason.as_deref(), Some("Late Flight"));
    assert!(airline.version().contains("reason-airline:"));
}

/// Old model files (feature set 1) are refused, not silently misread.
#[test]
fn models_of_another_feature_set_are_refused() {
    let bytes = Analyzer::embedded_airline_reason_model().to_bytes();
    let header_length = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
    let header = String::from_utf8(bytes[12..12 + header_length].to_vec()).unwrap();
    let current = format!("\"feature_set\":{}", nlp::FEATURE_SET_VERSION);
    assert!(header.contains(&current));
    let old = header.replace(&current, "\"feature_set\":1");
    let mut old_bytes = bytes[..8].to_vec();
    old_bytes.extend_from_slice(&(old.len() as u32).to_le_bytes());
    old_bytes.extend_from_slice(old.as_bytes());
    old_bytes.extend_from_slice(&bytes[12 + header_length..]);
    let error = Model::from_bytes(&old_bytes).unwrap_err().to_string();
    assert!(error.contains("feature set 1"), "{error}");
}

/// Fuzz-style: thousands of arbitrary strings (random code points from every range,
/// the tokeniser's special characters, long runs) always get a defined enrichment.
#[test]
fn arbitrary_text_never_panics() {
    // SplitMix64, fixed seed: the same strings on every run.
    let mut state = 0x00c0_ffee_u64;
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    const SPECIAL: &[&str] = &[
        "@",
        "#",
        "'",
        "’",
        "-",
        "_",
        ":",
        ";",
        "(",
        ")",
        "<",
        "3",
        "&amp;",
        "&",
        "http",
        "www.",
        "!",
        "?",
        "…",
        ".",
        " ",
        "\n",
        "\u{200d}",
        "\u{fe0f}",
        "\u{301}",
        "😡",
        "🙂",
        "n'",
        "pas",
        "not",
        "ne",
        "plus",
        "İ",
        "ß",
        "ǅ",
        "Σ",
        "中文",
        "العربية",
        "😀😀😀",
        "aaaa",
        "ÉÉÉ",
    ];
    let author = Author::default();
    for case in 0..3_000 {
        let mut text = String::new();
        let length = next() % 40;
        for _ in 0..length {
            match next() % 4 {
                0 => text.push_str(SPECIAL[(next() % SPECIAL.len() as u64) as usize]),
                1 => text.push(char::from(b'a' + (next() % 26) as u8)),
                2 => text.push(char::from((next() % 128) as u8)),
                _ => {
                    if let Some(character) = char::from_u32((next() % 0x11_0000) as u32) {
                        text.push(character);
                    }
                }
            }
        }
        let language = [None, Some("en"), Some("fr"), Some("xx")][case % 4];
        let enrichment = analyzer().analyze(&text, language, &author);
        assert!(
            enrichment.sentiment_confidence.is_finite()
                && (0.0..=1.0).contains(&enrichment.sentiment_confidence),
            "{text:?}"
        );
        let _ = nlp::detect_language(&text);
    }
}

#[test]
fn odd_inputs_get_defined_answers() {
    let author = Author::default();
    let huge = "retard annulé 😡 lost bag ".repeat(400_000); // ~10 MB
    let long_word = "a".repeat(1_000_000);
    for text in [
        "",
        " ",
        "😡",
        "🙂",
        "中文的推文很长",
        "Привет мир",
        "مرحبا",
        "retard 😡 delay 中文 Привет",
        huge.as_str(),
        long_word.as_str(),
    ] {
        for language in [None, Some("en"), Some("fr"), Some("zz")] {
            let enrichment = analyzer().analyze(text, language, &author);
            assert!((0.0..=1.0).contains(&enrichment.sentiment_confidence));
        }
    }
    let empty = analyzer().analyze("", None, &author);
    assert_eq!(empty.intent, Intent::SpamOrNoise);
}

/// Seed-averaged runs and per-class scaling are deterministic, change the model, and
/// bad values are refused.
#[test]
fn averaged_runs_and_per_class_scaling_train_deterministically() {
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
    let base = nlp::TrainOptions {
        hash_bits: 12,
        epochs: 30,
        ..nlp::TrainOptions::default()
    };
    let single = nlp::train_classifier(&examples, &base).unwrap().to_bytes();
    for options in [
        nlp::TrainOptions {
            averaged_runs: 3,
            ..base.clone()
        },
        nlp::TrainOptions {
            per_class_scaling: true,
            bigram_scale: 1.5,
            ..base.clone()
        },
    ] {
        let model = nlp::train_classifier(&examples, &options).unwrap();
        assert_ne!(model.to_bytes(), single);
        assert_eq!(
            nlp::train_classifier(&examples, &options)
                .unwrap()
                .to_bytes(),
            model.to_bytes()
        );
        assert_eq!(model.predict("my flight is delayed").label, "delay");
        assert_eq!(model.predict("they lost my bag").label, "luggage");
    }
    for bad in [
        nlp::TrainOptions {
            averaged_runs: 0,
            ..base.clone()
        },
        nlp::TrainOptions {
            averaged_runs: 17,
            ..base.clone()
        },
        nlp::TrainOptions {
            bigram_scale: f32::NAN,
            ..base.clone()
        },
    ] {
        assert!(nlp::train_classifier(&examples, &bad).is_err());
    }
}
