#![doc = include_str!("../README.md")]

mod analyzer;
mod author;
mod embeddings;
mod error;
mod evaluation;
mod features;
mod influence;
mod intent;
mod language;
mod lexicon;
mod model;
mod polarity;
mod reason;
mod text;
mod training;

pub use analyzer::{Analyzer, AnalyzerModels, MAX_ANALYZED_BYTES, RULES_VERSION};
pub use author::{AuthorBehaviour, author_type};
pub use error::NlpError;
pub use evaluation::{
    ClassScore, Scores, cross_validate, cross_validated_predictions,
    cross_validated_predictions_weighted, score,
};
pub use features::FEATURE_SET_VERSION;
pub use influence::{Echo, InfluenceState};
pub use language::{LanguageGuess, detect_language};
pub use model::{
    Model, ModelCard, Prediction, TrainOptions, train_classifier, train_classifier_weighted,
};
pub use reason::{DEFAULT_REASONS, airline_reason_to_taxonomy, reason_from_keywords};
