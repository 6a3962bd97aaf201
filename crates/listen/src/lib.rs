#![doc = include_str!("../README.md")]

pub mod analysis;
pub mod matcher;
pub mod normalize;
pub mod positions;
pub mod query;

pub use analysis::{fold, for_each_word};
pub use matcher::{reason_key, MatchDoc, TopicMatcher, TopicQueryError};
pub use normalize::{extract_entities, normalize_text, Entities};
pub use query::{parse, Expr, FieldFilter, Query, QueryError};
