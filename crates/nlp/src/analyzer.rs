//! The analyser: one call gives a mention its whole enrichment.

use domain::{Author, AuthorType, Enrichment, Intent, Sentiment, SentimentLabel};

use crate::author::{AuthorBehaviour, author_type};
use crate::error::NlpError;
use crate::features::{PreparedText, prepare};
use crate::intent::classify_intent;
use crate::language::detect_language;
use crate::model::Model;
use crate::reason::{DEFAULT_REASONS, keyword_reason};

/// Version of the hand-written rules (intent, author type, reason keywords, lexicon);
/// part of every enrichment's `model_version`. Raise it when a rule changes.
pub const RULES_VERSION: u32 = 1;

/// Longer texts are read up to this many bytes (cut at a character boundary): a 10 MB
/// paste gets an answer in about a millisecond instead of a second, and the opening of
/// a post carries its tone anyway.
pub const MAX_ANALYZED_BYTES: usize = 64 * 1024;

/// `text` cut to at most [`MAX_ANALYZED_BYTES`], at a character boundary.
fn bounded(text: &str) -> &str {
    if text.len() <= MAX_ANALYZED_BYTES {
        return text;
    }
    let mut end = MAX_ANALYZED_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Reason given to a negative mention no model or keyword explains.
const OTHER_REASON: &str = "other";

/// The models an [`Analyzer`] uses.
#[derive(Debug, Clone)]
pub struct AnalyzerModels {
    /// Sentiment for English, and for any language without its own model.
    pub english_sentiment: Model,
    /// Sentiment for French; `None` uses the English model for French too.
    pub french_sentiment: Option<Model>,
    /// Complaint reason; `None` uses the keyword rules alone (default taxonomy).
    pub reason: Option<Model>,
}

/// Runs every enrichment on a text. Immutable once built: share it between threads.
#[derive(Debug, Clone)]
pub struct Analyzer {
    models: AnalyzerModels,
    version: String,
}

#[cfg(feature = "embedded-models")]
mod embedded {
    pub const ENGLISH_SENTIMENT: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/sentiment-en.cptm"
    ));
    pub const FRENCH_SENTIMENT: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/sentiment-fr.cptm"
    ));
    pub const REASON: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/reason-en.cptm"
    ));
    pub const AIRLINE_REASON: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/reason-airline.cptm"
    ));
}

#[cfg(feature = "embedded-models")]
impl Default for Analyzer {
    /// The analyser with the models shipped in `models/` (embedded in the binary).
    /// Their training data is non-commercial: see `models/README.md`.
    fn default() -> Analyzer {
        Analyzer::with_models(Analyzer::embedded_models())
            .expect("shipped models have the expected labels")
    }
}

#[cfg(feature = "embedded-models")]
impl Analyzer {
    /// The models shipped in `models/`, to replace some by a brand's own.
    pub fn embedded_models() -> AnalyzerModels {
        let load = |bytes: &[u8]| Model::from_bytes(bytes).expect("shipped models are valid");
        AnalyzerModels {
            english_sentiment: load(embedded::ENGLISH_SENTIMENT),
            french_sentiment: Some(load(embedded::FRENCH_SENTIMENT)),
            reason: Some(load(embedded::REASON)),
        }
    }

    /// The shipped reason model that speaks the airline data set's own ten
    /// `negativereason` labels verbatim (`Late Flight`, `Customer Service Issue`…;
    /// task `reason-airline`), for evaluating on that data and for the airline demo
    /// brand: put it in [`AnalyzerModels::reason`]. Non-commercial (CC BY-NC-SA 4.0).
    pub fn embedded_airline_reason_model() -> Model {
        Model::from_bytes(embedded::AIRLINE_REASON).expect("shipped models are valid")
    }
}

impl Analyzer {
    /// An analyser with the given models; sentiment models must have exactly the labels
    /// `negative`, `neutral`, `positive`.
    pub fn with_models(models: AnalyzerModels) -> Result<Analyzer, NlpError> {
        for model in std::iter::once(&models.english_sentiment).chain(&models.french_sentiment) {
            let labels: Vec<&str> = model.labels().iter().map(String::as_str).collect();
            if labels != ["negative", "neutral", "positive"] {
                return Err(NlpError::InvalidModel(format!(
                    "a sentiment model needs the labels negative, neutral, positive; {} has {labels:?}",
                    model.card().task
                )));
            }
        }
        let mut parts: Vec<String> = std::iter::once(&models.english_sentiment)
            .chain(&models.french_sentiment)
            .chain(&models.reason)
            .map(Model::version)
            .collect();
        parts.push(format!("rules:{RULES_VERSION}"));
        Ok(Analyzer {
            version: parts.join(","),
            models,
        })
    }

    /// The reasons this analyser can give: the reason model's labels plus those only the
    /// keyword rules give (outage, billing…) when the model speaks the default taxonomy;
    /// the default taxonomy without a reason model.
    pub fn reason_labels(&self) -> Vec<String> {
        let Some(model) = &self.models.reason else {
            return DEFAULT_REASONS
                .iter()
                .map(|reason| reason.to_string())
                .collect();
        };
        let mut labels = model.labels().to_vec();
        let default_taxonomy = labels
            .iter()
            .all(|label| DEFAULT_REASONS.contains(&label.as_str()));
        if default_taxonomy {
            labels.extend(DEFAULT_REASONS.iter().map(|reason| reason.to_string()));
            labels.push(OTHER_REASON.to_string());
        }
        labels.sort();
        labels.dedup();
        labels
    }

    /// Identifies the models and rules, as stored with every enrichment.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Enriches one mention. `language` is the ISO 639-1 code when known; otherwise it is
    /// detected. The author's behaviour is unknown here: see [`Analyzer::analyze_with_behaviour`].
    pub fn analyze(&self, text: &str, language: Option<&str>, author: &Author) -> Enrichment {
        self.analyze_with_behaviour(text, language, author, &AuthorBehaviour::default())
    }

    pub fn analyze_with_behaviour(
        &self,
        text: &str,
        language: Option<&str>,
        author: &Author,
        behaviour: &AuthorBehaviour,
    ) -> Enrichment {
        let text = bounded(text);
        let prepared = prepare(text);
        let french = is_french(text, language);
        let sentiment = self.sentiment_of(&prepared, french);
        let intent = classify_intent(text, &prepared, sentiment);
        let reason = self.reason_of(&prepared, french, sentiment, intent);
        let mut author_type = author_type(author, behaviour);
        if author_type == AuthorType::Customer && intent == Intent::PurchaseIntent {
            author_type = AuthorType::Prospect;
        }
        Enrichment {
            sentiment: sentiment.label,
            sentiment_confidence: sentiment.confidence,
            reason,
            intent,
            author_type,
            model_version: self.version.clone(),
        }
    }

    /// Sentiment alone.
    pub fn sentiment(&self, text: &str, language: Option<&str>) -> Sentiment {
        let text = bounded(text);
        self.sentiment_of(&prepare(text), is_french(text, language))
    }

    fn sentiment_of(&self, prepared: &PreparedText, french: bool) -> Sentiment {
        let model = match (&self.models.french_sentiment, french) {
            (Some(french_model), true) => french_model,
            _ => &self.models.english_sentiment,
        };
        let (best, confidence) = model.best_prepared(prepared);
        let label =
            SentimentLabel::parse(&model.labels()[best]).expect("labels checked in with_models");
        Sentiment { label, confidence }
    }

    /// A reason for complaints and outage reports (and any negative post); `None` else.
    fn reason_of(
        &self,
        prepared: &PreparedText,
        french: bool,
        sentiment: Sentiment,
        intent: Intent,
    ) -> Option<String> {
        let complains = matches!(intent, Intent::Complaint | Intent::OutageReport);
        if !complains && sentiment.label != SentimentLabel::Negative {
            return None;
        }
        let model = self.models.reason.as_ref();
        let model_knows =
            |label: &str| model.is_some_and(|m| m.labels().iter().any(|l| l == label));
        // The keyword rules speak the default taxonomy; with a brand's own taxonomy they
        // only give the labels that taxonomy also has.
        let default_taxonomy = model.is_none_or(|m| {
            m.labels()
                .iter()
                .all(|l| DEFAULT_REASONS.contains(&l.as_str()))
        });
        let allowed = |label: &str| default_taxonomy || model_knows(label);
        if intent == Intent::OutageReport && allowed("outage") {
            return Some("outage".into());
        }
        let keywords = keyword_reason(&prepared.tokens).filter(|(label, _)| allowed(label));
        let prediction = model.filter(|_| !french).map(|m| {
            let (best, confidence) = m.best_prepared(prepared);
            (m.labels()[best].as_str(), confidence)
        });
        let reason = match (prediction, keywords) {
            // The keywords know reasons the model was never shown (billing, outage): they
            // win when they are clear or the model hesitates.
            (Some((_, confidence)), Some((label, hits)))
                if !model_knows(label) && (hits >= 2 || confidence < 0.6) =>
            {
                label.to_string()
            }
            (Some((label, _)), _) => label.to_string(),
            (None, Some((label, _))) => label.to_string(),
            (None, None) => OTHER_REASON.to_string(),
        };
        Some(reason)
    }
}

fn is_french(text: &str, language: Option<&str>) -> bool {
    match language {
        Some(code) => code.eq_ignore_ascii_case("fr"),
        None => detect_language(text).is_some_and(|guess| guess.code == "fr"),
    }
}
