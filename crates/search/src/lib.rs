#![doc = include_str!("../README.md")]

mod aggregate;
mod error;
mod facets;
mod index;
mod positional;
mod request;
mod schema;
mod tokenizer;
mod translate;

pub use aggregate::{Aggregates, BucketSeries, Buckets};
pub use error::{Result, SearchError};
pub use index::{current_schema, SearchIndex};
pub use request::{Facets, Hit, SearchRequest, SearchResults, Sort, TimeRange};
pub use schema::SCHEMA_VERSION;
