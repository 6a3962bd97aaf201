#![doc = include_str!("../README.md")]

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

pub use analyzer::{Analyzer, AnalyzerModels, MAX_ANALYZED_BYTES, RULES_VERSION};
pub use author::{author_type, AuthorBehaviour};
pub use error::NlpError;
pub use evaluation::{cross_validate, cross_validated_predictions, score, ClassScore, Scores};
pub use features::FEATURE_SET_VERSION;
pub use influence::{Echo, InfluenceState};
pub use language::{detect_language, LanguageGuess};
pub use reason::{airline_reason_to_taxonomy, reason_from_keywords, DEFAULT_REASONS};
pub use model::{train_classifier, Model, ModelCard, Prediction, TrainOptions};
