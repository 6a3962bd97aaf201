//! Comptoir's use cases: the ingestion pipeline, search, reindex, the demo simulator
//! and the benchmarks. The only crate that combines the store, the search index, the
//! connectors and the language tools.

mod app;
pub mod bench;
mod config;
mod counters;
pub mod demo;
pub mod early_warning;
pub mod eval;
mod error;
mod import;
pub mod live;
mod ingest;
mod neardup;
mod prepare;
mod understanding;
mod writer;

pub use app::{App, SearchOutput};
pub use config::{Config, ConnectorsConfig, IngestConfig, MetaConfig, ModelsConfig};
pub use counters::Counters;
pub use error::ServiceError;
pub use import::{import_records, ImportOptions};
pub use ingest::{start_ingest_thread, IngestHandle, IngestJob};
pub use prepare::{prepare, Origin, Prepared, Stages};
pub use search::Sort;
pub use store::{EnrichmentCorrection, MentionWrite, QuarantinedRecord};
pub use understanding::{
    load_analyzer, train_model, EnrichmentCorrectionRequest, ReenrichReport, ReenrichScope, TrainReport, TrainRequest, TrainTask,
};
pub use writer::{BatchReport, QuarantineSample, Writer};
