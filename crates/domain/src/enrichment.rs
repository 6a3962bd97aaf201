//! What the understanding models say about a mention: sentiment, complaint reason,
//! intent, author type, and the version of the models that said it.
//!
//! The `nlp` crate computes these; the store keeps them next to each mention so a
//! figure can always be traced to the model that produced it.

use serde::{Deserialize, Serialize};

/// The three sentiment classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SentimentLabel {
    Negative,
    Neutral,
    Positive,
}

impl SentimentLabel {
    pub const ALL: [SentimentLabel; 3] = [
        SentimentLabel::Negative,
        SentimentLabel::Neutral,
        SentimentLabel::Positive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SentimentLabel::Negative => "negative",
            SentimentLabel::Neutral => "neutral",
            SentimentLabel::Positive => "positive",
        }
    }

    /// Parses `negative`, `neutral` or `positive` (any case, surrounding spaces ignored).
    pub fn parse(label: &str) -> Option<SentimentLabel> {
        match label.trim().to_ascii_lowercase().as_str() {
            "negative" => Some(SentimentLabel::Negative),
            "neutral" => Some(SentimentLabel::Neutral),
            "positive" => Some(SentimentLabel::Positive),
            _ => None,
        }
    }
}

/// A sentiment label with the model's probability for it, in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    pub label: SentimentLabel,
    pub confidence: f32,
}

/// What the author wants from the post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Complaint,
    Question,
    Praise,
    Suggestion,
    OutageReport,
    PurchaseIntent,
    SpamOrNoise,
    Other,
}

impl Intent {
    pub const ALL: [Intent; 8] = [
        Intent::Complaint,
        Intent::Question,
        Intent::Praise,
        Intent::Suggestion,
        Intent::OutageReport,
        Intent::PurchaseIntent,
        Intent::SpamOrNoise,
        Intent::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Complaint => "complaint",
            Intent::Question => "question",
            Intent::Praise => "praise",
            Intent::Suggestion => "suggestion",
            Intent::OutageReport => "outage_report",
            Intent::PurchaseIntent => "purchase_intent",
            Intent::SpamOrNoise => "spam_or_noise",
            Intent::Other => "other",
        }
    }

    /// Parses a name of [`Intent::as_str`] (any case, surrounding spaces ignored).
    pub fn parse(name: &str) -> Option<Intent> {
        let name = name.trim().to_ascii_lowercase();
        Intent::ALL.into_iter().find(|intent| intent.as_str() == name)
    }
}

/// Who the author is, as far as their profile and behaviour tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorType {
    Customer,
    Prospect,
    JournalistOrMedia,
    Activist,
    Influencer,
    BrandOrOfficial,
    Employee,
    Bot,
}

impl AuthorType {
    pub const ALL: [AuthorType; 8] = [
        AuthorType::Customer,
        AuthorType::Prospect,
        AuthorType::JournalistOrMedia,
        AuthorType::Activist,
        AuthorType::Influencer,
        AuthorType::BrandOrOfficial,
        AuthorType::Employee,
        AuthorType::Bot,
    ];

    /// Parses a name of [`AuthorType::as_str`] (any case, surrounding spaces ignored).
    pub fn parse(name: &str) -> Option<AuthorType> {
        let name = name.trim().to_ascii_lowercase();
        AuthorType::ALL.into_iter().find(|author_type| author_type.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AuthorType::Customer => "customer",
            AuthorType::Prospect => "prospect",
            AuthorType::JournalistOrMedia => "journalist_or_media",
            AuthorType::Activist => "activist",
            AuthorType::Influencer => "influencer",
            AuthorType::BrandOrOfficial => "brand_or_official",
            AuthorType::Employee => "employee",
            AuthorType::Bot => "bot",
        }
    }
}

/// Everything the understanding models add to one mention.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enrichment {
    pub sentiment: SentimentLabel,
    /// The sentiment model's probability for `sentiment`, in [0, 1].
    pub sentiment_confidence: f32,
    /// The complaint reason, from the reason model's label set (the default
    /// customer-care taxonomy unless a brand trained its own); only for negative mentions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub intent: Intent,
    pub author_type: AuthorType,
    /// Which models produced this (`sentiment-en:1a2b3c4d,sentiment-fr:…,reason:…,rules:1`).
    pub model_version: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enrichment_serialises_with_snake_case_names() {
        let enrichment = Enrichment {
            sentiment: SentimentLabel::Negative,
            sentiment_confidence: 0.9,
            reason: Some("delay_or_cancellation".into()),
            intent: Intent::OutageReport,
            author_type: AuthorType::JournalistOrMedia,
            model_version: "test".into(),
        };
        let json = serde_json::to_string(&enrichment).unwrap();
        assert!(json.contains("\"negative\""));
        assert!(json.contains("\"outage_report\""));
        assert!(json.contains("\"journalist_or_media\""));
        let back: Enrichment = serde_json::from_str(&json).unwrap();
        assert_eq!(back, enrichment);
    }

    #[test]
    fn sentiment_labels_parse_loosely() {
        assert_eq!(
            SentimentLabel::parse(" Positive "),
            Some(SentimentLabel::Positive)
        );
        assert_eq!(SentimentLabel::parse("mixed"), None);
    }

    #[test]
    fn every_intent_parses_back_from_its_name() {
        for intent in Intent::ALL {
            assert_eq!(Intent::parse(&intent.as_str().to_uppercase()), Some(intent));
        }
        assert_eq!(Intent::parse("rant"), None);
    }
}
