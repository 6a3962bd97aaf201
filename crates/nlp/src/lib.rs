//! Understanding social posts: language, sentiment, complaint reason, intent, author
//! type and real influence. Pure compute, no I/O: the shipped models are embedded in
//! the binary. See `docs/understanding.md` for the method and the figures.

mod analyzer;
mod author;
mod error;
mod evaluation;
mod features;
mod influence;
mod intent;
mod language;
mod lexicon;
mod model;
mod reason;
mod text;
mod training;

pub use analyzer::{Analyzer, AnalyzerModels, RULES_VERSION};
pub use author::{author_type, AuthorBehaviour};
pub use error::NlpError;
pub use evaluation::{cross_validate, cross_validated_predictions, score, ClassScore, Scores};
pub use features::FEATURE_SET_VERSION;
pub use influence::{Echo, InfluenceState};
pub use language::{detect_language, LanguageGuess};
pub use reason::{airline_reason_to_taxonomy, reason_from_keywords, DEFAULT_REASONS};
pub use model::{train_classifier, Model, ModelCard, Prediction, TrainOptions};
